//! The JavaScript API of edge-session (the npm package): thin wrappers over the core's public
//! API, and the one place where core errors become JavaScript `Error`s with a stable `code` and
//! option names in camelCase.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use edge_session::{
    ConfigError, CookieError, Format, HeaderOp, KeyError, MAX_CHUNKS_LIMIT, MAX_OPEN_CACHE, MAX_OPEN_CACHE_BYTES,
    MAX_SECONDS, Notice, Options, SaveError, SessionError,
};

mod random;

// `inspect`: in the package's `edge-session/full` entry only, with the apache format.
#[cfg(feature = "full")]
mod inspect;

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
  /** SessionExpiryUpdateInterval in seconds. 0 (default) = write on every save. */
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
}

/** One header operation, in order: delete a header, set it, or append a value (Set-Cookie). Names are lowercase. */
export type HeaderOp = ["delete", string] | ["set", string, string] | ["append", string, string];

/** A log line to print with `console[level]`: one JSON object, the same in every face. */
export interface LogNotice {
  level: "info" | "warn" | "error";
  line: string;
}

/** What `planRequest` decided: the session (null outside include/exclude), the operations on the request's headers before it goes to the origin, and what to log. */
export interface RequestPlan {
  session: Session | null;
  headers: HeaderOp[];
  notices: LogNotice[];
}

/** What to answer when the origin cannot be reached, throws or answers with something that is not a Response. */
export interface OriginFailure {
  status: number;
  body: string;
  contentType: string;
  notice: LogNotice;
}

/** What `planResponse` decided: the operations on the response's headers before it goes to the client, and what to log (the response always goes out). */
export interface ResponsePlan {
  headers: HeaderOp[];
  notices: LogNotice[];
}

/** Where a loaded session came from. */
export type SessionStatus = "new" | "loaded" | "expired" | "rejected";
"#;

#[wasm_bindgen]
extern "C" {
    /// `SessionManagerOptions` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "SessionManagerOptions")]
    pub type JsOptions;
    /// `SessionStatus` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "SessionStatus")]
    pub type JsStatus;
    /// `Array<[string, string]>` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "Array<[string, string]>")]
    pub type JsEntries;
    /// `number | null` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "number | null")]
    pub type JsNumberOrNull;
    /// `string | null` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "string | null")]
    pub type JsStringOrNull;
    /// `RequestPlan` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "RequestPlan")]
    pub type JsRequestPlan;
    /// `ResponsePlan` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "ResponsePlan")]
    pub type JsResponsePlan;
    /// `Array<[string, string]>` of headers on the JavaScript side.
    #[wasm_bindgen(typescript_type = "Iterable<[string, string]> | Array<[string, string]>")]
    pub type JsHeaders;
    /// `OriginFailure` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "OriginFailure")]
    pub type JsOriginFailure;
}

/// A plain object from (name, value) pairs.
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        // Defining a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

fn number_or_null(v: Option<f64>) -> JsNumberOrNull {
    v.map_or(JsValue::NULL, JsValue::from_f64).unchecked_into()
}

fn strings(v: Vec<String>) -> Array {
    v.into_iter().map(JsValue::from).collect()
}

fn string_or_null(v: Option<String>) -> JsStringOrNull {
    v.map_or(JsValue::NULL, JsValue::from).unchecked_into()
}

/// The core's option names and the JavaScript API's.
const CAMEL_CASE: [(&str, &str); 13] = [
    ("open_cache_bytes", "openCacheBytes"),
    ("open_cache", "openCache"),
    ("allow_weak_passphrases", "allowWeakPassphrases"),
    ("expiry_update_interval", "expiryUpdateInterval"),
    ("max_lifetime", "maxLifetime"),
    ("max_chunks", "maxChunks"),
    ("max_age", "maxAge"),
    ("env_header", "envHeader"),
    ("cookie_remove", "cookieRemove"),
    ("cookie_name", "cookieName"),
    ("cookie_attributes", "cookieAttributes"),
    ("token_context", "tokenContext"),
    ("origin_secret", "originSecret"),
];

/// A core message with its option names in the JavaScript API's spelling.
fn camel_case(message: &str) -> String {
    CAMEL_CASE.iter().fold(message.to_owned(), |m, (core, js)| m.replace(core, js))
}

