//! Sealed tokens (`open_token`): bytes as a token (base64url, so that the layout behind the
//! base64 is explored, and as text) never open without the key, and any data sealed for a purpose
//! opens as itself for that purpose only.
#![no_main]
use base64::Engine as _;
#[path = "common.rs"]
mod common;
use edge_session::{Format, SessionManager};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn manager() -> &'static SessionManager {
    static M: OnceLock<SessionManager> = OnceLock::new();
    M.get_or_init(|| common::manager(Format::Sealed, &[common::SEALED_KEY], |_| {}))
}

const NOW: u64 = 1_800_000_000_000_000;

fuzz_target!(|data: &[u8]| {
    let m = manager();
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(data);
    assert_eq!(m.open_token(&token, "magic-link", NOW), None, "a forged token opened");
    let text = String::from_utf8_lossy(data);
    let _ = m.open_token(&text, &text, NOW);
    // The first byte chooses the purpose's length; the rest is the data.
    let (purpose, data) = match text.char_indices().nth(usize::from(data.first().copied().unwrap_or(0) % 16)) {
        Some((at, _)) => text.split_at(at),
        None => (text.as_ref(), ""),
    };
    if let Ok(sealed) = m.seal_token(purpose, data, 60, NOW) {
        assert_eq!(m.open_token(&sealed, purpose, NOW + 1).as_deref(), Some(data), "a token did not open as itself");
        assert_eq!(m.open_token(&sealed, &format!("{purpose}x"), NOW + 1), None, "another purpose opened it");
        assert!(m.load(Some(&format!("session={sealed}")), NOW).is_empty(), "a token opened as a cookie");
    }
});
