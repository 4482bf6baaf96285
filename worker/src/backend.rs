//! The server-side store's I/O: Workers KV, or the `SessionStore` Durable Object (one object
//! per signed-in user, one per anonymous session; layout in `records.rs`).
//!
//! The Worker talks to the object over `fetch` with this internal protocol (never reachable
//! from the Internet: only a binding can address a Durable Object):
//!
//! ```text
//! GET    /get?id=<sid>                        -> 200 record | 404; x-generation: <n> either way
//! PUT    /put?id=<sid>&old=<sid>&created=<ms>&expires=<ms>&limit=<n>[&gen=<n>]   body: record
//!        [x-elsewhere: <sid>:<created ms>,…]  the user's live sessions held by other objects
//!                                             (named under older keys), counted by the limit
//!                                             -> 200, x-evicted: <sids evicted, comma-separated>
//!                                             -> 409 when `gen` is not the object's generation
//! GET    /list                                -> 200, body: `<sid> <created ms>` per live session
//! DELETE /delete?id=<sid>[&gen=<n>]           -> 200 | 409 when `gen` is not the generation
//! POST   /clear                               -> 200, body: how many sessions ended
//! GET    /stats                               -> 200, body: `<stored> <live> <alarm ms or 0>`
//! ```
//!
//! **Generations: a logout that holds.** An object's generation (storage key [`GENERATION_KEY`],
//! 0 when absent) goes up with every `/clear` ("log out everywhere") and is kept when the object
//! empties. A read answers with it; a write of a session that was read from this object carries
//! the generation it was read under (`gen`), and is refused (409) if the object was cleared since:
//! a request held open across a logout (an attacker's, on purpose) cannot write the session back.
//! A session created in the meantime (a login after the logout) reads nothing and carries no
//! `gen`. So an object that was ever cleared keeps one small key (its generation) for good.

use std::collections::HashMap;

use edge_session::form_value;
use worker::{Date, Env, Method, Request, RequestInit, Response, Result, State, durable_object};

use crate::config::Backend;
use crate::records::{self, DO_PREFIX, Held, StoreRef};
use crate::sessions::StoreWrite;

/// What a write did, for the logs and counters.
#[derive(Debug, Default)]
pub(crate) struct Written {
    /// Sessions evicted by the concurrent-session limit (their ids).
    pub(crate) evicted: Vec<String>,
    /// The session was ended ("log out everywhere") after this request read it: nothing was
    /// written, and the cookie must go.
    pub(crate) logged_out: bool,
}

/// What a read found: the record, and (Durable Objects) the generation of the object it was read
/// from, which a write of the same session must carry.
#[derive(Debug, Default)]
pub(crate) struct Read {
    pub(crate) record: Option<String>,
    pub(crate) generation: Option<Generation>,
}

/// The generation of an object a session was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Generation {
    /// The object's name.
    pub(crate) home: String,
    pub(crate) n: u64,
}

/// The storage key of an object's generation (not a session: sessions are under [`DO_PREFIX`]).
pub(crate) const GENERATION_KEY: &str = "generation";
/// The header a read answers with the generation in.
const GENERATION_HEADER: &str = "x-generation";

const BASE: &str = "https://session-store.internal";

fn stub(env: &Env, binding: &str, home: &str) -> Result<worker::Stub> {
    env.durable_object(binding)?.get_by_name(home)
}

/// One request to the object `home`; `header`: an extra request header (name, value), if any.
async fn call(
    env: &Env,
    binding: &str,
    home: &str,
    method: Method,
    path: &str,
    body: Option<&str>,
    header: Option<(&str, &str)>,
) -> Result<Response> {
    let mut init = RequestInit::new();
    init.with_method(method);
    if let Some(b) = body {
        init.with_body(Some(wasm_bindgen::JsValue::from_str(b)));
    }
    if let Some((name, value)) = header {
        let headers = worker::Headers::new();
        headers.set(name, value)?;
        init.with_headers(headers);
    }
    let req = Request::new_with_init(&format!("{BASE}{path}"), &init)?;
    let resp = stub(env, binding, home)?.fetch_with_request(req).await?;
    if resp.status_code() >= 500 {
        return Err(worker::Error::RustError(format!("session store answered {}", resp.status_code())));
    }
    Ok(resp)
}

