//! The fetch handler: the front proxy's flow executed on the platform's `Request` / `Response`
//! (workers-rs for the rest), with the I/O the core has none of (the origin, the store, the
//! revocation lookups) and the logs.
//!
//! The request is taken as the raw `web_sys::Request`: workers-rs's `Request` reads the `cf`
//! object and parses the URL when it is made, which measured 10 % of a proxied request's time in
//! workerd; only the admin endpoints, and the demo origin, build one.

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use edge_session::{
    FAILURE_CONTENT_TYPE, HeaderOp, LoadStatus, Notice, ORIGIN_FAILURE_BODY, ORIGIN_FAILURE_STATUS, ResponsePlan,
    Session, SetCookie, find_cookie, log_line,
};
use wasm_bindgen::{JsCast, JsValue};
use worker::{Context, Date, Env, Headers, Request, Response, Result, console_error, console_log, console_warn, event};

use crate::backend;
use crate::config::{Backend, Revocation, VARS, WorkerConfig};
use crate::events::{self, Counters, Event, KeyOp, Why};
use crate::records::{self, StoreRef};
use crate::revocation::{self, NotBeforeCache};
use crate::sessions::{Missing, StoreCookie, StoreSaveError, StoreSessions, StoreWrite};
use crate::{admin, config, demo};

/// Ours, not the origin's: never expected on any input (kept apart from the origin's 502).
const INTERNAL_ERROR: &str = "edge-session: internal error\n";
/// The body of the 500 when the configuration is invalid: the reason goes to the log only.
const CONFIG_ERROR: &str = "edge-session is not configured: see the Worker's log\n";

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
    // JavaScript's own rendering of the number (`String(n)`), as wrangler shows the value.
    if let Some(n) = v.dyn_ref::<js_sys::Number>() {
        return n.to_string_with_radix(10).ok().map(String::from);
    }
    v.as_bool().map(|b| b.to_string())
}

/// `url` as workerd's own `URL` (the WHATWG parser its `fetch` uses) reads it.
fn whatwg_url(url: &str) -> Option<config::ParsedOrigin> {
    let u = web_sys::Url::new(url).ok()?;
    Some(config::ParsedOrigin {
        scheme: u.protocol().trim_end_matches(':').to_owned(),
        host: u.hostname(),
        port: u.port(),
        credentials: !u.username().is_empty() || !u.password().is_empty(),
        query_or_fragment: !u.search().is_empty() || !u.hash().is_empty() || url.contains(['?', '#']),
    })
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
    let parsed = config::parse(
        |name| VARS.iter().position(|v| *v == name).and_then(|i| values.get(i).cloned().flatten()),
        whatwg_url,
    )
    .map_err(|e| e.to_string())?;
    if let Some(notice) = parsed.manager.startup_notice() {
        print(&notice);
    }
    let parsed = Rc::new(parsed);
    STATE.with(|s| *s.borrow_mut() = Some((fingerprint, parsed.clone())));
    Ok(parsed)
}

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, _ctx: Context) -> Result<web_sys::Response> {
    let config = match state(&env) {
        Ok(c) => c,
        Err(e) => {
            // The details are for the operator (the log), not for every client.
            console_error!("{}", log_line("config-error", &[("error", &e)]));
            return plain(CONFIG_ERROR, 500);
        }
    };
    match handle(&config, &env, req).await {
        Ok(resp) => Ok(resp),
        Err(Failure::Origin(e)) => {
            print(&Notice::OriginFailed(e.to_string()));
            plain(ORIGIN_FAILURE_BODY, ORIGIN_FAILURE_STATUS)
        }
        Err(Failure::Internal(e)) => {
            console_error!("{}", log_line("internal-error", &[("error", &e.to_string())]));
            plain(INTERNAL_ERROR, 500)
        }
    }
}

/// An answer of the face's own (not the origin's): plain text.
fn plain(body: &str, status: u16) -> Result<web_sys::Response> {
    let headers = Headers::new();
    headers.set("content-type", FAILURE_CONTENT_TYPE)?;
    Ok(Response::error(body, status)?.with_headers(headers).into())
}

/// Why a request could not be answered: the origin's fault (502) or ours (500).
enum Failure {
    Origin(worker::Error),
    Internal(worker::Error),
}

impl From<worker::Error> for Failure {
    fn from(e: worker::Error) -> Self {
        Self::Internal(e)
    }
}

impl From<JsValue> for Failure {
    fn from(e: JsValue) -> Self {
        Self::Internal(e.into())
    }
}

