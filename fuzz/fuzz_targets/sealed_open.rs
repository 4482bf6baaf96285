//! A sealed token, as bytes (base64url-encoded here so that the fuzzer explores the layout
//! behind the base64) and as text.
#![no_main]
use base64::Engine as _;
#[path = "common.rs"]
mod common;
use edge_session::{Format, LoadStatus, SessionManager};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn manager() -> &'static SessionManager {
    static M: OnceLock<SessionManager> = OnceLock::new();
    M.get_or_init(|| common::manager(Format::Sealed, &[common::SEALED_KEY], |_| {}))
}

fuzz_target!(|data: &[u8]| {
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data);
    let s = manager().load(Some(&format!("session={token}")), 0);
    // Without the key nobody can forge a session: a random token never opens.
    assert_ne!(s.status(), LoadStatus::Loaded, "a forged token opened");
    let _ = manager().load(Some(&format!("session={}", String::from_utf8_lossy(data))), 0);
});
