//! The Cloudflare Worker (feature `worker`): a session front proxy before an origin, doing for any
//! origin what Apache's mod_session does for its own content.
//!
//! Per request: match SessionInclude / SessionExclude; load the session from the cookie; send the
//! plain session to the origin in `SESSION_ENV_HEADER` (a client-sent copy is always removed
//! first: CVE-2018-1283); optionally strip the session cookie; forward to `ORIGIN` (or the
//! embedded demo origin); merge the origin's SessionHeader and remove it from the response; save
//! and append `Set-Cookie`; mark the response private and `Vary: Cookie`.
//!
//! Bad client input never becomes a 5xx: a bad cookie is an empty session. An unreachable origin
//! is a 502. A missing or weak key answers every request with a 500 that says so (and logs it).

mod admin;
mod config;
mod demo;
mod store;

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use wasm_bindgen::JsValue;
use worker::{
    console_error, console_log, console_warn, event, Context, Date, Env, Fetch, Headers, Request, RequestInit,
    RequestRedirect, Response, Result,
};

use crate::events::{self, Counters, Event};
use crate::manager::StoreWrite;
use crate::revocation::{self, NotBeforeCache};
use crate::store::StoreRef;
use crate::{LoadStatus, Rejection, Session};
use config::{Revocation, WorkerConfig, VARS};
use wasm_bindgen::JsCast;

thread_local! {
    /// The configuration of this isolate, with a fingerprint of the variables it was built from.
    static STATE: RefCell<Option<(u64, Rc<WorkerConfig>)>> = const { RefCell::new(None) };
}

/// A variable from the environment: string, number or boolean `[vars]`, or a secret.
fn env_value(env: &Env, name: &str) -> Option<String> {
    let v = js_sys::Reflect::get(env, &JsValue::from_str(name)).ok()?;
    if let Some(s) = v.as_string() {
        return Some(s);
    }
    if let Some(n) = v.as_f64() {
        return Some(format!("{n}"));
    }
    v.as_bool().map(|b| b.to_string())
}

/// The configuration, built once per isolate (key schedules and stretching happen here).
fn state(env: &Env) -> std::result::Result<Rc<WorkerConfig>, String> {
    let values: Vec<Option<String>> = VARS.iter().map(|name| env_value(env, name)).collect();
    let mut h = DefaultHasher::new();
    values.hash(&mut h);
    let fingerprint = h.finish();
    if let Some(cached) = STATE.with(|s| s.borrow().as_ref().filter(|(f, _)| *f == fingerprint).map(|(_, c)| c.clone()))
    {
        return Ok(cached);
    }
    let parsed =
        config::parse(|name| VARS.iter().position(|v| *v == name).and_then(|i| values.get(i).cloned().flatten()))
            .map_err(|e| e.to_string())?;
    let parsed = Rc::new(parsed);
    STATE.with(|s| *s.borrow_mut() = Some((fingerprint, parsed.clone())));
    Ok(parsed)
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let config = match state(&env) {
        Ok(c) => c,
        Err(e) => {
            console_error!("edge-session: configuration error: {e}");
            return Response::error(format!("edge-session is not configured: {e}\n"), 500);
        }
    };
    match handle(&config, &env, req).await {
        Ok(resp) => Ok(resp),
        Err(Failure::Origin(e)) => {
            console_error!("edge-session: origin failure: {e}");
            Response::error("Bad Gateway: the origin could not be reached\n", 502)
        }
        Err(Failure::Internal(e)) => {
            // Not expected on any input (the tests send the worst they can); kept apart from
            // the origin's failures so that it is never reported as one.
            console_error!("edge-session: internal error: {e}");
            Response::error("edge-session: internal error\n", 500)
        }
    }
}

/// Why a request could not be answered: the origin's fault (502) or ours.
enum Failure {
    Origin(worker::Error),
    Internal(worker::Error),
}

impl From<worker::Error> for Failure {
    fn from(e: worker::Error) -> Self {
        Self::Internal(e)
    }
}

impl From<wasm_bindgen::JsValue> for Failure {
    fn from(e: wasm_bindgen::JsValue) -> Self {
        Self::Internal(e.into())
    }
}

/// A mutable copy of a header list (those of requests and fetched responses are immutable).
fn copy(headers: &Headers) -> Result<Headers> {
    Ok(Headers(web_sys::Headers::new_with_headers(&headers.0)?))
}

