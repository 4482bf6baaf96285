//! The server-side store's I/O: Workers KV, or the `SessionStore` Durable Object
//! (`session_store.rs`: one object per signed-in user, one per anonymous session; layout in
//! the core's `store` module).
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

use worker::{Env, Method, Request, RequestInit, Response, Result};

use crate::config::Backend;
use edge_session::store::StoreWrite;
use edge_session::store::{self as records, StoreRef};

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
pub(crate) const GENERATION_HEADER: &str = "x-generation";

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