/// A JavaScript `Error` with a stable `code` and `name = "EdgeSessionError"`.
fn error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(&camel_case(message));
    err.set_name("EdgeSessionError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

#[wasm_bindgen]
extern "C" {
    /// `console.warn`, for start-up warnings.
    #[wasm_bindgen(js_namespace = console)]
    fn warn(line: &str);
}

fn config_error(e: &ConfigError) -> JsValue {
    let code = match e {
        ConfigError::Cookie(CookieError::InvalidName(_)) => "ERR_INVALID_COOKIE_NAME",
        ConfigError::Cookie(CookieError::PrefixRule { .. }) => "ERR_COOKIE_PREFIX",
        ConfigError::Cookie(_) => "ERR_INVALID_COOKIE_ATTRIBUTE",
        ConfigError::NoKeys => "ERR_NO_KEYS",
        ConfigError::Key { error: KeyError::Duplicate, .. } => "ERR_DUPLICATE_KEY",
        ConfigError::Key { error: KeyError::Random, .. } => "ERR_RANDOM",
        ConfigError::Key { error: KeyError::Unprefixed, .. } => "ERR_UNPREFIXED_KEY",
        ConfigError::Key { error: KeyError::BadRawKey, .. } => "ERR_INVALID_RAW_KEY",
        ConfigError::Key { .. } | ConfigError::OriginSecret(_) => "ERR_WEAK_KEY",
        // The default entry is built without the apache format: say where it is.
        ConfigError::FormatUnavailable(format) => {
            let name = format.as_str();
            let message = format!(
                "the {name} format is in the package's full entry: import {{ SessionManager }} from \"edge-session/full\""
            );
            return error("ERR_FORMAT_UNAVAILABLE", &message);
        }
        _ => "ERR_INVALID_OPTION",
    };
    error(code, &e.to_string())
}

fn session_error(e: &SessionError) -> JsValue {
    let code = match e {
        SessionError::EmptyKey | SessionError::ReservedKey => "ERR_INVALID_KEY_NAME",
        SessionError::NulCharacter => "ERR_INVALID_CHARACTER",
        SessionError::TooManyEntries { .. } => "ERR_TOO_MANY_ENTRIES",
        SessionError::UpdateTooLarge { .. } => "ERR_UPDATE_TOO_LARGE",
        _ => "ERR_INVALID_SESSION",
    };
    error(code, &e.to_string())
}

fn save_error(e: &SaveError) -> JsValue {
    let code = match e {
        SaveError::CookieTooLarge { .. } => "ERR_COOKIE_TOO_LARGE",
        SaveError::Random => "ERR_RANDOM",
        SaveError::TooManyChunks { .. } => "ERR_TOO_MANY_CHUNKS",
        SaveError::ChunkedSession => "ERR_CHUNKED_SESSION",
        _ => "ERR_SAVE",
    };
    error(code, &e.to_string())
}

fn invalid(message: String) -> JsValue {
    error("ERR_INVALID_OPTION", &message)
}

/// A string argument, or an `EdgeSessionError` with the code `ERR_INVALID_ARG_TYPE` naming it.
/// wasm-bindgen's own string parameters take any value for a string (a number crossed into
/// WebAssembly as a pointer and a length that were not: out of bounds, or a crash of node), so
/// every string parameter of the API crosses as a `JsValue` and is checked here, before anything
/// is read from it.
fn text(value: &JsValue, name: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        let kind = if value.is_null() { "null".to_owned() } else { value.js_typeof().as_string().unwrap_or_default() };
        error("ERR_INVALID_ARG_TYPE", &format!("{name} must be a string, not {kind}"))
    })
}

/// [`text`] for a parameter that may also be `null` or `undefined`.
fn optional_text(value: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() { Ok(None) } else { text(value, name).map(Some) }
}

const OPTION_NAMES: [&str; 18] = [
    "cookieName",
    "cookieAttributes",
    "format",
    "keys",
    "cipher",
    "maxAge",
    "maxLifetime",
    "expiryUpdateInterval",
    "header",
    "include",
    "exclude",
    "envHeader",
    "cookieRemove",
    "maxChunks",
    "openCache",
    "openCacheBytes",
    "allowWeakPassphrases",
    "originSecret",
];