async fn handle(config: &WorkerConfig, env: &Env, req: Request) -> core::result::Result<Response, Failure> {
    let url = req.url()?;
    if let Some(resp) = admin::route(config, env, &req, &url).await? {
        return Ok(resp);
    }
    let options = config.manager.options();
    let now = Date::now().as_millis().saturating_mul(1000);
    let cookie_header = req.headers().get("cookie")?;
    // The decisions are the core's (shared with the JavaScript `handle`); this is plumbing.
    let mut loaded = Loaded::default();
    let plan = match &config.store {
        None => config.manager.plan_request(url.path(), cookie_header.as_deref(), now),
        Some(backend) if config.manager.applies_to(url.path()) => {
            let (mut session, sref) = config.manager.load_store_ref(cookie_header.as_deref(), now);
            if let Some(r) = &sref {
                match store::read(env, backend, r).await {
                    Ok(record) => config.manager.attach_record(&mut session, record.as_deref()),
                    Err(e) => {
                        // The session cannot be known: the origin gets none, and nothing is
                        // saved or removed (an outage of the store logs nobody out).
                        console_error!("edge-session: session store read failed: {e}");
                        emit(Event::StoreError, None, None, None);
                        loaded.store_down = true;
                    }
                }
            }
            loaded.sref = sref;
            config.manager.plan_loaded(session, cookie_header.as_deref())
        }
        Some(_) => config.manager.plan_request(url.path(), None, now),
    };
    let headers = copy(req.headers())?;
    headers.delete(&options.env_header)?;
    let Some(mut session) = plan.session else {
        return forward(config, &req, headers).await.map_err(Failure::Origin);
    };
    loaded.token_hash = token_hash(config, cookie_header.as_deref(), loaded.sref.as_ref());
    log_load(&session, loaded.token_hash.as_deref());
    if let Some(rev) = &config.revocation {
        revoke(config, rev, env, &mut session, now, loaded.token_hash.as_deref()).await;
    }
    if plan.env_value.is_some() {
        headers.set(&options.env_header, &session.to_string())?;
    }
    match &plan.cookie {
        Some(Some(rest)) => headers.set("cookie", rest)?,
        Some(None) => headers.delete("cookie")?,
        None => {}
    }

    let resp = forward(config, &req, headers).await.map_err(Failure::Origin)?;
    let out = copy(resp.headers())?;
    let update = out.get(&options.header)?;
    out.delete(&options.header)?;
    let status_before = session.status();
    let issued_ms = session.issued().unwrap_or(now) / 1000;
    let mut store_write = None;
    let (cache_control, vary) = (out.get("cache-control")?, out.get("vary")?);
    let (cache_control, vary) = (cache_control.as_deref(), vary.as_deref());
    let plan = match &config.store {
        // The store could not be read: the origin's update cannot be merged, nothing is saved.
        Some(_) if loaded.store_down => {
            config.manager.plan_response_with(&mut session, None, cache_control, vary, |_| Ok(Vec::new()))
        }
        Some(_) => config.manager.plan_response_with(&mut session, update.as_deref(), cache_control, vary, |s| {
            let w = config.manager.save_store(s, loaded.sref.as_ref(), durable_homes(config), now)?;
            let cookies = match &w {
                StoreWrite::Put { cookies, .. } | StoreWrite::Remove { cookies, .. } => cookies.clone(),
                StoreWrite::Nothing => Vec::new(),
            };
            store_write = Some(w);
            Ok(cookies)
        }),
        None => config.manager.plan_response(&mut session, update.as_deref(), cache_control, vary, now),
    };
    if let Some(e) = &plan.update_error {
        console_warn!("edge-session: origin's {} ignored: {e}", options.header);
    }
    if let Some(e) = &plan.save_error {
        console_error!("edge-session: session not saved: {e}");
    }
    let mut set_cookies = plan.set_cookies;
    if let (Some(backend), Some(w)) = (&config.store, &store_write) {
        match store::write(env, backend, w, issued_ms, now).await {
            Ok(written) => log_store_write(config, w, &written, loaded.token_hash.as_deref(), status_before),
            Err(e) => {
                // Never hand out a cookie whose record was not stored; keep the old one.
                console_error!("edge-session: session store write failed, session not saved: {e}");
                emit(Event::StoreError, None, None, None);
                set_cookies.clear();
            }
        }
    } else if config.store.is_none() && !set_cookies.is_empty() {
        log_cookie_write(config, status_before, &set_cookies, loaded.token_hash.as_deref());
    }
    for c in &set_cookies {
        out.append("set-cookie", c)?;
    }
    if let Some(c) = plan.cache_control {
        out.set("cache-control", c)?;
    }
    if let Some(v) = &plan.vary {
        out.set("vary", v)?;
    }
    Ok(Response::builder().with_status(resp.status_code()).with_headers(out).body(resp.body().clone()))
}