/// The record the cookie names, if the store holds one.
pub(crate) async fn read(env: &Env, backend: &Backend, r: &StoreRef) -> Result<Read> {
    match backend {
        Backend::Kv { binding } => {
            Ok(Read { record: env.kv(binding)?.get(&r.kv_key()).text().await?, generation: None })
        }
        Backend::Durable { binding, .. } => {
            let Some(home) = &r.home else { return Ok(Read::default()) };
            let mut resp =
                call(env, binding, home, Method::Get, &format!("/get?id={}", r.id.hex()), None, None).await?;
            let n = resp.headers().get(GENERATION_HEADER)?.and_then(|g| g.parse().ok()).unwrap_or(0);
            let generation = Some(Generation { home: home.clone(), n });
            let record = if resp.status_code() == 200 { Some(resp.text().await?) } else { None };
            Ok(Read { record, generation })
        }
    }
}

/// `&gen=<n>` when the session was read from `home` (its generation must still hold there).
fn generation_param(read_from: Option<&Generation>, home: &str) -> String {
    read_from.filter(|g| g.home == home).map(|g| format!("&gen={}", g.n)).unwrap_or_default()
}

/// Carries out a save: stores the record, deletes the replaced or ended one.
/// `elsewhere`: with a concurrent-session limit, the other objects that may hold the same user's
/// sessions (named under older keys, after a rotation): a new session counts those too, and the
/// oldest are evicted wherever they are. `read_from`: the generation of the object the session
/// was read from (Durable Objects), which every write of it there carries.
pub(crate) async fn write(
    env: &Env,
    backend: &Backend,
    w: &StoreWrite,
    elsewhere: &[String],
    read_from: Option<&Generation>,
    issued_ms: u64,
    now: u64,
) -> Result<Written> {
    let mut written = Written::default();
    match (backend, w) {
        (_, StoreWrite::Nothing) => {}
        (Backend::Kv { binding }, StoreWrite::Put { new, old, record, expiry, reissued, .. }) => {
            let kv = env.kv(binding)?;
            let mut put = kv.put(&new.kv_key(), record.as_str())?;
            if let Some(e) = expiry {
                put = put.expiration_ttl(records::kv_ttl(*e, now));
            }
            put.execute().await?;
            if let (true, Some(old)) = (*reissued, old) {
                kv.delete(&old.kv_key()).await?;
            }
        }
        (Backend::Kv { binding }, StoreWrite::Remove { old: Some(old), .. }) => {
            env.kv(binding)?.delete(&old.kv_key()).await?;
        }
        (Backend::Durable { binding, max_sessions }, StoreWrite::Put { new, old, record, expiry, reissued, .. }) => {
            let home = new.home.as_deref().unwrap_or_default();
            let expires = expiry.map_or(u64::MAX, |e| e / 1000);
            // Moved to another object (an anonymous session signing in, a session made under an
            // older key): delete it there, first, under the generation it was read with.
            let old_here = old.as_ref().filter(|o| *reissued && o.home.as_deref() == Some(home));
            if let Some(o) = old.as_ref().filter(|o| *reissued && o.home.as_deref() != Some(home))
                && let Some(h) = &o.home
            {
                let path = format!("/delete?id={}{}", o.id.hex(), generation_param(read_from, h));
                if call(env, binding, h, Method::Delete, &path, None, None).await?.status_code() == 409 {
                    written.logged_out = true;
                    return Ok(written);
                }
            }
            let mut path = format!(
                "/put?id={}&created={issued_ms}&expires={expires}&limit={max_sessions}{}",
                new.id.hex(),
                generation_param(read_from, home)
            );
            if let Some(o) = old_here {
                path.push_str(&format!("&old={}", o.id.hex()));
            }
            // The user's sessions in the objects named under older keys, for the limit.
            let mut others: Vec<(String, String)> = Vec::new();
            if *max_sessions > 0 && *reissued {
                for h in elsewhere.iter().filter(|h| h.as_str() != home) {
                    let mut resp = call(env, binding, h, Method::Get, "/list", None, None).await?;
                    let body = resp.text().await?;
                    others
                        .extend(records::parse_list(&body).map(|(id, created)| (h.clone(), format!("{id}:{created}"))));
                }
            }
            let listed: Vec<&str> = others.iter().map(|(_, e)| e.as_str()).collect();
            let elsewhere = listed.join(",");
            let header = (!elsewhere.is_empty()).then_some(("x-elsewhere", elsewhere.as_str()));
            let resp = call(env, binding, home, Method::Put, &path, Some(record), header).await?;
            if resp.status_code() == 409 {
                written.logged_out = true;
                return Ok(written);
            }
            if let Some(ids) = resp.headers().get("x-evicted")? {
                written.evicted = ids.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
            }
            // Evicted in another object: delete it there.
            for (h, entry) in &others {
                let id = entry.split(':').next().unwrap_or_default();
                if written.evicted.iter().any(|e| e == id) {
                    call(env, binding, h, Method::Delete, &format!("/delete?id={id}"), None, None).await?;
                }
            }
        }
        (Backend::Durable { binding, .. }, StoreWrite::Remove { old: Some(old), .. }) => {
            if let Some(h) = &old.home {
                // 409: cleared since the read; the record is gone either way.
                let path = format!("/delete?id={}{}", old.id.hex(), generation_param(read_from, h));
                call(env, binding, h, Method::Delete, &path, None, None).await?;
            }
        }
        (_, StoreWrite::Remove { old: None, .. }) => {}
    }
    Ok(written)
}