/// An own property of an options object: never one inherited through the prototype chain (a
/// polluted `Object.prototype` must not change a setting).
fn get(obj: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    let key = JsValue::from_str(name);
    if !Object::has_own(&Object::from(obj.clone()), &key) {
        return Ok(None);
    }
    let v = Reflect::get(obj, &key)?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

fn string_opt(obj: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    get(obj, name)?.map(|v| v.as_string().ok_or_else(|| invalid(format!("option {name} must be a string")))).transpose()
}

fn strings_opt(obj: &JsValue, name: &str) -> Result<Option<Vec<String>>, JsValue> {
    let Some(v) = get(obj, name)? else {
        return Ok(None);
    };
    let must = || invalid(format!("option {name} must be an array of strings"));
    if !Array::is_array(&v) {
        return Err(must());
    }
    Array::from(&v).iter().map(|item| item.as_string().ok_or_else(must)).collect::<Result<Vec<_>, _>>().map(Some)
}

fn seconds_opt(obj: &JsValue, name: &str) -> Result<Option<u64>, JsValue> {
    let Some(v) = get(obj, name)? else {
        return Ok(None);
    };
    match v.as_f64() {
        Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_SECONDS as f64 => Ok(Some(n as u64)),
        _ => Err(invalid(format!("option {name} must be a whole number of seconds, 0 to {MAX_SECONDS}"))),
    }
}

/// A whole-number option from `lo` to `hi` (maxChunks, openCache).
fn count_opt(obj: &JsValue, name: &str, lo: usize, hi: usize) -> Result<Option<usize>, JsValue> {
    let Some(v) = get(obj, name)? else {
        return Ok(None);
    };
    match v.as_f64() {
        Some(n) if n.is_finite() && n.fract() == 0.0 && (lo as f64..=hi as f64).contains(&n) => Ok(Some(n as usize)),
        _ => Err(invalid(format!("option {name} must be a whole number from {lo} to {hi}"))),
    }
}

fn parse_options(js: &JsValue) -> Result<Options, JsValue> {
    let mut o = Options::default();
    if js.is_undefined() || js.is_null() {
        return Ok(o);
    }
    if !js.is_object() {
        return Err(invalid("options must be an object".into()));
    }
    for name in Object::keys(&Object::from(js.clone())).iter() {
        let name = name.as_string().unwrap_or_default();
        if !OPTION_NAMES.contains(&name.as_str()) {
            return Err(invalid(format!("unknown option \"{name}\" (known: {})", OPTION_NAMES.join(", "))));
        }
    }
    if let Some(v) = string_opt(js, "cookieName")? {
        o.cookie_name = v;
    }
    if let Some(v) = string_opt(js, "cookieAttributes")? {
        o.cookie_attributes = v;
    }
    if let Some(v) = string_opt(js, "format")? {
        o.format = Format::parse(&v)
            .ok_or_else(|| invalid(format!("format must be \"sealed\", \"plain\" or \"apache\", not \"{v}\"")))?;
    }
    if let Some(v) = string_opt(js, "cipher")? {
        if o.format != Format::Apache {
            return Err(invalid("option cipher is for format \"apache\" only".into()));
        }
        o.cipher = edge_session::ApacheCipher::parse(&v)
            .ok_or_else(|| invalid(format!("cipher must be \"aes128\", \"aes192\" or \"aes256\", not \"{v}\"")))?;
    }
    if let Some(v) = strings_opt(js, "keys")? {
        o.keys = v;
    }
    if let Some(v) = seconds_opt(js, "maxAge")? {
        o.max_age = v;
    }
    if let Some(v) = seconds_opt(js, "maxLifetime")? {
        o.max_lifetime = v;
    }
    if let Some(v) = seconds_opt(js, "expiryUpdateInterval")? {
        o.expiry_update_interval = v;
    }
    if let Some(v) = string_opt(js, "header")? {
        o.header = v;
    }
    if let Some(v) = strings_opt(js, "include")? {
        o.include = v;
    }
    if let Some(v) = strings_opt(js, "exclude")? {
        o.exclude = v;
    }
    if let Some(v) = string_opt(js, "envHeader")? {
        o.env_header = v;
    }
    if let Some(v) = string_opt(js, "originSecret")? {
        o.origin_secret = v;
    }
    if let Some(v) = get(js, "allowWeakPassphrases")? {
        o.allow_weak_passphrases =
            v.as_bool().ok_or_else(|| invalid("option allowWeakPassphrases must be a boolean".into()))?;
    }
    if let Some(v) = get(js, "cookieRemove")? {
        o.cookie_remove = v.as_bool().ok_or_else(|| invalid("option cookieRemove must be a boolean".into()))?;
    }
    if let Some(n) = count_opt(js, "openCache", 0, MAX_OPEN_CACHE)? {
        o.open_cache = n;
    }
    if let Some(n) = count_opt(js, "openCacheBytes", 0, MAX_OPEN_CACHE_BYTES)? {
        o.open_cache_bytes = n;
    }
    if let Some(n) = count_opt(js, "maxChunks", 1, MAX_CHUNKS_LIMIT)? {
        o.max_chunks = n;
    }
    Ok(o)
}

/// Milliseconds (JavaScript time) to the wire's microseconds.
fn micros(now_ms: Option<f64>) -> Result<u64, JsValue> {
    let ms = now_ms.unwrap_or_else(js_sys::Date::now);
    if !(0.0..=8.64e15).contains(&ms) {
        return Err(error("ERR_INVALID_TIME", "time must be milliseconds since the epoch, as Date.now()"));
    }
    Ok((ms * 1000.0) as u64)
}

fn millis(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// Loads and saves sessions. Build one per process and reuse it: keys are prepared here.
#[wasm_bindgen]
pub struct SessionManager {
    inner: edge_session::SessionManager,
}

#[wasm_bindgen]
impl SessionManager {
    /// Checks the options; throws an `EdgeSessionError` with a `code` when they cannot work.
    #[wasm_bindgen(constructor)]
    pub fn new(options: Option<JsOptions>) -> Result<SessionManager, JsValue> {
        let options = parse_options(&options.map(JsValue::from).unwrap_or(JsValue::UNDEFINED))?;
        let inner = edge_session::SessionManager::new(options).map_err(|e| config_error(&e))?;
        if let Some(notice) = inner.startup_notice() {
            warn(&notice.to_json());
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

    /// The front proxy's decisions for a request (its method; the host, `url.host`, and target,
    /// path and query, the origin receives; and its headers, `[...request.headers]`): the session
    /// (null outside include/exclude), the operations on the headers before the request goes to
    /// the origin (with `originSecret`, its signature over method, host and target), and what to
    /// log. The core's, shared with every face.
    #[wasm_bindgen(js_name = planRequest)]
    pub fn plan_request(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] host: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] target: JsValue,
        headers: JsHeaders,
        now_ms: Option<f64>,
    ) -> Result<JsRequestPlan, JsValue> {
        let (method, host, target) = (text(&method, "method")?, text(&host, "host")?, text(&target, "target")?);
        let headers = header_list(&headers)?;
        let plan = self.inner.plan_request(&method, &host, &target, &headers, micros(now_ms)?);
        let session = plan.session.map_or(JsValue::NULL, |inner| Session { inner }.into());
        Ok(object(&[
            ("session", session),
            ("headers", header_ops(&plan.headers).into()),
            ("notices", notices(&plan.notices).into()),
        ])
        .unchecked_into())
    }

    /// The front proxy's decisions for the origin's response (`[...response.headers]`): merges
    /// its SessionHeader into `session`, saves it, and returns the operations on the headers
    /// before the response goes to the client, and what to log.
    #[wasm_bindgen(js_name = planResponse)]
    pub fn plan_response(
        &self,
        session: &mut Session,
        headers: JsHeaders,
        now_ms: Option<f64>,
    ) -> Result<JsResponsePlan, JsValue> {
        let now = micros(now_ms)?;
        let plan = self.inner.plan_response(Some(&mut session.inner), &header_list(&headers)?, now);
        Ok(response_plan(&plan))
    }

    /// `planResponse` for a request outside include / exclude (no session): the operations
    /// on the response's headers (the SessionHeader still goes).
    #[wasm_bindgen(js_name = planPassthrough)]
    pub fn plan_passthrough(&self, headers: JsHeaders) -> Result<JsResponsePlan, JsValue> {
        Ok(response_plan(&self.inner.plan_response(None, &header_list(&headers)?, 0)))
    }
}

fn response_plan(plan: &edge_session::ResponsePlan) -> JsResponsePlan {
    object(&[("headers", header_ops(&plan.headers).into()), ("notices", notices(&plan.notices).into())])
        .unchecked_into()
}

/// A `[name, value]` list (or any iterable of pairs, such as a `Headers`).
fn header_list(headers: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let bad = || error("ERR_INVALID_HEADERS", "headers must be an iterable of [name, value] pairs");
    let iter = js_sys::try_iter(headers).map_err(|_| bad())?.ok_or_else(bad)?;
    let mut out = Vec::new();
    for pair in iter {
        let pair = pair?;
        let name = Reflect::get_u32(&pair, 0)?.as_string().ok_or_else(bad)?;
        let value = Reflect::get_u32(&pair, 1)?.as_string().ok_or_else(bad)?;
        out.push((name, value));
    }
    Ok(out)
}

/// `["delete", name]`, `["set", name, value]`, `["append", name, value]`.
fn header_ops(ops: &[HeaderOp]) -> Array {
    ops.iter()
        .map(|op| -> JsValue {
            match op {
                HeaderOp::Delete(n) => Array::of2(&"delete".into(), &n.into()).into(),
                HeaderOp::Set(n, v) => Array::of3(&"set".into(), &n.into(), &v.into()).into(),
                HeaderOp::Append(n, v) => Array::of3(&"append".into(), &n.into(), &v.into()).into(),
                _ => Array::new().into(),
            }
        })
        .collect()
}

fn notice(n: &Notice) -> JsValue {
    object(&[("level", n.level().as_str().into()), ("line", camel_case(&n.to_json()).into())])
}

fn notices(list: &[Notice]) -> Array {
    list.iter().map(notice).collect()
}

/// What a face answers when the origin cannot be reached, throws, or answers with something
/// that is not a Response: the status, the body and the log line (`error` is its message).
#[wasm_bindgen(js_name = originFailure)]
pub fn origin_failure(
    #[wasm_bindgen(unchecked_param_type = "string")] error: JsValue,
) -> Result<JsOriginFailure, JsValue> {
    let error = text(&error, "error")?;
    Ok(object(&[
        ("status", edge_session::ORIGIN_FAILURE_STATUS.into()),
        ("body", edge_session::ORIGIN_FAILURE_BODY.into()),
        ("contentType", edge_session::FAILURE_CONTENT_TYPE.into()),
        ("notice", notice(&Notice::OriginFailed(error))),
    ])
    .unchecked_into())
}

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
        return Err(invalid("the origin secret must be a non-empty string (or an array of them)".into()));
    }
    let tolerance = match tolerance_seconds {
        None => edge_session::DEFAULT_TOLERANCE_SECS,
        Some(t) if t.is_finite() && t >= 0.0 && t.fract() == 0.0 && t <= 86_400.0 => t as u64,
        Some(_) => return Err(invalid("option tolerance must be a whole number of seconds from 0 to 86400".into())),
    };
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let now = micros(now_ms)?;
    Ok(
        match edge_session::verify_signature(
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

/// A session: ordered string entries and an expiry.
#[wasm_bindgen]
pub struct Session {
    inner: edge_session::Session,
}

#[wasm_bindgen]
impl Session {
    /// An empty session.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        Self { inner: edge_session::Session::new() }
    }

    /// The value of `key`, or `undefined`.
    pub fn get(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
    ) -> Result<Option<String>, JsValue> {
        Ok(self.inner.get(&text(&key, "key")?).map(str::to_owned))
    }

    /// Whether `key` is set.
    pub fn has(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Result<bool, JsValue> {
        Ok(self.inner.get(&text(&key, "key")?).is_some())
    }

    /// Sets `key` to `value` (an empty value deletes). Throws on an empty or reserved key.
    pub fn set(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] value: JsValue,
    ) -> Result<(), JsValue> {
        let (key, value) = (text(&key, "key")?, text(&value, "value")?);
        self.inner.insert(&key, &value).map(|_| ()).map_err(|e| session_error(&e))
    }

    /// Deletes `key`; whether it was set.
    pub fn delete(&mut self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> Result<bool, JsValue> {
        Ok(self.inner.remove(&text(&key, "key")?).is_some())
    }

    /// Removes every entry (the next save deletes the cookie).
    pub fn clear(&mut self) {
        self.inner.clear();
    }

    /// The entries as `[key, value]` pairs, in order.
    pub fn entries(&self) -> JsEntries {
        entries_array(Some(&self.inner)).unchecked_into()
    }

    /// How many entries.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
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

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

/// A fresh random key: `base64:` and 32 bytes from `crypto.getRandomValues` in base64.
#[wasm_bindgen(js_name = generateKey)]
pub fn generate_key() -> Result<String, JsValue> {
    edge_session::generate_key().map_err(|_| error("ERR_RANDOM", "the platform's random number generator failed"))
}

fn entries_array(session: Option<&edge_session::Session>) -> Array {
    let out = Array::new();
    for (k, v) in session.into_iter().flat_map(edge_session::Session::iter) {
        out.push(&Array::of2(&k.into(), &v.into()));
    }
    out
}
