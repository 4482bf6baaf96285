//! Example: edge-session's core in your own workers-rs Worker.
//!
//! A visit counter kept in a sealed cookie: the session is loaded from the `worker::Request`'s
//! `Cookie` header, updated (here by the app itself, with a SessionHeader-style update), and
//! written back with every `Set-Cookie` line the core asks for. Keys come from the
//! `SESSION_KEYS` secret (`npx edge-session keygen`), one manager per isolate.
//!
//! Build with `worker-build --release` in this folder; the suite runs it in workerd
//! (`tests/worker/rust-example.test.mjs`).

#[cfg(target_arch = "wasm32")]
mod app {
    use std::cell::RefCell;
    use std::rc::Rc;

    use edge_session::{Options, SessionManager};
    use worker::{Context, Date, Env, Request, Response, Result, event};

    thread_local! {
        /// The manager, built on the first request (keys are prepared once per isolate).
        static MANAGER: RefCell<Option<Rc<SessionManager>>> = const { RefCell::new(None) };
    }

    fn manager(env: &Env) -> Result<Rc<SessionManager>> {
        if let Some(m) = MANAGER.with(|m| m.borrow().clone()) {
            return Ok(m);
        }
        let mut options = Options::default();
        options.keys = env.secret("SESSION_KEYS")?.to_string().split_whitespace().map(str::to_owned).collect();
        options.max_age = 3600;
        // Plain http in local development; keep the default (Secure) in production.
        if let Ok(attributes) = env.var("SESSION_COOKIE_ATTRIBUTES") {
            options.cookie_attributes = attributes.to_string();
        }
        let m = Rc::new(SessionManager::new(options).map_err(|e| worker::Error::RustError(e.to_string()))?);
        MANAGER.with(|slot| *slot.borrow_mut() = Some(Rc::clone(&m)));
        Ok(m)
    }

    #[event(fetch)]
    async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
        let manager = manager(&env)?;
        // The core's clock: µs since the epoch.
        let now = Date::now().as_millis().saturating_mul(1000);
        // A bad, tampered or expired cookie is an empty session, never an error.
        let mut session = manager.load(req.headers().get("cookie")?.as_deref(), now);
        let count = session.get("count").and_then(|c| c.parse::<u64>().ok()).unwrap_or(0) + 1;
        session.apply_update(&format!("count={count}")).map_err(|e| worker::Error::RustError(e.to_string()))?;
        let mut resp = Response::ok(count.to_string())?;
        let headers = resp.headers_mut();
        for line in manager.save_all(&mut session, now).map_err(|e| worker::Error::RustError(e.to_string()))? {
            headers.append("set-cookie", &line)?;
        }
        // Responses that set the cookie are private to this client.
        headers.set("cache-control", "private, no-store")?;
        headers.set("vary", "Cookie")?;
        Ok(resp)
    }
}
