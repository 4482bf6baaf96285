//! A whole `Cookie` header (and the request plan built from it), for each format.
#![no_main]
use edge_session::{Format, Options, SessionManager};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn managers() -> &'static [SessionManager; 3] {
    static M: OnceLock<[SessionManager; 3]> = OnceLock::new();
    M.get_or_init(|| {
        let make = |format: Format, keys: &[&str]| {
            let mut o = Options::default();
            o.format = format;
            o.keys = keys.iter().map(|k| k.to_string()).collect();
            o.max_age = 60;
            o.cookie_remove = true;
            SessionManager::new(o).expect("fuzz configuration")
        };
        [
            make(Format::Sealed, &["q6vN4Oa1x7bCWbN2b0JXhJd7gQ0WmL5t1y1sQk2Kq2E="]),
            make(Format::Apache, &["a fuzzing passphrase, long enough: 2026", "secret"]),
            make(Format::Plain, &[]),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let header = String::from_utf8_lossy(data);
    for m in managers() {
        let plan = m.plan_request("/", Some(&header), 1_800_000_000_000_000);
        if let Some(mut s) = plan.session {
            let _ = m.save(&mut s, 1_800_000_000_000_000);
        }
    }
});
