//! Server-side sessions for the JavaScript faces: the core's store decisions
//! (`edge_session::store`, the same the Rust Worker executes) over a `SessionManager`, for
//! `edge-session/store` (js/store.js), which does the I/O with Workers KV or Redis. Not the user's
//! API: the package's faces call these through the manager's flow.
//!
//! A store save crosses back packed, one string (NUL-separated fields, none of which can hold a
//! NUL: hex ids, the record's session string, decimal numbers, Set-Cookie lines):
//!
//! ```text
//! write   kind NUL newKey NUL newHome NUL oldKey NUL oldHome NUL record NUL ttl NUL reissued NUL count NUL (line NUL){count}
//!   kind       "nothing", "put" or "remove"; keys `session:` and 32 lowercase hex digits (empty: none)
//!   ttl        seconds until the record expires, at least the store's minimum (empty: no expiry)
//!   reissued   "1" when the new id is not the old one (the old record goes), else "0"
//! ```

use wasm_bindgen::prelude::*;

use edge_session::option_table::Spelling;
use edge_session::store::{self, StoreSaveError, StoreWrite};

use crate::errors::{error, save_error};
use crate::flow::{header_list, pack_notices, pack_ops};
use crate::manager::SessionManager;
use crate::session::Session;
use crate::values::{micros, text};

/// The store's decisions for one manager's options. Not in the documented API.
#[wasm_bindgen(skip_typescript)]
pub struct StoreFlow {
    inner: store::StoreSessions,
    /// With a store that keeps sessions per user (Redis): the session key naming the user, and
    /// the key of the keyed hash that names a user's home (the Rust Worker's Durable Object names).
    homes: Option<(String, store::HashKey)>,
}

/// A request's store cookie as read: its token and the record it names. Not in the documented API.
#[wasm_bindgen(skip_typescript)]
pub struct StoreCookie {
    inner: store::StoreCookie,
}

#[wasm_bindgen]
impl StoreCookie {
    /// The home the cookie names (a store per user), or undefined.
    #[wasm_bindgen(getter)]
    pub fn home(&self) -> Option<String> {
        self.inner.sref.as_ref().and_then(|r| r.home.clone())
    }

    /// The store key of the record the cookie names (`session:` and its id), or undefined.
    #[wasm_bindgen(getter)]
    pub fn key(&self) -> Option<String> {
        self.inner.sref.as_ref().map(store::StoreRef::kv_key)
    }
}

#[wasm_bindgen]
impl StoreFlow {
    /// The store's token manager over `manager`'s options (its keys, cookie and times).
    /// With `user_key` (a store that keeps sessions per user), sessions get a home: `u` and a keyed
    /// hash of the user for a signed-in session, `a` and the id otherwise.
    #[wasm_bindgen(constructor)]
    pub fn new(manager: &SessionManager, user_key: Option<String>) -> Result<StoreFlow, JsValue> {
        let inner = store::StoreSessions::new(manager.inner.options()).map_err(|e| crate::errors::config_error(&e))?;
        let homes = match user_key {
            Some(k) => {
                let secret = manager.inner.derive_secrets(store::HASH_KEY_LABEL).into_iter().next();
                let secret =
                    secret.ok_or_else(|| error("ERR_NO_KEYS", "a store per user needs the sealed format's keys"))?;
                Some((k, store::HashKey::new(&secret)))
            }
            None => None,
        };
        Ok(Self { inner, homes })
    }