/// A mutable copy of a header list (those of requests and fetched responses are immutable).
fn copy(headers: &Headers) -> Result<Headers> {
    Ok(Headers(web_sys::Headers::new_with_headers(&headers.0)?))
}

/// Executes the core's header operations, in order.
fn execute(headers: &Headers, ops: &[HeaderOp]) -> Result<()> {
    for op in ops {
        match op {
            HeaderOp::Delete(n) => headers.delete(n)?,
            HeaderOp::Set(n, v) => headers.set(n, v)?,
            HeaderOp::Append(n, v) => headers.append(n, v)?,
            _ => {}
        }
    }
    Ok(())
}

/// Prints a notice of the core's flow with the console method of its level.
fn print(notice: &Notice) {
    let line = notice.to_json();
    match notice.level() {
        edge_session::Level::Info => console_log!("{line}"),
        edge_session::Level::Warn => console_warn!("{line}"),
        _ => console_error!("{line}"),
    }
}

/// The origin's response with other headers, its status, status text, body and (workerd) its
/// WebSocket kept.
fn respond(raw: web_sys::Response, headers: Headers) -> Result<web_sys::Response> {
    let init = web_sys::ResponseInit::new();
    init.set_status(raw.status());
    init.set_status_text(&raw.status_text());
    init.set_headers(&headers.0.into());
    let key = JsValue::from_str("webSocket");
    if let Ok(ws) = js_sys::Reflect::get(&raw, &key)
        && !ws.is_null()
        && !ws.is_undefined()
    {
        js_sys::Reflect::set(&init, &key, &ws)?;
    }
    Ok(web_sys::Response::new_with_opt_readable_stream_and_init(raw.body().as_ref(), &init)?)
}

impl RequestState<'_> {
    /// The log hash of the session's id (store) or of the cookie's value (cookie format; the
    /// header is searched only when a line needs it).
    fn token_hash(&self, config: &WorkerConfig) -> Option<String> {
        self.token_hash.clone().or_else(|| {
            let value = find_cookie(self.cookie_header?, &config.manager.options().cookie_name)?;
            config.hash_key.as_ref().map(|k| records::log_hash(k, value.as_bytes()))
        })
    }
}

/// What the request side learnt, for the response side.
#[derive(Default)]
struct RequestState<'a> {
    /// Server-side store: the cookie as read (token session and reference).
    loaded: Option<StoreCookie>,
    /// Server-side store: it could not be read (save nothing).
    store_down: bool,
    /// Server-side store: the log hash of the session's id.
    token_hash: Option<String>,
    /// Cookie format: the request's Cookie header, whose session cookie is hashed for a log line
    /// only when one is written.
    cookie_header: Option<&'a str>,
    /// Server-side store: the cookie named no stored session (logged as such when read).
    missing: bool,
    /// Durable Objects: the generation of the object the session was read from, which its
    /// write must still find there (a "log out everywhere" in between refuses the write).
    read_from: Option<backend::Generation>,
}

async fn handle(
    config: &WorkerConfig,
    env: &Env,
    req: web_sys::Request,
) -> core::result::Result<web_sys::Response, Failure> {
    let href = req.url();
    let (path, query) = config::split_url(&href);
    if config.admin_token.is_some() && path.starts_with(admin::PREFIX) {
        // Clone::clone: another handle on the same request (web_sys's own clone() would tee its body).
        if let Some(resp) = admin::route(config, env, &Request::from(Clone::clone(&req)), (path, query)).await? {
            return Ok(resp.into());
        }
    }
    let now = Date::now().as_millis().saturating_mul(1000);
    let client_headers = Headers(req.headers());
    let request_headers: Vec<(String, String)> = client_headers.entries().collect();
    let mut state = RequestState::default();
    let session = match config.manager.applies_to(path) {
        // The Cookie header from the list already copied in (each header crossing into
        // WebAssembly is copied character by character).
        true => {
            let cookie = request_headers.iter().find(|(n, _)| n == "cookie").map(|(_, v)| v.as_str());
            Some(load(config, env, cookie, now, &mut state).await)
        }
        false => None,
    };
    let method = req.method();
    let target = config::origin_target(config.origin.as_deref(), path, query);
    // The Host the origin receives: ORIGIN's; the demo origin is served under the request's own.
    let host = match &config.origin_authority {
        Some(authority) => authority.clone(),
        None => web_sys::Url::new(&href).map(|u| u.host()).unwrap_or_default(),
    };
    let plan = config.manager.plan_request_for(session, &method, &host, &target, &request_headers, now);
    for n in &plan.notices {
        note(n, state.token_hash(config).as_deref());
    }
    let headers = copy(&client_headers)?;
    execute(&headers, &plan.headers)?;
    let mut session = plan.session;
    let resp = forward(config, &req, &method, (path, query), headers).await.map_err(Failure::Origin)?;
    let origin_headers = Headers(resp.headers());
    let response_headers: Vec<(String, String)> = origin_headers.entries().collect();
    let plan = match (session.as_mut(), &config.store) {
        (None, _) => config.manager.plan_response(None, &response_headers, now),
        (Some(s), None) => cookie_response(config, s, &response_headers, &state, now),
        (Some(s), Some((backend, store))) => {
            store_response(config, env, (backend, store), s, &response_headers, &mut state, now).await
        }
    };
    plan.notices.iter().for_each(print);
    let out = copy(&origin_headers)?;
    execute(&out, &plan.headers)?;
    Ok(respond(resp, out)?)
}

