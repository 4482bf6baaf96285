//! The Worker's entry: `fetch`, the configuration of the isolate (built once from its variables
//! and secrets), the admin endpoints or the front proxy, and what a request that fails is answered
//! with (the origin's failure: 502; ours: 500; a configuration that cannot work: 500, the reason in
//! the log only).
//!
//! The request is taken as the raw `web_sys::Request`: workers-rs's `Request` reads the `cf`
//! object and parses the URL when it is made, which measured 10 % of a proxied request's time in
//! workerd; only the admin endpoints, and the demo origin, build one.

use std::cell::RefCell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use edge_session::proxy::{Notice, ORIGIN_FAILURE_BODY, ORIGIN_FAILURE_STATUS, log_line};
use wasm_bindgen::{JsCast, JsValue};
use worker::{Context, Env, Request, Result, console_error, event};

use crate::admin;
use crate::config::{self, WorkerConfig};
use crate::http::plain;
use crate::request::{self, Failure};
use crate::telemetry::print;

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
    let values: Vec<(&str, Option<String>)> = config::vars().map(|name| (name, env_value(env, name))).collect();
    let mut h = DefaultHasher::new();
    values.hash(&mut h);
    let fingerprint = h.finish();
    if let Some(cached) = STATE.with(|s| s.borrow().as_ref().filter(|(f, _)| *f == fingerprint).map(|(_, c)| c.clone()))
    {
        return Ok(cached);
    }
    let parsed = config::parse(|name| values.iter().find(|(n, _)| *n == name).and_then(|(_, v)| v.clone()), whatwg_url)
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
    // The operator's endpoints, when configured; every other request is proxied.
    let href = req.url();
    let (path, query) = config::split_url(&href);
    if config.admin_token.is_some() && path.starts_with(admin::PREFIX) && !config.manager.is_device_endpoint(path) {
        // Clone::clone: another handle on the same request (web_sys's own clone() would tee its body).
        match admin::route(&config, &env, &Request::from(Clone::clone(&req)), (path, query)).await {
            Ok(Some(resp)) => return Ok(resp.into()),
            Ok(None) => {}
            Err(e) => {
                console_error!("{}", log_line("internal-error", &[("error", &e.to_string())]));
                return plain(INTERNAL_ERROR, 500);
            }
        }
    }
    match request::handle(&config, &env, req).await {
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
