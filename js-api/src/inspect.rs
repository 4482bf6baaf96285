//! `inspect`, for the package's `edge-session/full` entry (the CLI, the inspector page, the
//! DevTools panel): a cookie's format, contents, size and warnings, as the core decides them.

use js_sys::Array;
use wasm_bindgen::prelude::*;

use edge_session::Format;
use edge_session::inspect::InspectOptions;

use crate::options::{get, string_opt, strings_opt};
use crate::values::{entries_array, micros, millis, number_or_null, object, string_or_null, text};

#[wasm_bindgen(typescript_custom_section)]
const TS_INSPECT: &'static str = r#"
/** Options of `inspect`. */
export interface InspectOptions {
  /** Keys or passphrases to try. */
  keys?: string[];
  /** The cookie to pick from a Cookie header. Default "session". */
  cookieName?: string;
  /** Now, in ms (for the expiry warning). Default Date.now(). */
  now?: number;
}

/** What `inspect` found. */
export interface Inspection {
  format: "sealed" | "apache" | "plain" | null;
  ok: boolean;
  cookieName: string | null;
  entries: Array<[string, string]>;
  expiry: number | null;
  issued: number | null;
  bytes: number;
  /** The most bytes a browser keeps for one cookie (4096). */
  limit: number;
  keyId: string | null;
  cipher: "aes128" | "aes192" | "aes256" | null;
  /** A device-bound session (W3C DBSC): the RFC 7638 thumbprint of the device key it is bound to; null when it is not bound (or not opened). */
  deviceKey: string | null;
  /** Its bound cookie's expiry (ms since the epoch), when the input is a Cookie header holding `NAME_bound` and a given key opens it. */
  boundExpires: number | null;
  /** How the contents were read (null exactly when not `ok`): `opened` (encrypted, opened with a given key: authentic) or `decoded` (the plain format: not encrypted). */
  reading: { code: string; message: string } | null;
  /** Why the contents could not be read (null exactly when `ok`): `needs-key`, `cannot-open`, `no-usable-key`, `undecodable` or `unknown-format`. Not repeated in `warnings`. */
  problem: { code: string; message: string } | null;
  /** What to show as the cookie's status: `reading` when `ok`, else `problem` (decided by the core, so every face says the same). */
  status: { code: string; message: string };
  /** Advice besides: the attributes, size, expiry and format, keys that cannot be used. */
  warnings: Array<{ code: string; message: string }>;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `InspectOptions` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "InspectOptions")]
    pub type JsInspectOptions;
    /// `Inspection` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "Inspection")]
    pub type JsInspection;
}

/// Inspects a cookie value, a `Cookie` header or a whole `Set-Cookie` line: its format, what it
/// holds (decrypted locally when keys are given), its size, and warnings.
#[wasm_bindgen]
pub fn inspect(
    #[wasm_bindgen(unchecked_param_type = "string")] input: JsValue,
    options: Option<JsInspectOptions>,
) -> Result<JsInspection, JsValue> {
    let input = text(&input, "the cookie")?;
    let js: JsValue = options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED);
    let mut o = InspectOptions::default();
    if !js.is_undefined() && !js.is_null() {
        o.keys = strings_opt(&js, "keys")?.unwrap_or_default();
        o.cookie_name = string_opt(&js, "cookieName")?;
        o.now = micros(get(&js, "now")?.and_then(|v| v.as_f64()))?;
    } else {
        o.now = micros(None)?;
    }
    let i = edge_session::inspect::inspect(&input, &o);
    let format = i.format.map(Format::as_str);
    let cipher = i.cipher.map(edge_session::ApacheCipher::as_str);
    // Warnings, the problem and the reading all cross as `{ code, message }`.
    let coded = |code: &str, message: String| object(&[("code", code.into()), ("message", message.into())]);
    let warning = |w: &edge_session::inspect::Warning| coded(w.code(), w.to_string());
    let reading = i.reading.map(|r| coded(r.code(), r.to_string()));
    let problem = i.problem.as_ref().map(warning);
    let warnings = Array::new();
    for w in &i.warnings {
        warnings.push(&warning(w));
    }
    let session = i.session.as_ref();
    Ok(object(&[
        ("format", string_or_null(format.map(str::to_owned)).into()),
        ("ok", i.ok.into()),
        ("cookieName", string_or_null(i.cookie_name.clone()).into()),
        ("entries", entries_array(session).into()),
        ("expiry", number_or_null(session.and_then(edge_session::Session::expiry).map(millis)).into()),
        ("issued", number_or_null(session.and_then(edge_session::Session::issued).map(millis)).into()),
        ("bytes", JsValue::from_f64(i.bytes as f64)),
        ("limit", JsValue::from_f64(edge_session::limits::MAX_COOKIE_BYTES as f64)),
        ("keyId", string_or_null(i.key_id.clone()).into()),
        ("cipher", string_or_null(cipher.map(str::to_owned)).into()),
        ("deviceKey", string_or_null(i.device_key.clone()).into()),
        ("boundExpires", number_or_null(i.bound_expires.map(millis)).into()),
        ("reading", reading.clone().unwrap_or(JsValue::NULL)),
        ("problem", problem.clone().unwrap_or(JsValue::NULL)),
        // The core sets exactly one of the two; undefined only if that ever broke.
        ("status", reading.or(problem).unwrap_or(JsValue::UNDEFINED)),
        ("warnings", warnings.into()),
    ])
    .unchecked_into())
}