/// Ends every session of the object `home` at once; returns how many there were.
pub(crate) async fn clear(env: &Env, binding: &str, home: &str) -> Result<u64> {
    let mut resp = call(env, binding, home, Method::Post, "/clear", None, None).await?;
    Ok(resp.text().await?.trim().parse().unwrap_or(0))
}

/// The Durable Object that holds sessions: one per signed-in user, one per anonymous session.
/// Each record expires by an alarm set to the earliest expiry it holds; an object left empty
/// deletes its storage, so nothing grows forever.
#[durable_object(alarm)]
pub struct SessionStore {
    state: State,
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}

impl SessionStore {
    /// This object's generation: how many times it was cleared (0: never).
    async fn generation(&self) -> Result<u64> {
        let stored: Option<String> = self.state.storage().get(GENERATION_KEY).await?;
        Ok(stored.and_then(|g| g.parse().ok()).unwrap_or(0))
    }

    /// Whether the request's `gen`, if it carries one, is this object's generation.
    async fn generation_holds(&self, query: &str) -> Result<bool> {
        match form_value(query, "gen") {
            None => Ok(true),
            Some(g) => Ok(g.parse::<u64>().ok() == Some(self.generation().await?)),
        }
    }

    /// Deletes every session (and the alarm), keeping the generation: an object that was cleared
    /// keeps that one key.
    async fn empty(&self) -> Result<()> {
        let storage = self.state.storage();
        storage.delete_alarm().await?;
        let generation = self.generation().await?;
        storage.delete_all().await?;
        if generation > 0 {
            storage.put(GENERATION_KEY, generation.to_string()).await?;
        }
        Ok(())
    }

    /// Every session held, by storage key (expired ones included).
    async fn held(&self) -> Result<HashMap<String, Held>> {
        let opts = worker::ListOptions::new().prefix(DO_PREFIX);
        let map = self.state.storage().list_with_options(opts).await?;
        let mut out = HashMap::new();
        for entry in map.entries() {
            let Ok(pair) = entry else { continue };
            let pair = js_sys::Array::from(&pair);
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string())
                && let Some(h) = Held::decode(&v)
            {
                out.insert(k, h);
            }
        }
        Ok(out)
    }

    /// Deletes what has expired and sets the alarm to the next expiry (or empties the object).
    async fn sweep(&self, now: u64) -> Result<()> {
        let held = self.held().await?;
        let (gone, live): (Vec<_>, Vec<_>) = held.into_iter().partition(|(_, h)| h.expires <= now);
        let storage = self.state.storage();
        if live.is_empty() {
            return self.empty().await;
        }
        if !gone.is_empty() {
            storage.delete_multiple(gone.into_iter().map(|(k, _)| k).collect::<Vec<_>>()).await?;
        }
        if let Some(next) = live.iter().map(|(_, h)| h.expires).min() {
            // An absolute time (worker's `From<i64>` would be an offset from now).
            let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(next as f64));
            storage.set_alarm(worker::ScheduledTime::new(at)).await?;
        }
        Ok(())
    }
}

fn id_key(query: &str, name: &str) -> Option<String> {
    form_value(query, name).and_then(|h| records::SessionId::parse(&h)).map(|id| format!("{DO_PREFIX}{}", id.hex()))
}

