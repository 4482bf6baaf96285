//! A whole `Cookie` header (and the request plan built from it), for each format.
#![no_main]
#[path = "common.rs"]
mod common;
use edge_session::SessionManager;
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
        let plan = m.plan_request("/", Some(&header), 1_800_000_000_000_000);
        if let Some(mut s) = plan.session {
            let _ = m.save_all(&mut s, 1_800_000_000_000_000);
        }
    }
});
