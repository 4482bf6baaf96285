//! A proxied request: the session loaded (from the cookie, or from the store it names, then
//! checked against revocations), the core's request plan executed, the origin fetched, and the
//! core's response plan executed, the store written and the session events logged by what the
//! save did.

use edge_session::proxy::{ResponsePlan, Saved, Written, log_line};
use edge_session::wire::find_cookie;
use edge_session::{LoadStatus, Session};
use wasm_bindgen::JsValue;
use worker::{Date, Env, Headers, console_error};

use crate::config::{self, Backend, WorkerConfig};
use crate::events::{Event, Why};
use crate::http::{copy, execute, forward, respond};
use crate::telemetry::{COUNTERS, count_open, emit, emit_write, id_hash, log_store_write, note, print};
use crate::{revoke, store};
use edge_session::option_table::Spelling;
use edge_session::store as records;
use edge_session::store::{Missing, StoreCookie, StoreSaveError, StoreSessions, StoreWrite};

/// Why a request could not be answered: the origin's fault (502) or ours (500).
pub(crate) enum Failure {
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
    read_from: Option<store::Generation>,
}

pub(crate) async fn handle(
    config: &WorkerConfig,
    env: &Env,
    req: web_sys::Request,
) -> core::result::Result<web_sys::Response, Failure> {
    let href = req.url();
    let (path, query) = config::split_url(&href);
    let now = Date::now().as_millis().saturating_mul(1000);
    let client_headers = Headers(req.headers());
    let request_headers: Vec<(String, String)> = client_headers.entries().collect();
    let mut state = RequestState::default();
    let session = match config.manager.loads_session_at(path) {
        // The Cookie header from the list already copied in (each header crossing into
        // WebAssembly is copied character by character).
        true => {
            let cookie = request_headers.iter().find(|(n, _)| n == "cookie").map(|(_, v)| v.as_str());
            Some(load(config, env, cookie, now, &mut state).await)
        }
        false => None,
    };
    // Soft binding (SESSION_CLIENT_BINDING): the network the request came from, as Cloudflare
    // says (`request.cf`: ASN and country), which the client cannot set.
    let mut session = session;
    if config.manager.options().client_binding != edge_session::device_bound::ClientBinding::Off
        && let Some(s) = session.as_mut()
    {
        s.set_client_network(&client_network(&req));
    }
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
    if let Some(a) = &plan.answer {
        return Ok(crate::http::answer(a)?);
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

/// `request.cf`'s ASN and country (`AS13335/FR`), empty where workerd gives none (local runs).
fn client_network(req: &web_sys::Request) -> String {
    let cf = js_sys::Reflect::get(req, &"cf".into()).unwrap_or_default();
    let field = |name: &str| {
        let v = js_sys::Reflect::get(&cf, &name.into()).unwrap_or_default();
        v.as_string().or_else(|| v.as_f64().map(|n| (n as u64).to_string())).unwrap_or_default()
    };
    if cf.is_object() { format!("AS{}/{}", field("asn"), field("country")) } else { String::new() }
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
                Some(r) => match store::read(env, backend, r).await {
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
        revoke::revoke(config, rev, env, &mut session, now).await;
    }
    session
}

/// Cookie format: the core plans the whole response, and says what its save did
/// ([`Saved`]), which is logged and counted as a session event. Every write is a new token: a
/// rewrite of the request's session is `rotated`, its `prev` the hash of the cookie it replaces.
fn cookie_response(
    config: &WorkerConfig,
    session: &mut Session,
    headers: &[(String, String)],
    state: &RequestState<'_>,
    now: u64,
) -> ResponsePlan {
    let plan = config.manager.plan_response(Some(session), headers, now);
    // The hashes are only worth computing for a line that is printed (the sealed format only has
    // a key to hash with).
    let log = |event| config.log_writes.logs(event);
    let sid = |w: &Written, event| {
        config.hash_key.as_ref().filter(|_| log(event)).map(|k| records::log_hash(k, w.value.as_bytes()))
    };
    match &plan.saved {
        Saved::Created(w) => emit_write(config, Event::Created, sid(w, Event::Created).as_deref(), None),
        Saved::Renewed(w) | Saved::Rotated(w) => {
            let prev = if log(Event::Rotated) { state.token_hash(config) } else { None };
            emit_write(config, Event::Rotated, sid(w, Event::Rotated).as_deref(), prev.as_deref());
        }
        Saved::Ended => emit(Event::Ended, None, state.token_hash(config).as_deref(), None),
        // A rejected or expired cookie's removal: logged as such when it was read.
        _ => {}
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
        Ok(w) => match store::write(env, backend, &w, &elsewhere, state.read_from.as_ref(), issued_ms, now).await {
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
            console_error!("{}", log_line("not-saved", &[("error", &e.message(Spelling::Env))]));
            Ok(Vec::new())
        }
    };
    let mut plan = config.manager.plan_response_saved(Some(session), headers, saved);
    plan.notices.splice(0..0, refused);
    plan
}