    /// The home of `user`'s sessions (for a "log out everywhere"), or undefined without homes.
    #[wasm_bindgen(js_name = userHome)]
    pub fn user_home(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] user: JsValue,
    ) -> Result<Option<String>, JsValue> {
        let user = text(&user, "user")?;
        Ok(self.homes.as_ref().map(|(_, key)| store::user_home(key, &user)))
    }

    /// Opens the request's store cookie (no store read yet: a forged or expired cookie costs none).
    pub fn load(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | null")] cookie_header: JsValue,
        now_ms: Option<f64>,
    ) -> Result<StoreCookie, JsValue> {
        let header = crate::values::optional_text(&cookie_header, "the Cookie header")?;
        Ok(StoreCookie { inner: self.inner.load(header.as_deref(), micros(now_ms)?) })
    }

    /// The request's session from the record the store holds (`null`: none under the id), and
    /// the notice of a cookie that named none (`"malformed"`, `"not-stored"`, or `""`).
    #[wasm_bindgen(unchecked_return_type = "[Session, string]")]
    pub fn session(
        &self,
        cookie: &StoreCookie,
        #[wasm_bindgen(unchecked_param_type = "string | null")] record: JsValue,
    ) -> Result<js_sys::Array, JsValue> {
        let record = crate::values::optional_text(&record, "the record")?;
        let (inner, missing) = self.inner.session(&cookie.inner, record.as_deref());
        let missing = match missing {
            Some(store::Missing::Malformed) => "malformed",
            Some(store::Missing::NotStored) => "not-stored",
            None => "",
        };
        Ok(js_sys::Array::of2(&Session { inner }.into(), &missing.into()))
    }

    /// An empty session where the cookie's store could not be read (an outage): its token's
    /// times and cookie bookkeeping, no entries. Nothing is saved for it.
    pub fn unknown(&self, cookie: &StoreCookie) -> Session {
        let mut inner = cookie.inner.token.clone();
        let _ = inner.restore_entries("");
        Session { inner }
    }

    /// Decides what saving `session` writes (see the module's docs for the packed answer).
    pub fn save(&self, cookie: &mut StoreCookie, session: &Session, now_ms: Option<f64>) -> Result<String, JsValue> {
        let now = micros(now_ms)?;
        let homes = self.homes.as_ref().map(|(user_key, key)| (user_key.as_str(), key));
        let w = self.inner.save(&mut cookie.inner, &session.inner, homes, now).map_err(|e| match e {
            StoreSaveError::Save(e) => save_error(&e),
            StoreSaveError::RecordTooLarge { .. } => error("ERR_RECORD_TOO_LARGE", &e.message(Spelling::Js)),
            e => error("ERR_STORE", &e.message(Spelling::Js)),
        })?;
        let mut out = String::new();
        let hex = |r: &Option<store::StoreRef>| r.as_ref().map(store::StoreRef::kv_key).unwrap_or_default();
        let home = |r: &Option<store::StoreRef>| r.as_ref().and_then(|r| r.home.clone()).unwrap_or_default();
        let (kind, new, old, record, ttl, reissued, cookies) = match w {
            StoreWrite::Nothing => ("nothing", None, None, String::new(), String::new(), false, Vec::new()),
            StoreWrite::Remove { old, cookies } => ("remove", None, old, String::new(), String::new(), false, cookies),
            StoreWrite::Put { new, old, record, expiry, cookies, reissued } => {
                let ttl = expiry.map(|e| store::kv_ttl(e, now).to_string()).unwrap_or_default();
                ("put", Some(new), old, record, ttl, reissued, cookies)
            }
        };
        for field in
            [kind, &hex(&new), &home(&new), &hex(&old), &home(&old), &record, &ttl, if reissued { "1" } else { "0" }]
        {
            out.push_str(field);
            out.push('\0');
        }
        out.push_str(&cookies.len().to_string());
        out.push('\0');
        for line in cookies {
            out.push_str(&line);
            out.push('\0');
        }
        Ok(out)
    }
}

/// `planRequest` for a session the face loaded itself (from a store): packed as `planRequest`'s.
#[wasm_bindgen(js_name = planRequestFor, skip_typescript)]
pub fn plan_request_for(
    manager: &SessionManager,
    session: &Session,
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] target: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] headers: JsValue,
    now_ms: Option<f64>,
) -> Result<String, JsValue> {
    let (method, host, target) = (text(&method, "method")?, text(&host, "host")?, text(&target, "target")?);
    let packed = text(&headers, "headers")?;
    let headers = header_list(&packed)?;
    let plan =
        manager.inner.plan_request_for(Some(session.inner.clone()), &method, &host, &target, &headers, micros(now_ms)?);
    let mut out = String::new();
    pack_notices(&mut out, &plan.notices);
    pack_ops(&mut out, &plan.headers);
    Ok(out)
}

/// Merges the response's SessionHeader into `session`; the notice of a refused one, packed as
/// the plans' notices.
#[wasm_bindgen(js_name = mergeUpdate, skip_typescript)]
pub fn merge_update(
    manager: &SessionManager,
    session: &mut Session,
    #[wasm_bindgen(unchecked_param_type = "string")] headers: JsValue,
) -> Result<String, JsValue> {
    let packed = text(&headers, "headers")?;
    let headers = header_list(&packed)?;
    let refused: Vec<_> = manager.inner.merge_update(&mut session.inner, &headers).into_iter().collect();
    let mut out = String::new();
    pack_notices(&mut out, &refused);
    Ok(out)
}

/// The response's plan once a store saved `session` and these are the cookie lines to send
/// (NUL-separated, possibly none): packed as `planResponse`'s, its outcome "nothing".
#[wasm_bindgen(js_name = planResponseSaved, skip_typescript)]
pub fn plan_response_saved(
    manager: &SessionManager,
    session: &Session,
    #[wasm_bindgen(unchecked_param_type = "string")] headers: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] lines: JsValue,
) -> Result<String, JsValue> {
    let packed = text(&headers, "headers")?;
    let headers = header_list(&packed)?;
    let lines = text(&lines, "lines")?;
    let lines: Vec<String> = lines.split('\0').filter(|l| !l.is_empty()).map(str::to_owned).collect();
    let plan = manager.inner.plan_response_saved(Some(&session.inner), &headers, Ok(lines));
    Ok(crate::flow::response_plan(&plan))
}
