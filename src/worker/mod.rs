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

mod config;
mod demo;

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use wasm_bindgen::JsValue;
use worker::{
    console_error, console_log, console_warn, event, Context, Date, Env, Fetch, Headers, Request, RequestInit,
    RequestRedirect, Response, Result,
};

use crate::revocation::{self, NotBeforeCache};
use crate::{LoadStatus, Session};
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
    let options = config.manager.options();
    let now = Date::now().as_millis().saturating_mul(1000);
    // The decisions are the core's (shared with the JavaScript `handle`); this is plumbing.
    let plan = config.manager.plan_request(url.path(), req.headers().get("cookie")?.as_deref(), now);
    let headers = copy(req.headers())?;
    headers.delete(&options.env_header)?;
    let Some(mut session) = plan.session else {
        return forward(config, &req, headers).await.map_err(Failure::Origin);
    };
    log_load(&session);
    if let Some(rev) = &config.revocation {
        revoke(config, rev, env, &mut session, now).await;
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
    let plan = config.manager.plan_response(
        &mut session,
        update.as_deref(),
        out.get("cache-control")?.as_deref(),
        out.get("vary")?.as_deref(),
        now,
    );
    if let Some(e) = &plan.update_error {
        console_warn!("edge-session: origin's {} ignored: {e}", options.header);
    }
    if let Some(e) = &plan.save_error {
        console_error!("edge-session: session not saved: {e}");
    }
    for c in &plan.set_cookies {
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

thread_local! {
    /// Not-before times read from KV, per isolate.
    static NOT_BEFORE: RefCell<Option<NotBeforeCache>> = const { RefCell::new(None) };
}

/// Ends `session` if its user, or everyone, was logged out after it was issued. At most one KV
/// read (a bulk get of what the isolate's cache does not hold fresh). If KV cannot be read, the
/// session is kept (and the failure logged): an outage of KV does not log everyone out.
async fn revoke(config: &WorkerConfig, rev: &Revocation, env: &Env, session: &mut Session, now: u64) {
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
            console_log!("edge-session: session rejected (revoked)");
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

/// Logs why a cookie gave no session: the reason only, never the cookie or its contents.
fn log_load(session: &Session) {
    match session.status() {
        LoadStatus::Rejected(why) => {
            console_log!("edge-session: session cookie rejected ({})", why.as_str())
        }
        LoadStatus::Expired => console_log!("edge-session: session expired"),
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
