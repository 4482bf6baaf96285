//! The operator's endpoints, under `/__edge-session/`, on only when `SESSION_ADMIN_TOKEN` is set
//! (a secret; requests carry `Authorization: Bearer <token>`, compared in constant time):
//!
//! ```text
//! GET  /__edge-session/metrics            this isolate's session event counters and the size of its
//!                                         wasm memory (Prometheus text)
//! POST /__edge-session/logout?user=<u>    log <u> out everywhere: ends their sessions held by the
//!                                         Durable Object store at once, and (with
//!                                         SESSION_REVOCATION_KV) stores a not-before time for them
//! ```
//!
//! Without the token the paths are not special: the request goes to the origin like any other.

use wasm_bindgen::JsValue;
use worker::{Date, Env, Method, Request, Response, Result, console_error};

use crate::config::{Backend, WorkerConfig};
use crate::events::Event;
use crate::revocation;
use crate::store;
use crate::telemetry::{COUNTERS, emit};

/// The prefix of the admin paths.
pub(crate) const PREFIX: &str = "/__edge-session/";

/// Answers an admin request, or `None` for any other request.
pub(crate) async fn route(
    config: &WorkerConfig,
    env: &Env,
    req: &Request,
    (path, query): (&str, Option<&str>),
) -> Result<Option<Response>> {
    let Some(token) = &config.admin_token else { return Ok(None) };
    let Some(action) = path.strip_prefix(PREFIX) else { return Ok(None) };
    if !token.accepts(req.headers().get("authorization")?.as_deref()) {
        let headers = worker::Headers::new();
        headers.set("www-authenticate", "Bearer realm=\"edge-session\"")?;
        headers.set("cache-control", "no-store")?;
        return Ok(Some(Response::error("unauthorized\n", 401)?.with_headers(headers)));
    }
    let resp = match (req.method(), action) {
        (Method::Get, "metrics") => {
            let mut body = COUNTERS.with(|c| c.borrow().prometheus());
            body.push_str(&memory_gauge());
            let headers = worker::Headers::new();
            headers.set("content-type", "text/plain; version=0.0.4")?;
            headers.set("cache-control", "no-store")?;
            Response::ok(body)?.with_headers(headers)
        }
        (Method::Post, "logout") => logout(config, env, query.unwrap_or_default()).await?,
        _ => Response::error("no such admin action\n", 404)?,
    };
    Ok(Some(resp))
}

/// The wasm linear memory of this isolate, in bytes. It only ever grows (to the allocator's high
/// water mark), so a leak in the session layer shows here as growth under a steady load.
fn memory_gauge() -> String {
    let bytes = core::arch::wasm32::memory_size::<0>().saturating_mul(65_536);
    format!(
        "# HELP edge_session_wasm_memory_bytes Size of this isolate's wasm linear memory.\n\
         # TYPE edge_session_wasm_memory_bytes gauge\n\
         edge_session_wasm_memory_bytes {bytes}\n"
    )
}

async fn logout(config: &WorkerConfig, env: &Env, query: &str) -> Result<Response> {
    // Any user a session can name: the Durable Object homes are keyed hashes of the name, and a
    // long name's revocation key is its SHA-256 (revocation.rs).
    let user = edge_session::wire::form_value(query, "user").unwrap_or_default();
    if user.is_empty() || user.len() > edge_session::store::MAX_RECORD_BYTES {
        return Response::error("user: not empty, at most 65536 bytes\n", 400);
    }
    let mut ended = None;
    if let Some((Backend::Durable { binding, .. }, _)) = &config.store {
        // Every object the user's sessions may live in: the current key's and, after a key
        // rotation, those named under older keys (sessions not written since).
        for home in config.user_homes(&user) {
            match store::clear(env, binding, &home).await {
                Ok(n) => ended = Some(ended.unwrap_or(0) + n),
                Err(e) => {
                    console_error!("edge-session: logout: the session store failed: {e}");
                    return Response::error("the session store failed\n", 503);
                }
            }
        }
    }
    let mut not_before = None;
    if let (Some(rev), Some(k)) = (&config.revocation, revocation::user_key(&user)) {
        let now = Date::now().as_millis();
        let kv = env.kv(&rev.binding)?;
        if let Err(e) = kv.put(&k, now.to_string())?.execute().await {
            console_error!("edge-session: logout: KV write failed: {e}");
            return Response::error("the revocation store failed\n", 503);
        }
        not_before = Some(now);
    }
    if ended.is_none() && not_before.is_none() {
        return Response::error(
            "nothing to do: logout needs SESSION_STORE = \"durable-object\" or SESSION_REVOCATION_KV\n",
            409,
        );
    }
    emit(Event::LoggedOut, None, None, Some(ended.unwrap_or(0)));
    let body = js_sys::JSON::stringify(&{
        let o = js_sys::Object::new();
        let set = |k: &str, v: JsValue| js_sys::Reflect::set(&o, &JsValue::from_str(k), &v).map(|_| ());
        let _ = set("ended", ended.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)));
        let _ = set("notBefore", not_before.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)));
        o.into()
    })
    .map(String::from)
    .unwrap_or_default();
    let headers = worker::Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "no-store")?;
    Ok(Response::ok(body)?.with_headers(headers))
}
