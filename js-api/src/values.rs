//! JavaScript values the bindings make and read: plain objects, `null`-able numbers and strings,
//! arrays of strings and entries, times in milliseconds, and string arguments checked before
//! anything reads them.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::errors::error;

#[wasm_bindgen]
extern "C" {
    /// `number | null` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "number | null")]
    pub type JsNumberOrNull;
    /// `string | null` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "string | null")]
    pub type JsStringOrNull;
    /// `Array<[string, unknown]>` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "Array<[string, unknown]>")]
    pub type JsEntries;
}

/// A plain object from (name, value) pairs.
pub(crate) fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        // Defining a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

pub(crate) fn number_or_null(v: Option<f64>) -> JsNumberOrNull {
    v.map_or(JsValue::NULL, JsValue::from_f64).unchecked_into()
}

pub(crate) fn strings(v: Vec<String>) -> Array {
    v.into_iter().map(JsValue::from).collect()
}

pub(crate) fn string_or_null(v: Option<String>) -> JsStringOrNull {
    v.map_or(JsValue::NULL, JsValue::from).unchecked_into()
}

/// A session's entries as they are stored, `[name, text]` pairs in order (none for `None`).
#[cfg(feature = "full")]
pub(crate) fn entries_array(session: Option<&edge_session::Session>) -> Array {
    let out = Array::new();
    for (k, v) in session.into_iter().flat_map(edge_session::Session::iter) {
        out.push(&Array::of2(&k.into(), &v.into()));
    }
    out
}

/// A session's keys and values with their types, `[key, value]` pairs in order.
pub(crate) fn typed_entries(session: &edge_session::Session) -> Array {
    let out = Array::new();
    for (k, v) in session.values() {
        out.push(&Array::of2(&k.into(), &typed_value(Some(v))));
    }
    out
}

/// A stored value for JavaScript: a string as it is, JSON text parsed (`undefined` when it is not
/// JSON: an origin wrote `key.json` with something else), `undefined` for none.
pub(crate) fn typed_value(value: Option<edge_session::Value<'_>>) -> JsValue {
    match value {
        Some(edge_session::Value::Text(s)) => JsValue::from_str(s),
        Some(edge_session::Value::Json(s)) => js_sys::JSON::parse(s).unwrap_or(JsValue::UNDEFINED),
        _ => JsValue::UNDEFINED,
    }
}

/// A JavaScript value as the core stores it: a string as it is, any other JSON value as its JSON
/// text.
pub(crate) enum Stored {
    Text(String),
    Json(String),
}

impl Stored {
    pub(crate) fn as_value(&self) -> edge_session::Value<'_> {
        match self {
            Self::Text(s) => edge_session::Value::Text(s),
            Self::Json(s) => edge_session::Value::Json(s),
        }
    }
}

/// [`Stored`] from a session value, or `ERR_INVALID_ARG_TYPE` for what JSON cannot hold
/// (`undefined`, a function, a symbol, a bigint, a number that is not finite, a cycle).
pub(crate) fn json_text(value: &JsValue) -> Result<Stored, JsValue> {
    if let Some(s) = value.as_string() {
        return Ok(Stored::Text(s));
    }
    let refuse = |why: &str| {
        error(
            "ERR_INVALID_ARG_TYPE",
            &format!("value must be a string or a JSON value (number, boolean, null, array, object), not {why}"),
        )
    };
    if let Some(n) = value.as_f64()
        && !n.is_finite()
    {
        // (No float formatting here: it would add ~10 KB gzip to the package.)
        return Err(refuse("a number that is not finite"));
    }
    match js_sys::JSON::stringify(value) {
        Ok(json) => match json.as_string() {
            Some(text) => Ok(Stored::Json(text)),
            None => Err(refuse(&value.js_typeof().as_string().unwrap_or_default())),
        },
        Err(_) => Err(refuse("a value JSON cannot hold (a bigint, or an object that holds itself)")),
    }
}

/// Milliseconds (JavaScript time; `Date.now()` when absent) to the wire's microseconds.
pub(crate) fn micros(now_ms: Option<f64>) -> Result<u64, JsValue> {
    let ms = now_ms.unwrap_or_else(js_sys::Date::now);
    if !(0.0..=8.64e15).contains(&ms) {
        return Err(error("ERR_INVALID_TIME", "time must be milliseconds since the epoch, as Date.now()"));
    }
    Ok((ms * 1000.0) as u64)
}

pub(crate) fn millis(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// A string argument, or an `EdgeSessionError` with the code `ERR_INVALID_ARG_TYPE` naming it.
/// wasm-bindgen's own string parameters take any value for a string (a number crossed into
/// WebAssembly as a pointer and a length that were not: out of bounds, or a crash of node), so
/// every string parameter of the API crosses as a `JsValue` and is checked here, before anything
/// is read from it.
pub(crate) fn text(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        let kind = if value.is_null() { "null".to_owned() } else { value.js_typeof().as_string().unwrap_or_default() };
        error("ERR_INVALID_ARG_TYPE", &format!("{name} must be a string, not {kind}"))
    })
}

/// [`text`] for a parameter that may also be `null` or `undefined`.
pub(crate) fn optional_text(value: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() { Ok(None) } else { text(value, name).map(Some) }
}
