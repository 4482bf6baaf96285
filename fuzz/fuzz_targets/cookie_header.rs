//! A whole `Cookie` header (and the request and response plans built from it), for each format.
//! Property: with cookieRemove, the `Cookie` header the origin gets never holds the session
//! cookie the loader would find (the two read the header with the one grammar).
#![no_main]
#[path = "common.rs"]
mod common;
use edge_session::SessionManager;
use edge_session::proxy::HeaderOp;
use edge_session::wire::find_cookie;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn managers() -> &'static [SessionManager; 3] {
    static M: OnceLock<[SessionManager; 3]> = OnceLock::new();
    M.get_or_init(|| {
        common::all_formats(|o| {
            o.max_age = 60;
            o.cookie_remove = true;
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    for m in managers() {
        let headers = [("cookie", header.as_ref()), ("x_session", header.as_ref())];
        let plan = m.plan_request("GET", "app.example", "/", &headers, 1_800_000_000_000_000);
        for op in &plan.headers {
            if let HeaderOp::Set(name, value) = op {
                if name == "cookie" {
                    assert!(find_cookie(value, "session").is_none(), "the session cookie reached the origin");
                }
            }
        }
        if let Some(mut s) = plan.session {
            let _ = m.plan_response(Some(&mut s), &[("x-replace-session", header.as_ref())], 1_800_000_000_000_000);
        }
    }
});