/// The session of a request where sessions apply: from the cookie, or from the store the cookie
/// names; then checked against revocations.
async fn load<'a>(
    config: &WorkerConfig,
    env: &Env,
    cookie: Option<&'a str>,
    now: u64,
    state: &mut RequestState<'a>,
) -> Session {
    let mut session = match &config.store {
        None => {
            state.cookie_header = cookie;
            let session = config.manager.load(cookie, now);
            count_open(&session);
            session
        }
        Some((backend, store)) => {
            let loaded = store.load(cookie, now);
            count_open(&loaded.token);
            state.token_hash = loaded.sref.as_ref().and_then(|r| id_hash(config, r));
            let (session, missing) = match &loaded.sref {
                Some(r) => match backend::read(env, backend, r).await {
                    Ok(read) => {
                        state.read_from = read.generation;
                        store.session(&loaded, read.record.as_deref())
                    }
                    Err(e) => {
                        // The session cannot be known: the origin gets none, and nothing is
                        // saved or removed (an outage of the store logs nobody out).
                        console_error!("{}", log_line("store-error", &[("error", &e.to_string())]));
                        COUNTERS.with(|c| c.borrow_mut().count(Event::StoreError, 1));
                        state.store_down = true;
                        let mut unknown = loaded.token.clone();
                        let _ = unknown.restore_entries("");
                        (unknown, None)
                    }
                },
                None => store.session(&loaded, None),
            };
            state.missing = missing.is_some();
            if let Some(m) = missing {
                let why = match m {
                    Missing::Malformed => Why::Malformed,
                    Missing::NotStored => Why::NotStored,
                };
                emit(Event::Rejected(why), state.token_hash(config).as_deref(), None, None);
            }
            state.loaded = Some(loaded);
            session
        }
    };
    if let Some(rev) = &config.revocation {
        revoke(config, rev, env, &mut session, now).await;
    }
    session
}

/// Cookie format: the core plans the whole response; the writes are logged as session events.
fn cookie_response(
    config: &WorkerConfig,
    session: &mut Session,
    headers: &[(String, String)],
    state: &RequestState<'_>,
    now: u64,
) -> ResponsePlan {
    let before = session.status();
    let plan = config.manager.plan_response(Some(session), headers, now);
    let first = plan.headers.iter().find_map(|op| match op {
        HeaderOp::Append(n, v) if n == "set-cookie" => Some(v.as_str()),
        _ => None,
    });
    if let Some(line) = first {
        // Any cookie line that is not a removal is a write, in every format; only the sealed format
        // has a hash key to name the session in the log line.
        let written = SetCookie::parse(line).filter(|c| !c.is_removal());
        match (written, before) {
            (None, LoadStatus::Loaded) => emit(Event::Ended, None, state.token_hash(config).as_deref(), None),
            (None, _) => {}
            (Some(c), status) => {
                // The hashes are only worth computing for a line that is printed.
                let log = config.log_writes;
                let sid = config.hash_key.as_ref().filter(|_| log).map(|k| records::log_hash(k, c.value.as_bytes()));
                if status == LoadStatus::Loaded {
                    let prev = if log { state.token_hash(config) } else { None };
                    emit_write(config, Event::Rotated, sid.as_deref(), prev.as_deref());
                } else {
                    emit_write(config, Event::Created, sid.as_deref(), None);
                }
            }
        }
    }
    plan
}

