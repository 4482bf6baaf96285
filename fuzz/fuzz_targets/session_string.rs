//! A plain session string as a cookie value: decode, and encode what was decoded.
#![no_main]
use edge_session::{Format, Options, SessionManager};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn manager() -> &'static SessionManager {
    static M: OnceLock<SessionManager> = OnceLock::new();
    M.get_or_init(|| {
        let mut o = Options::default();
        o.format = Format::Plain;
        SessionManager::new(o).expect("fuzz configuration")
    })
}

fuzz_target!(|data: &[u8]| {
    let value = String::from_utf8_lossy(data);
    let s = manager().load(Some(&format!("session={value}")), 0);
    let _ = s.to_string();
});