/// What the request side learnt, for the response side.
#[derive(Default)]
struct Loaded {
    /// Server-side store: the record the cookie named.
    sref: Option<StoreRef>,
    /// Server-side store: it could not be read (save nothing).
    store_down: bool,
    /// The log hash of the session's id (store) or cookie value (cookie format).
    token_hash: Option<String>,
}

/// The session key that places sessions in Durable Objects (per user), or `None` for KV.
fn durable_homes(config: &WorkerConfig) -> Option<&str> {
    matches!(config.store, Some(store::Backend::Durable { .. })).then_some(config.user_key.as_str())
}

thread_local! {
    /// Session event counts of this isolate (read at the admin metrics endpoint).
    static COUNTERS: RefCell<Counters> = RefCell::new(Counters::default());
}

/// Logs one session event (a JSON line; ids as keyed hashes only) and counts it.
fn emit(event: Event, sid: Option<&str>, prev: Option<&str>, n: Option<u64>) {
    COUNTERS.with(|c| c.borrow_mut().count(event, n.unwrap_or(1)));
    console_log!("{}", events::line(event, sid, prev, n));
}

/// The keyed hash that names the session in logs: of its id (store), else of its cookie value.
fn token_hash(config: &WorkerConfig, cookie_header: Option<&str>, sref: Option<&StoreRef>) -> Option<String> {
    let key = config.manager.seal_key()?;
    if let Some(r) = sref {
        return Some(crate::store::log_hash(key, r.id.as_bytes()));
    }
    match crate::cookie::find(cookie_header?, &config.manager.options().cookie_name) {
        crate::cookie::Found::Value(v) => Some(crate::store::log_hash(key, v.as_bytes())),
        _ => None,
    }
}

/// The hash of the cookie value in a `Set-Cookie` line.
fn set_cookie_hash(config: &WorkerConfig, line: &str) -> Option<String> {
    let key = config.manager.seal_key()?;
    let value = line.split(';').next()?.split_once('=')?.1;
    (!value.is_empty()).then(|| crate::store::log_hash(key, value.as_bytes()))
}

fn log_cookie_write(config: &WorkerConfig, before: LoadStatus, set_cookies: &[String], prev: Option<&str>) {
    let first = set_cookies.first().map(String::as_str).unwrap_or_default();
    let sid = set_cookie_hash(config, first);
    match (sid, before) {
        (None, LoadStatus::Loaded) => emit(Event::Ended, None, prev, None),
        (None, _) => {}
        (Some(h), LoadStatus::Loaded) => emit(Event::Rotated, Some(&h), prev, None),
        (Some(h), _) => emit(Event::Created, Some(&h), None, None),
    }
}

/// `prev`: the log hash of the id the request's cookie named (`token_hash`).
fn log_store_write(
    config: &WorkerConfig,
    w: &StoreWrite,
    written: &store::Written,
    prev: Option<&str>,
    before: LoadStatus,
) {
    let Some(key) = config.manager.seal_key() else { return };
    let hash = |r: &StoreRef| crate::store::log_hash(key, r.id.as_bytes());
    // `prev` names the replaced record only when there was one (not a refused cookie's value).
    let prev =
        prev.filter(|_| matches!(w, StoreWrite::Put { old: Some(_), .. } | StoreWrite::Remove { old: Some(_), .. }));
    match w {
        StoreWrite::Nothing => {}
        // A rejected or expired cookie was logged as such when it was read.
        StoreWrite::Remove { .. } if before == LoadStatus::Loaded => emit(Event::Ended, None, prev, None),
        StoreWrite::Remove { .. } => {}
        StoreWrite::Put { new, reissued, .. } => {
            let sid = hash(new);
            match (prev, reissued) {
                (None, _) => emit(Event::Created, Some(&sid), None, None),
                (Some(p), true) => emit(Event::Rotated, Some(&sid), Some(p), None),
                (Some(_), false) => emit(Event::Renewed, Some(&sid), None, None),
            }
        }
    }
    for id in &written.evicted {
        let h = crate::store::SessionId::parse(id).map(|i| crate::store::log_hash(key, i.as_bytes()));
        emit(Event::Evicted, h.as_deref(), None, None);
    }
}

thread_local! {
    /// Not-before times read from KV, per isolate.
    static NOT_BEFORE: RefCell<Option<NotBeforeCache>> = const { RefCell::new(None) };
}