/// Server-side store: merge the origin's update, save the token and the record (the record is
/// written before any cookie names it), then the core plans the headers.
async fn store_response(
    config: &WorkerConfig,
    env: &Env,
    (backend, store): (&Backend, &StoreSessions),
    session: &mut Session,
    headers: &[(String, String)],
    state: &mut RequestState<'_>,
    now: u64,
) -> ResponsePlan {
    let (Some(loaded), false) = (state.loaded.as_mut(), state.store_down) else {
        // The store could not be read: the origin's update cannot be merged, nothing is saved.
        return config.manager.plan_response_saved(Some(session), headers, Ok(Vec::new()));
    };
    let refused = config.manager.merge_update(session, headers);
    // A cookie that named no stored session was logged as rejected when it was read.
    let before = if state.missing { LoadStatus::New } else { session.status() };
    let issued_ms = session.issued().unwrap_or(now) / 1000;
    let homes = match backend {
        Backend::Durable { .. } => config.hash_key.as_ref().map(|k| (config.user_key.as_str(), k)),
        Backend::Kv { .. } => None,
    };
    // After a key rotation the user's older sessions live in objects named under older keys: the
    // concurrent-session limit counts them too.
    let elsewhere = match backend {
        Backend::Durable { max_sessions, .. } if *max_sessions > 0 => {
            session.get(&config.user_key).map(|u| config.user_homes(u).split_off(1)).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let saved = match store.save(loaded, session, homes, now) {
        Ok(w) => match backend::write(env, backend, &w, &elsewhere, state.read_from.as_ref(), issued_ms, now).await {
            Ok(written) if written.logged_out => {
                // Logged out everywhere while this request was in flight: nothing was written
                // back, and the cookie goes.
                emit(Event::Rejected(Why::NotStored), state.token_hash(config).as_deref(), None, None);
                Ok(config.manager.removal_cookies())
            }
            Ok(written) => {
                log_store_write(config, &w, &written, state.token_hash(config).as_deref(), before);
                Ok(match w {
                    StoreWrite::Put { cookies, .. } | StoreWrite::Remove { cookies, .. } => cookies,
                    StoreWrite::Nothing => Vec::new(),
                })
            }
            Err(e) => {
                // Never hand out a cookie whose record was not stored; keep the old one.
                console_error!("{}", log_line("store-error", &[("error", &e.to_string())]));
                COUNTERS.with(|c| c.borrow_mut().count(Event::StoreError, 1));
                Ok(Vec::new())
            }
        },
        Err(StoreSaveError::Save(e)) => Err(e),
        Err(e) => {
            console_error!("{}", log_line("not-saved", &[("error", &e.to_string())]));
            Ok(Vec::new())
        }
    };
    let mut plan = config.manager.plan_response_saved(Some(session), headers, saved);
    plan.notices.splice(0..0, refused);
    plan
}

thread_local! {
    /// Session event counts of this isolate (read at the admin metrics endpoint).
    pub(crate) static COUNTERS: RefCell<Counters> = RefCell::new(Counters::default());
}

/// Logs one session event (a JSON line; ids as keyed hashes only) and counts it.
pub(crate) fn emit(event: Event, sid: Option<&str>, prev: Option<&str>, n: Option<u64>) {
    COUNTERS.with(|c| c.borrow_mut().count(event, n.unwrap_or(1)));
    console_log!("{}", events::line(event, sid, prev, n, None));
}

/// Logs a write (created, renewed, rotated) with the id of the key that sealed it (unless
/// `SESSION_LOG_WRITES` is off), and counts the seal for that key; warns once when this isolate's
/// seals with one key near AES-GCM's bound.
fn emit_write(config: &WorkerConfig, event: Event, sid: Option<&str>, prev: Option<&str>) {
    let key = config.manager.sealing_key_id();
    COUNTERS.with(|c| c.borrow_mut().count(event, 1));
    if config.log_writes {
        console_log!("{}", events::line(event, sid, prev, None, key.as_deref()));
    }
    if let Some(id) = key
        && COUNTERS.with(|c| c.borrow_mut().count_key(&id, KeyOp::Seal))
    {
        let n = events::SEALS_WARN_PER_ISOLATE.to_string();
        console_warn!("{}", log_line("key-seal-budget", &[("key", &id), ("seals", &n), ("advice", SEAL_ADVICE)]));
    }
}

/// What the seal-budget warning advises.
const SEAL_ADVICE: &str = "rotate this key: AES-GCM with random nonces allows 2^32 seals per key across all isolates";

/// Counts an opened session for the key that opened it.
fn count_open(session: &Session) {
    if let Some(id) = session.key_id() {
        COUNTERS.with(|c| c.borrow_mut().count_key(&id, KeyOp::Open));
    }
}

/// A notice of the request side (a refused or expired cookie): logged and counted as a session
/// event, with the hash of the cookie it came from.
fn note(notice: &Notice, sid: Option<&str>) {
    match notice {
        Notice::Rejected(why) => emit(Event::Rejected(Why::Cookie(*why)), sid, None, None),
        Notice::Expired => emit(Event::Expired, sid, None, None),
        other => print(other),
    }
}

/// The log hash of a stored session's id.
fn id_hash(config: &WorkerConfig, r: &StoreRef) -> Option<String> {
    config.hash_key.as_ref().map(|k| records::log_hash(k, r.id.as_bytes()))
}

/// `prev`: the log hash of the id the request's cookie named.
fn log_store_write(
    config: &WorkerConfig,
    w: &StoreWrite,
    written: &backend::Written,
    prev: Option<&str>,
    before: LoadStatus,
) {
    // `prev` names the replaced record only when there was one (not a refused cookie's value).
    let prev =
        prev.filter(|_| matches!(w, StoreWrite::Put { old: Some(_), .. } | StoreWrite::Remove { old: Some(_), .. }));
    match w {
        StoreWrite::Nothing => {}
        // A rejected or expired cookie was logged as such when it was read.
        StoreWrite::Remove { .. } if before == LoadStatus::Loaded => emit(Event::Ended, None, prev, None),
        StoreWrite::Remove { .. } => {}
        StoreWrite::Put { new, reissued, .. } => {
            let sid = id_hash(config, new);
            match (prev, reissued) {
                (None, _) => emit_write(config, Event::Created, sid.as_deref(), None),
                (Some(p), true) => emit_write(config, Event::Rotated, sid.as_deref(), Some(p)),
                (Some(_), false) => emit_write(config, Event::Renewed, sid.as_deref(), None),
            }
        }
    }
    for id in &written.evicted {
        let h = records::SessionId::parse(id)
            .and_then(|i| config.hash_key.as_ref().map(|k| records::log_hash(k, i.as_bytes())));
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
                console_error!("{}", log_line("revocation-error", &[("error", &e)]));
                return;
            }
        }
    }
    let not_before = cached.iter().flatten().flatten().chain(values.iter().filter_map(|(_, v)| v.as_ref())).max();
    if let Some(&nb) = not_before {
        // The plan's notices then say `rejected` / `revoked`.
        config.manager.revoke_if_issued_before(session, nb);
    }
}

