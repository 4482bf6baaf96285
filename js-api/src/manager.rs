//! `SessionManager`: options checked and keys prepared once, then sessions loaded from `Cookie`
//! headers and saved as `Set-Cookie` lines. (The front proxy's plans over it are `flow.rs`'s.)

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::errors::{config_error, save_error, token_error};
use crate::options::{JsOptions, parse_options};
use crate::session::Session;
use crate::values::{JsStringOrNull, micros, optional_text, string_or_null, strings, text};

#[wasm_bindgen]
extern "C" {
    /// `console.warn`, for start-up warnings.
    #[wasm_bindgen(js_namespace = console)]
    fn warn(line: &str);
}

/// Loads and saves sessions. Build one per process and reuse it: keys are prepared here.
#[wasm_bindgen]
pub struct SessionManager {
    pub(crate) inner: edge_session::SessionManager,
}

#[wasm_bindgen]
impl SessionManager {
    /// Checks the options; throws an `EdgeSessionError` with a `code` when they cannot work.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<JsOptions>) -> Result<SessionManager, JsValue> {
        let options = parse_options(&options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
        let inner = edge_session::SessionManager::new(options).map_err(|e| config_error(&e))?;
        if let Some(notice) = inner.startup_notice() {
            warn(&notice.line(edge_session::option_table::Spelling::Js, &[]));
        }
        Ok(Self { inner })
    }

    /// Loads the session from a `Cookie` header (string, null or undefined). Never throws on a
    /// bad cookie: a missing, invalid, tampered or expired one gives an empty session.
    pub fn load(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | null")] cookie_header: JsValue,
        now_ms: Option<f64>,
    ) -> Result<Session, JsValue> {
        let cookie_header = optional_text(&cookie_header, "the Cookie header")?;
        let now = micros(now_ms)?;
        Ok(Session { inner: self.inner.load(cookie_header.as_deref(), now) })
    }

    /// [`load`](Self::load) with the `Cookie` header as UTF-8 bytes: what the package's
    /// `SessionManager.load` passes (JavaScript's `TextEncoder` copies a string into memory
    /// natively; wasm-bindgen's string argument copies it one character at a time in JavaScript,
    /// measured as a quarter of a cached read in workerd). Bytes that are not UTF-8 (which
    /// `TextEncoder` never produces) are no header. Not in the documented API.
    #[wasm_bindgen(js_name = loadUtf8, skip_typescript)]
    pub fn load_utf8(&self, cookie_header: &[u8], now_ms: Option<f64>) -> Result<Session, JsValue> {
        let now = micros(now_ms)?;
        let header = core::str::from_utf8(cookie_header).ok();
        Ok(Session { inner: self.inner.load(header, now) })
    }

    /// The `Set-Cookie` value to send, or `null` when nothing needs sending.
    pub fn save(&self, session: &mut Session, now_ms: Option<f64>) -> Result<JsStringOrNull, JsValue> {
        let now = micros(now_ms)?;
        self.inner.save(&mut session.inner, now).map(string_or_null).map_err(|e| save_error(&e))
    }

    /// Every `Set-Cookie` value to send, in order (none when nothing needs sending): a large
    /// `sealed` session is split across `NAME.0`, `NAME.1`, … (`maxChunks`), and cookies the
    /// browser holds that are no longer needed are removed. Use this when sessions may grow past
    /// one cookie; `save` writes one cookie or throws `ERR_CHUNKED_SESSION`.
    #[wasm_bindgen(js_name = saveAll, unchecked_return_type = "string[]")]
    pub fn save_all(&self, session: &mut Session, now_ms: Option<f64>) -> Result<Array, JsValue> {
        let now = micros(now_ms)?;
        self.inner.save_all(&mut session.inner, now).map(strings).map_err(|e| save_error(&e))
    }

    /// Whether sessions apply to a request path (`include` / `exclude`).
    #[wasm_bindgen(js_name = appliesTo)]
    pub fn applies_to(&self, #[wasm_bindgen(unchecked_param_type = "string")] path: JsValue) -> Result<bool, JsValue> {
        Ok(self.inner.applies_to(&text(&path, "path")?))
    }

    /// Seals the JSON text `data` for `purpose`, to open for `ttl` seconds: what the package's
    /// `sealToken` calls once it has checked its arguments and written the data as JSON
    /// (js/handle.js). Not in the documented API.
    #[wasm_bindgen(js_name = sealTokenText, skip_typescript)]
    pub fn seal_token_text(&self, purpose: &str, data: &str, ttl: f64, now_ms: Option<f64>) -> Result<String, JsValue> {
        // The caller passes a whole number from 1; anything else is out of range for the core.
        let ttl = if (1.0..=9.0e15).contains(&ttl) { ttl as u64 } else { 0 };
        self.inner.seal_token(purpose, data, ttl, micros(now_ms)?).map_err(|e| token_error(&e))
    }

    /// The JSON text a token holds for `purpose`, or `null`: what the package's `openToken`
    /// parses (js/handle.js). Not in the documented API.
    #[wasm_bindgen(js_name = openTokenText, skip_typescript)]
    pub fn open_token_text(&self, token: &str, purpose: &str, now_ms: Option<f64>) -> Result<Option<String>, JsValue> {
        Ok(self.inner.open_token(token, purpose, micros(now_ms)?))
    }

    /// The `Set-Cookie` value that deletes the session cookie.
    #[wasm_bindgen(js_name = removalCookie)]
    pub fn removal_cookie(&self) -> String {
        self.inner.removal_cookie()
    }

    /// The `Set-Cookie` values that delete the session cookie and every chunk name it may have
    /// been split across (`NAME.0` … `NAME.<maxChunks - 1>`): send them all to log out.
    #[wasm_bindgen(js_name = removalCookies, unchecked_return_type = "string[]")]
    pub fn removal_cookies(&self) -> Array {
        strings(self.inner.removal_cookies())
    }

    /// The session cookie's name.
    #[wasm_bindgen(getter, js_name = cookieName)]
    pub fn cookie_name(&self) -> String {
        self.inner.options().cookie_name.clone()
    }

    /// The SessionHeader name the origin updates the session with.
    #[wasm_bindgen(getter)]
    pub fn header(&self) -> String {
        self.inner.options().header.clone()
    }

    /// The SessionEnv header name the origin reads the session from.
    #[wasm_bindgen(getter, js_name = envHeader)]
    pub fn env_header(&self) -> String {
        self.inner.options().env_header.clone()
    }
}
