//! An apache-format cookie, as bytes (base64-encoded here) and as text.
#![no_main]
use base64::Engine as _;
#[path = "common.rs"]
mod common;
use edge_session::{Format, LoadStatus, SessionManager};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn manager() -> &'static SessionManager {
    static M: OnceLock<SessionManager> = OnceLock::new();
    M.get_or_init(|| {
        common::manager(Format::Apache, &[common::PASSPHRASE, "secret"], |o| o.allow_weak_passphrases = true)
    })
}

fuzz_target!(|data: &[u8]| {
    let value = base64::engine::general_purpose::STANDARD.encode(data);
    let s = manager().load(Some(&format!("session={value}")), 0);
    assert_ne!(s.status(), LoadStatus::Loaded, "a forged apache cookie opened");
    let _ = manager().load(Some(&format!("session={}", String::from_utf8_lossy(data))), 0);
});
