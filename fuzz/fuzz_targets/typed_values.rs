//! Values with their types and flash entries: a sequence of operations (the bytes choose each
//! operation, its key among a few, and its value) on a session, saved and loaded again. A key never
//! holds both a string and a JSON value, and what was saved loads as it was.
#![no_main]
#[path = "common.rs"]
mod common;
use edge_session::{Format, Session, SessionManager, Value};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn manager() -> &'static SessionManager {
    static M: OnceLock<SessionManager> = OnceLock::new();
    M.get_or_init(|| common::manager(Format::Sealed, &[common::SEALED_KEY], |o| o.max_age = 600))
}

const KEYS: [&str; 4] = ["a", "b", "cart", "user"];
const NOW: u64 = 1_800_000_000_000_000;

fuzz_target!(|data: &[u8]| {
    let m = manager();
    let mut s = m.load(None, NOW);
    for op in data.chunks(3) {
        let [kind, key, value] = [0, 1, 2].map(|i| op.get(i).copied().unwrap_or(0));
        let key = KEYS[usize::from(key) % KEYS.len()];
        let text = format!("{}", value % 7);
        let _ = match kind % 6 {
            0 => s.insert(key, &text).map(|_| ()),
            1 => s.set_value(key, Value::Json(&text)),
            2 => s.flash(key, Value::Text(&text)),
            3 => s.remove(key).map_or(Ok(()), |_| Ok(())),
            4 => s.apply_update(&format!("{key}.json={text}&!maxage={}", value % 3)),
            _ => s.set_max_age(Some(u64::from(value))),
        };
        for k in KEYS {
            let both = s.iter().any(|(n, _)| n == k) && s.iter().any(|(n, _)| n == format!("{k}.json"));
            assert!(!both, "{k} holds a string and a JSON value");
        }
    }
    let stored: Vec<(String, String)> = s.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
    let max_age = s.max_age();
    let lines = m.save_all(&mut s, NOW).expect("a small session saves");
    let header: Vec<&str> = lines.iter().filter(|l| !l.contains("Max-Age=0")).filter_map(|l| l.split(';').next()).collect();
    let back: Session = m.load(Some(&header.join("; ")), NOW + 1);
    if !stored.is_empty() {
        let again: Vec<(String, String)> = back.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        assert_eq!(again, stored, "what was saved did not load as it was");
        assert_eq!(back.max_age(), max_age);
    }
});