/// One KV read for several keys (KV's bulk `get([...])`): each key with its not-before time.
async fn kv_get_many(
    env: &Env,
    binding: &str,
    keys: &[&String],
) -> core::result::Result<Vec<(String, Option<u64>)>, String> {
    let kv = env.kv(binding).map_err(|e| e.to_string())?;
    let names: Vec<String> = keys.iter().map(|k| (*k).clone()).collect();
    let found = kv.get_bulk(&names).text().await.map_err(|e| e.to_string())?;
    Ok(names
        .into_iter()
        .map(|k| {
            let v = found.get(&k).cloned().flatten();
            (k, v.as_deref().and_then(revocation::parse_not_before))
        })
        .collect())
}

/// Sends the request on to the origin (the platform's own `fetch`, so that the response keeps
/// everything it came with, status text included), or to the embedded demo origin.
async fn forward(
    config: &WorkerConfig,
    req: &web_sys::Request,
    method: &str,
    (path, query): (&str, Option<&str>),
    headers: Headers,
) -> Result<web_sys::Response> {
    let Some(origin) = &config.origin else {
        return Ok(demo::handle(config.manager.options(), (path, query), &headers)?.into());
    };
    let mut target = format!("{origin}{path}");
    if let Some(q) = query {
        target.push('?');
        target.push_str(q);
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers.0);
    init.set_redirect(web_sys::RequestRedirect::Manual);
    if !matches!(method, "GET" | "HEAD")
        && let Some(body) = req.body()
    {
        init.set_body(&body);
    }
    let upstream = web_sys::Request::new_with_str_and_init(&target, &init)?;
    let global = js_sys::global();
    let fetch: js_sys::Function = js_sys::Reflect::get(&global, &JsValue::from_str("fetch"))?.dyn_into()?;
    let promise: js_sys::Promise = fetch.call1(&global, &upstream)?.dyn_into()?;
    Ok(wasm_bindgen_futures::JsFuture::from(promise).await?.dyn_into()?)
}
