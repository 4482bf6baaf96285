//! Property: any entries that can be set survive save and load, in every format.
#![no_main]
#[path = "common.rs"]
mod common;
use edge_session::SessionManager;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn managers() -> &'static [SessionManager; 3] {
    static M: OnceLock<[SessionManager; 3]> = OnceLock::new();
    M.get_or_init(|| common::all_formats(|_| {}))
}

fuzz_target!(|data: &[u8]| {
    // Entries from the input: NUL separates strings, pairs of strings are (key, value).
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split('\0').collect();
    for m in managers() {
        let mut s = m.load(None, 0);
        for pair in parts.chunks(2) {
            if let [k, v] = pair {
                let _ = s.insert(k, v);
            }
        }
        let want: Vec<(String, String)> = s.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        match m.save_all(&mut s, 0) {
            Ok(lines) if lines.is_empty() => assert!(want.is_empty()),
            Ok(lines) => {
                // What a browser sends back: every cookie set (a large sealed session is chunked).
                let header: Vec<&str> = lines.iter().filter_map(|l| l.split("; ").next()).collect();
                let back = m.load(Some(&header.join("; ")), 0);
                let got: Vec<(String, String)> = back.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                assert_eq!(got, want, "decode(encode(x)) != x");
            }
            Err(_) => {} // too large even for the allowed chunks: refused, not truncated
        }
    }
});