impl worker::DurableObject for SessionStore {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let href = req.inner().url();
        let (path, query) = crate::config::split_url(&href);
        let query = query.unwrap_or_default();
        let now = now_ms();
        let storage = self.state.storage();
        match (req.method(), path) {
            (Method::Get, "/get") => {
                let Some(key) = id_key(query, "id") else { return Response::error("bad id", 400) };
                let held: Option<String> = storage.get(&key).await?;
                let resp = match held.as_deref().and_then(Held::decode).filter(|h| h.expires > now) {
                    Some(h) => Response::ok(h.record)?,
                    None => Response::error("no such session", 404)?,
                };
                let headers = worker::Headers::new();
                headers.set(GENERATION_HEADER, &self.generation().await?.to_string())?;
                Ok(resp.with_headers(headers))
            }
            (Method::Put, "/put") => {
                let Some(key) = id_key(query, "id") else { return Response::error("bad id", 400) };
                let num = |n: &str| form_value(query, n).and_then(|v| v.parse::<u64>().ok());
                let (Some(created), Some(expires)) = (num("created"), num("expires")) else {
                    return Response::error("bad times", 400);
                };
                let limit = num("limit").map_or(0, |l| usize::try_from(l).unwrap_or(usize::MAX));
                if !self.generation_holds(query).await? {
                    return Response::error("logged out since the session was read", 409);
                }
                let record = req.text().await?;
                if records::record_body(&record).is_none() {
                    return Response::error("bad record", 400);
                }
                if let Some(old) = id_key(query, "old") {
                    storage.delete(&old).await?;
                }
                let mut evicted = Vec::new();
                if limit > 0 {
                    let held = self.held().await?;
                    let mut others: Vec<(String, u64)> = held
                        .iter()
                        .filter(|(k, h)| **k != key && h.expires > now)
                        .map(|(k, h)| (k.clone(), h.created))
                        .collect();
                    // The user's sessions in other objects (named under older keys) count too;
                    // the caller deletes those evicted there.
                    let elsewhere = req.headers().get("x-elsewhere")?.unwrap_or_default();
                    others.extend(
                        records::parse_elsewhere(&elsewhere).map(|(id, created)| (format!("{DO_PREFIX}{id}"), created)),
                    );
                    evicted = records::evictions(others, 1, limit);
                    let here: Vec<String> = evicted.iter().filter(|k| held.contains_key(*k)).cloned().collect();
                    if !here.is_empty() {
                        storage.delete_multiple(here).await?;
                    }
                }
                storage.put(&key, Held { created, expires, record }.encode()).await?;
                self.sweep(now).await?;
                let ids: Vec<&str> = evicted.iter().filter_map(|k| k.strip_prefix(DO_PREFIX)).collect();
                let headers = worker::Headers::new();
                headers.set("x-evicted", &ids.join(","))?;
                Ok(Response::ok("stored")?.with_headers(headers))
            }
            (Method::Delete, "/delete") => {
                let Some(key) = id_key(query, "id") else { return Response::error("bad id", 400) };
                if !self.generation_holds(query).await? {
                    return Response::error("logged out since the session was read", 409);
                }
                storage.delete(&key).await?;
                self.sweep(now).await?;
                Response::ok("deleted")
            }
            (Method::Get, "/list") => {
                let mut out = String::new();
                for (k, h) in self.held().await?.into_iter().filter(|(_, h)| h.expires > now) {
                    if let Some(id) = k.strip_prefix(DO_PREFIX) {
                        out.push_str(&format!("{id} {}\n", h.created));
                    }
                }
                Response::ok(out)
            }
            (Method::Post, "/clear") => {
                let n = self.held().await?.values().filter(|h| h.expires > now).count();
                // The next generation first: a write read under the old one is refused from here on.
                let next = self.generation().await?.saturating_add(1);
                storage.put(GENERATION_KEY, next.to_string()).await?;
                self.empty().await?;
                Response::ok(n.to_string())
            }
            (Method::Get, "/stats") => {
                let held = self.held().await?;
                let live = held.values().filter(|h| h.expires > now).count();
                let alarm = storage.get_alarm().await?.unwrap_or(0);
                Response::ok(format!("{} {live} {alarm}", held.len()))
            }
            _ => Response::error("not found", 404),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.sweep(now_ms()).await?;
        Response::ok("swept")
    }
}
