//! The JavaScript API of edge-session (the npm package): thin wrappers over the core's public
//! API, in rooms: `manager.rs` (`SessionManager`), `session.rs` (`Session`), `options.rs` (the
//! options object, read by the core's option table), `errors.rs` (the one place core errors
//! become JavaScript `Error`s with a stable `code`, in the JavaScript API's spelling), `flow.rs`
//! (the front proxy's plans, for the faces: `edge-session/flow`), `signature.rs`
//! (`verifySignature`), `values.rs` (JavaScript values in and out), `random.rs` (getrandom's
//! source), and, in the full entry, `inspect.rs`.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

use wasm_bindgen::prelude::*;

mod errors;
mod flow;
mod manager;
mod options;
mod random;
mod session;
mod signature;
// Server-side stores: in the full entry only (their decisions are 7 KB gzip of WebAssembly).
#[cfg(feature = "full")]
mod store;
mod values;

// `inspect`: in the package's `edge-session/full` entry only, with the apache format.
#[cfg(feature = "full")]
mod inspect;

pub use flow::{origin_failure, plan_passthrough, plan_request, plan_response};
pub use manager::SessionManager;
pub use session::Session;
#[cfg(feature = "full")]
pub use signature::sign_session_header;
pub use signature::verify_signature;
#[cfg(feature = "full")]
pub use store::{StoreCookie, StoreFlow, merge_update, plan_request_for, plan_response_saved};

use crate::errors::error;
use crate::values::object;

#[wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &'static str = r#"
/** Options of a SessionManager, named after Apache's mod_session directives. */
export interface SessionManagerOptions {
  /** SessionCookieName. Default "session". */
  cookieName?: string;
  /** Cookie attributes, ";"-separated. Default "Path=/; HttpOnly; Secure; SameSite=Lax". */
  cookieAttributes?: string;
  /** "sealed" (AES-256-GCM, default), "plain" (Apache's unencrypted cookie) or "apache" (mod_session_crypto's cookie). */
  format?: "sealed" | "plain" | "apache";
  /** Keys: raw keys as `edge-session keygen` prints them ("base64:" + 32 random bytes in base64) or passphrases of >= 32 characters; for "apache", the SessionCryptoPassphrases (each >= 32 characters unless allowWeakPassphrases). The first seals, all open. */
  keys?: string[];
  /** SessionCryptoCipher for the "apache" format. Default "aes256". */
  cipher?: "aes128" | "aes192" | "aes256";
  /** SessionMaxAge in seconds, sliding. 0 (default) = no expiry. */
  maxAge?: number;
  /** Absolute lifetime in seconds from issue, whatever the activity. 0 (default) = none. */
  maxLifetime?: number;
  /** SessionExpiryUpdateInterval in seconds: an unchanged session is written again only when its expiry moved this much. Default 60; 0 = write on every save. */
  expiryUpdateInterval?: number;
  /** SessionHeader: the origin's response header that updates the session. Default "X-Replace-Session". */
  header?: string;
  /** SessionInclude path prefixes. Default: everywhere. */
  include?: string[];
  /** SessionExclude path prefixes. Default: none. */
  exclude?: string[];
  /** SessionEnv: the request header that carries the plain session to the origin in `handle`. Default "X-Session". */
  envHeader?: string;
  /** SessionCookieRemove: strip the session cookie from the request `handle` passes on. Default false. */
  cookieRemove?: boolean;
  /** The most cookies a large "sealed" session may be split across (NAME.0, NAME.1, …). Default 4, at most 16; 1 = never. */
  maxChunks?: number;
  /** Opened cookies kept per SessionManager (per isolate), found by the whole cookie value, so a cookie sent again is not decrypted again; expiry, lifetime and revocation are still checked on every load. Default 256, at most 4096; 0 = off. */
  openCache?: number;
  /** The most bytes the open cache holds (cookie values and their sessions), whatever openCache allows: the least recently used go first. Default 4194304 (4 MiB), at most 67108864; 0 = off. */
  openCacheBytes?: number;
  /** A secret shared with the origin (>= 32 characters): every request `handle` forwards then carries `X-Session-Signature` (envHeader + "-Signature") over its time, method, path and query and session, which the origin checks with `verifySessionHeader`. Default: none. */
  originSecret?: string;
  /** "apache" format only: admit SessionCryptoPassphrases below the strength rule (to share cookies both ways with a live httpd). Warns at construction; sessions they open have `weakKey` true. Default false. */
  allowWeakPassphrases?: boolean;
  /** Device-bound sessions (W3C DBSC; the `edge-session/device-bound` entry): a new or regenerated session is offered a binding to a key the browser keeps on the device (Secure-Session-Registration); once bound it counts only beside a short-lived bound cookie that only a proof signed with that key renews. Needs the "sealed" format and no store. Default false. */
  deviceBound?: boolean;
  /** The bound cookie's lifetime in seconds (10 to 86400). Default 600. */
  deviceBoundMaxAge?: number;
  /** Where the DBSC endpoints are: PATH/register and PATH/refresh. Default "/__edge-session/dbsc". */
  deviceBoundPath?: string;
  /** Soft binding, for browsers without DBSC (the `edge-session/device-bound` entry): a coarse client fingerprint (browser and OS family) kept in the session; a request from another client is told to the origin (`!client=changed` in X-Session), and with "regenerate" the session is also regenerated. Never a logout. Default "off". */
  clientBinding?: "off" | "report" | "regenerate";
}

/** Where a loaded session came from. */
export type SessionStatus = "new" | "loaded" | "expired" | "rejected";
"#;

/// A fresh random key: `base64:` and 32 bytes from `crypto.getRandomValues` in base64.
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key() -> Result<String, JsValue> {
    edge_session::generate_key().map_err(|_| error("ERR_RANDOM", "the platform's random number generator failed"))
}

/// The core's option table, for the package's tests (that the TypeScript options type, the README
/// and the parser agree with it): `[{ rust, js, env, kind, describe, default, min, max, choices }]`. Not in the documented API.
#[wasm_bindgen(js_name = optionTable, skip_typescript)]
pub fn option_table() -> js_sys::Array {
    edge_session::option_table::OPTIONS
        .iter()
        .map(|s| {
            let kind = match s.kind {
                edge_session::option_table::Kind::Text => "text",
                edge_session::option_table::Kind::Texts => "texts",
                edge_session::option_table::Kind::Secret => "secret",
                edge_session::option_table::Kind::Secrets => "secrets",
                edge_session::option_table::Kind::Choice(_) => "choice",
                edge_session::option_table::Kind::Seconds => "seconds",
                edge_session::option_table::Kind::Count { .. } => "count",
                edge_session::option_table::Kind::Flag => "flag",
                _ => "other",
            };
            let (min, max) = match s.kind.bounds() {
                Some((min, max)) => (JsValue::from_f64(min as f64), JsValue::from_f64(max as f64)),
                None => (JsValue::NULL, JsValue::NULL),
            };
            let choices: JsValue = match s.kind {
                edge_session::option_table::Kind::Choice(c) => {
                    c.iter().map(|c| JsValue::from_str(c)).collect::<js_sys::Array>().into()
                }
                _ => JsValue::NULL,
            };
            object(&[
                ("rust", s.rust.into()),
                ("js", s.js.into()),
                ("env", s.env.into()),
                ("kind", kind.into()),
                ("describe", s.kind.describe().into()),
                ("default", s.default.into()),
                ("min", min),
                ("max", max),
                ("choices", choices),
            ])
        })
        .collect()
}
