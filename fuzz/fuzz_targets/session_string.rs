//! A plain session string as a cookie value: decode, and encode what was decoded.
#![no_main]
#[path = "common.rs"]
mod common;
use edge_session::{Format, SessionManager};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn manager() -> &'static SessionManager {
    static M: OnceLock<SessionManager> = OnceLock::new();
    M.get_or_init(|| common::manager(Format::Plain, &[], |_| {}))
}

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    let s = manager().load(Some(&format!("session={value}")), 0);
    let _ = s.to_string();
});