/// Ends `session` if its user, or everyone, was logged out after it was issued. At most one KV
/// read (a bulk get of what the isolate's cache does not hold fresh). If KV cannot be read, the
/// session is kept (and the failure logged): an outage of KV does not log everyone out.
async fn revoke(
    config: &WorkerConfig,
    rev: &Revocation,
    env: &Env,
    session: &mut Session,
    now: u64,
    sid: Option<&str>,
) {
    if session.status() != LoadStatus::Loaded {
        return;
    }
    let mut keys = vec![revocation::GLOBAL_KEY.to_owned()];
    keys.extend(session.get(&rev.user_key).and_then(revocation::user_key));
    let ttl = rev.cache_seconds.saturating_mul(1_000_000);
    let cached: Vec<Option<Option<u64>>> = NOT_BEFORE.with(|c| {
        let mut c = c.borrow_mut();
        let cache = c.get_or_insert_with(|| NotBeforeCache::new(ttl));
        keys.iter().map(|k| cache.get(k, now)).collect()
    });
    let missing: Vec<&String> = keys.iter().zip(&cached).filter(|(_, c)| c.is_none()).map(|(k, _)| k).collect();
    let mut values: Vec<(String, Option<u64>)> = Vec::new();
    if !missing.is_empty() {
        match kv_get_many(env, &rev.binding, &missing).await {
            Ok(fetched) => {
                NOT_BEFORE.with(|c| {
                    let mut c = c.borrow_mut();
                    let cache = c.get_or_insert_with(|| NotBeforeCache::new(ttl));
                    for (k, v) in &fetched {
                        cache.put(k.clone(), *v, now);
                    }
                });
                values = fetched;
            }
            Err(e) => {
                console_error!("edge-session: revocation lookup failed, session kept: {e}");
                return;
            }
        }
    }
    let not_before = cached.iter().flatten().flatten().chain(values.iter().filter_map(|(_, v)| v.as_ref())).max();
    if let Some(&nb) = not_before {
        if config.manager.revoke_if_issued_before(session, nb) {
            emit(Event::Rejected(Rejection::Revoked), sid, None, None);
        }
    }
}

/// One KV read for several keys (`get([...], "text")`): each key with its not-before time.
async fn kv_get_many(
    env: &Env,
    binding: &str,
    keys: &[&String],
) -> core::result::Result<Vec<(String, Option<u64>)>, String> {
    let kv = js_sys::Reflect::get(env, &JsValue::from_str(binding)).map_err(|_| format!("no binding {binding}"))?;
    let get = js_sys::Reflect::get(&kv, &JsValue::from_str("get"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| format!("{binding} is not a KV namespace"))?;
    let list: js_sys::Array = keys.iter().map(|k| JsValue::from_str(k)).collect();
    let promise = get.call2(&kv, &list, &JsValue::from_str("text")).map_err(|e| format!("{e:?}"))?;
    let promise: js_sys::Promise = promise.dyn_into().map_err(|_| "KV get did not return a promise".to_owned())?;
    let map = wasm_bindgen_futures::JsFuture::from(promise).await.map_err(|e| format!("{e:?}"))?;
    let map: js_sys::Map = map.dyn_into().map_err(|_| "KV get did not return a Map".to_owned())?;
    Ok(keys
        .iter()
        .map(|k| {
            let v = map.get(&JsValue::from_str(k)).as_string();
            ((*k).clone(), v.as_deref().and_then(revocation::parse_not_before))
        })
        .collect())
}

/// Logs why a cookie gave no session: the reason and the hash only, never the cookie or its contents.
fn log_load(session: &Session, sid: Option<&str>) {
    match session.status() {
        LoadStatus::Rejected(why) => emit(Event::Rejected(why), sid, None, None),
        LoadStatus::Expired => emit(Event::Expired, sid, None, None),
        _ => {}
    }
}

/// Sends the request on to the origin, or to the embedded demo origin.
async fn forward(config: &WorkerConfig, req: &Request, headers: Headers) -> Result<Response> {
    let url = req.url()?;
    let Some(origin) = &config.origin else {
        return demo::handle(&url, &headers);
    };
    let mut target = format!("{origin}{}", url.path());
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    let mut init = RequestInit::new();
    init.with_method(req.method()).with_headers(headers).with_redirect(RequestRedirect::Manual);
    if !matches!(req.method(), worker::Method::Get | worker::Method::Head) {
        init.with_body(req.inner().body().map(JsValue::from));
    }
    Fetch::Request(Request::new_with_init(&target, &init)?).send().await
}
