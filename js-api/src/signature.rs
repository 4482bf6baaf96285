//! `verifySignature`: the origin's check of the front proxy's signature (the package's
//! `verifySessionHeader` reads its arguments from a request).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::errors::invalid;
use crate::values::{micros, optional_text, text};

/// Checks the front proxy's signature header (`header`, null when absent) against what the
/// origin received: method, host (`Host`), target (path and query), SessionEnv value ("" when
/// absent), at `nowMs`, allowing `toleranceSeconds` (default 300). `secrets`: the origin secret, or several
/// while one is rotated. Null when it verifies, else the reason: "missing", "malformed",
/// "expired" or "mismatch". `verifySessionHeader` (the package's) reads these from a request.
#[wasm_bindgen(js_name = verifySignature, unchecked_return_type = "\"missing\" | \"malformed\" | \"expired\" | \"mismatch\" | null")]
#[allow(clippy::too_many_arguments)]
pub fn verify_signature(
    #[wasm_bindgen(unchecked_param_type = "string | string[]")] secrets: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string | null")] header: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] target: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] session: JsValue,
    now_ms: Option<f64>,
    tolerance_seconds: Option<f64>,
) -> Result<JsValue, JsValue> {
    let header = optional_text(&header, "the signature header")?;
    let (method, host) = (text(&method, "method")?, text(&host, "host")?);
    let (target, session) = (text(&target, "target")?, text(&session, "session")?);
    let secrets: Vec<String> = match secrets.as_string() {
        Some(one) => vec![one],
        None if Array::is_array(&secrets) => Array::from(&secrets).iter().filter_map(|v| v.as_string()).collect(),
        None => Vec::new(),
    };
    if secrets.is_empty() || secrets.iter().any(String::is_empty) {
        return Err(invalid("the origin secret must be a non-empty string (or an array of them)"));
    }
    let tolerance = match tolerance_seconds {
        None => edge_session::signature::DEFAULT_TOLERANCE_SECS,
        Some(t) if t.is_finite() && t >= 0.0 && t.fract() == 0.0 && t <= 86_400.0 => t as u64,
        Some(_) => return Err(invalid("tolerance: must be a whole number of seconds from 0 to 86400")),
    };
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let now = micros(now_ms)?;
    Ok(
        match edge_session::signature::verify_signature(
            &secrets,
            header.as_deref(),
            &method,
            &host,
            &target,
            &session,
            now,
            tolerance,
        ) {
            Ok(()) => JsValue::NULL,
            Err(e) => JsValue::from_str(e.as_str()),
        },
    )
}

/// The signature header's value the front proxy would send for this request at `nowMs`: for the
/// CLI's `edge-session sign` (the full entry only). Throws `ERR_WEAK_KEY` for a secret below the
/// rule the proxy holds it to.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = signSessionHeader)]
pub fn sign_session_header(
    #[wasm_bindgen(unchecked_param_type = "string")] secret: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] target: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] session: JsValue,
    now_ms: Option<f64>,
) -> Result<String, JsValue> {
    let secret = text(&secret, "secret")?;
    let (method, host) = (text(&method, "method")?, text(&host, "host")?);
    let (target, session) = (text(&target, "target")?, text(&session, "session")?);
    edge_session::signature::sign_session_header(&secret, &method, &host, &target, &session, micros(now_ms)?)
        .map_err(|e| crate::errors::error("ERR_WEAK_KEY", &format!("the origin secret: {e}")))
}
