//! `Session`: the session's entries, expiry, issue time and status, for JavaScript.

use wasm_bindgen::prelude::*;

use crate::errors::session_error;
use crate::values::{
    JsEntries, JsNumberOrNull, JsStringOrNull, Stored, json_text, micros, millis, number_or_null, string_or_null, text,
    typed_entries, typed_value,
};

#[wasm_bindgen]
extern "C" {
    /// `SessionStatus` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "SessionStatus")]
    pub type JsStatus;
}

/// A session: ordered entries (strings as mod_session keeps them, any other JSON value with its
/// type), an expiry, its own max age and flash entries.
#[wasm_bindgen]
pub struct Session {
    pub(crate) inner: edge_session::Session,
}

#[wasm_bindgen]
impl Session {
    /// An empty session.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        Self { inner: edge_session::Session::new() }
    }

    /// The value of `key` with its type (a string, number, boolean, null, array or object), or
    /// `undefined`. A flash entry set on the previous request is found too.
    #[wasm_bindgen(unchecked_return_type = "unknown")]
    pub fn get(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Result<JsValue, JsValue> {
        Ok(typed_value(self.inner.value(&text(&key, "key")?)))
    }

    /// Whether `key` is set.
    pub fn has(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Result<bool, JsValue> {
        Ok(self.inner.value(&text(&key, "key")?).is_some())
    }

    /// Sets `key` to `value`: a string (an empty one deletes the key, as in a SessionHeader
    /// update), or any other JSON value (number, boolean, null, array, object), kept with its type.
    /// Throws on an empty or reserved key, or a value JSON cannot hold.
    pub fn set(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Result<(), JsValue> {
        let (key, value) = key_and_value(&key, &value)?;
        self.inner.set_value(&key, value.as_value()).map_err(|e| session_error(&e))
    }

    /// Stores `value` for the next request only: there, `get(key)` returns it, and its save drops
    /// it. (An origin sets one with `flash.key=value` in its SessionHeader.)
    pub fn flash(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "unknown")] value: JsValue,
    ) -> Result<(), JsValue> {
        let (key, value) = key_and_value(&key, &value)?;
        self.inner.flash(&key, value.as_value()).map_err(|e| session_error(&e))
    }

    /// Deletes `key`; whether it was set.
    pub fn delete(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Result<bool, JsValue> {
        Ok(self.inner.remove(&text(&key, "key")?).is_some())
    }

    /// Removes every entry (the next save deletes the cookie).
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// The entries as `[key, value]` pairs with their types, in order (flash entries aside).
    pub fn entries(&self) -> JsEntries {
        typed_entries(&self.inner).unchecked_into()
    }

    /// How many entries (flash entries aside).
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.values().count()
    }

    /// This session's own sliding lifetime in seconds ("remember me"), or `null` for the
    /// manager's `maxAge`.
    #[wasm_bindgen(getter, js_name = maxAge)]
    pub fn max_age(&self) -> JsNumberOrNull {
        number_or_null(self.inner.max_age().map(|s| s as f64))
    }

    /// Sets this session's own sliding lifetime in seconds (`null` or 0: the manager's `maxAge`
    /// again). Kept in the cookie and honoured by every later save, by every face.
    #[wasm_bindgen(setter, js_name = maxAge)]
    pub fn set_max_age(&mut self, seconds: Option<f64>) -> Result<(), JsValue> {
        let seconds = match seconds {
            None => None,
            Some(s) if s.is_finite() && s >= 0.0 && s.fract() == 0.0 && s <= 9.0e15 => Some(s as u64),
            Some(_) => {
                let message = "maxAge must be a whole number of seconds from 0 (or null)";
                return Err(crate::errors::error("ERR_OUT_OF_RANGE", message));
            }
        };
        self.inner.set_max_age(seconds).map_err(|e| session_error(&e))
    }

    /// Expiry in milliseconds since the epoch, or `null`.
    #[wasm_bindgen(getter)]
    pub fn expiry(&self) -> JsNumberOrNull {
        number_or_null(self.inner.expiry().map(millis))
    }

    /// Sets the expiry (ms, or `null` for none). A configured `maxAge` overrides it on save.
    #[wasm_bindgen(setter)]
    pub fn set_expiry(&mut self, expiry_ms: Option<f64>) -> Result<(), JsValue> {
        let us = expiry_ms.map(|ms| micros(Some(ms))).transpose()?;
        self.inner.set_expiry(us);
        Ok(())
    }

    /// When the session was first issued (ms), or `null`.
    #[wasm_bindgen(getter)]
    pub fn issued(&self) -> JsNumberOrNull {
        number_or_null(self.inner.issued().map(millis))
    }

    /// Whether a passphrase below the strength rule (`allowWeakPassphrases`) opened this
    /// session: anyone who guesses it could have forged it. It is written back under that same
    /// passphrase, so it ends when the passphrase is dropped (or the session cleared).
    #[wasm_bindgen(getter, js_name = weakKey)]
    pub fn weak_key(&self) -> bool {
        self.inner.weak_key()
    }

    /// Whether the session changed since it was loaded or saved.
    #[wasm_bindgen(getter, js_name = isModified)]
    pub fn is_modified(&self) -> bool {
        self.inner.is_modified()
    }

    /// `"new"`, `"loaded"`, `"expired"` or `"rejected"`.
    #[wasm_bindgen(getter)]
    pub fn status(&self) -> JsStatus {
        JsValue::from_str(self.inner.status().as_str()).unchecked_into()
    }

    /// Why a cookie was rejected (`"tampered"`, `"unknown-key"`, `"malformed"`, …), or `null`.
    #[wasm_bindgen(getter)]
    pub fn rejection(&self) -> JsStringOrNull {
        string_or_null(match self.inner.status() {
            edge_session::LoadStatus::Rejected(why) => Some(why.as_str().to_owned()),
            _ => None,
        })
    }

    /// Merges a SessionHeader value (`k=v&k2=`): set, delete on empty, `expiry=` honoured.
    #[wasm_bindgen(js_name = applyUpdate)]
    pub fn apply_update(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] header_value: JsValue,
    ) -> Result<(), JsValue> {
        self.inner.apply_update(&text(&header_value, "the SessionHeader value")?).map_err(|e| session_error(&e))
    }

    /// Re-issues the session on its next save (after a login or a privilege change), keeping
    /// its entries: a new token and a new issue time. An origin asks for it with `!regenerate=1`
    /// in its SessionHeader.
    pub fn regenerate(&mut self) {
        self.inner.regenerate();
    }

    /// The plain session string, as Apache's `HTTP_SESSION` (with `expiry=` in µs).
    #[wasm_bindgen(js_name = toString)]
    pub fn to_js_string(&self) -> String {
        self.inner.to_string()
    }
}

/// `set`'s and `flash`'s arguments: a string key and a value as the core stores it.
fn key_and_value(key: &JsValue, value: &JsValue) -> Result<(String, Stored), JsValue> {
    Ok((text(key, "key")?, json_text(value)?))
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}
