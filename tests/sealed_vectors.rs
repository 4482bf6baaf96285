//! Known answers for the sealed format (run natively and, by `wasm-pack test --node`, on wasm32), version 1 (`tests/vectors/sealed-v1.json`).
//!
//! The tokens were sealed once by this library and are frozen: every later version must still
//! open them to the same entries, expiry and issue time (nonces are random, so sealing again
//! gives other bytes; opening is what is pinned). To write a file for a *new* format version,
//! run `cargo test --test integration -- --ignored write_vectors` and commit it under a new name.

use edge_session::wire::RAW_KEY_PREFIX;
use edge_session::{ConfigError, KeyError, LoadStatus, Options, Rejection, SessionManager};
use serde_json::Value;

/// The issue time of every vector, and "now" when opening them (µs).
const NOW: u64 = 1_795_000_000_000_000;

fn manager(keys: &[&str], cookie_name: &str, max_age: u64) -> SessionManager {
    let mut o = Options::default();
    o.keys = keys.iter().map(|k| k.to_string()).collect();
    o.cookie_name = cookie_name.to_owned();
    o.max_age = max_age;
    SessionManager::new(o).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_owned()).collect()
}

/// A key from the vector file in today's form: raw keys (32 bytes of base64) get the prefix.
fn with_prefix(key: &str) -> String {
    let mut o = Options::default();
    o.keys = vec![key.to_owned()];
    match SessionManager::new(o) {
        Err(ConfigError::Key { error: KeyError::Unprefixed, .. }) => format!("{RAW_KEY_PREFIX}{key}"),
        _ => key.to_owned(),
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn frozen_tokens_still_open() {
    let file: Value = serde_json::from_str(include_str!("vectors/sealed-v1.json")).unwrap();
    let vectors = file["vectors"].as_array().unwrap();
    assert!(vectors.len() >= 6);
    for v in vectors {
        let name = v["name"].as_str().unwrap();
        // Written before raw keys took their `base64:` prefix: such a key now needs it (what an
        // operator adds to an old SESSION_KEYS), and it opens every token it sealed; without it
        // the key is refused rather than taken for a passphrase.
        let keys: Vec<String> = strings(&v["open_with"]).into_iter().map(|k| with_prefix(&k)).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let cookie_name = v["cookie_name"].as_str().unwrap();
        let m = manager(&keys, cookie_name, 0);
        let s = m.load(Some(&format!("{cookie_name}={}", v["token"].as_str().unwrap())), NOW);
        assert_eq!(s.status(), LoadStatus::Loaded, "{name}");
        let entries: Vec<Vec<String>> = s.iter().map(|(k, val)| vec![k.to_owned(), val.to_owned()]).collect();
        let want: Vec<Vec<String>> = v["entries"].as_array().unwrap().iter().map(strings).collect();
        assert_eq!(entries, want, "{name}");
        assert_eq!(s.expiry(), v["expiry_us"].as_u64(), "{name}");
        assert_eq!(s.issued(), Some(NOW), "{name}");
        // Under another cookie name the same token is refused: the name is authenticated.
        let other = manager(&keys, "other", 0);
        let s = other.load(Some(&format!("other={}", v["token"].as_str().unwrap())), NOW);
        assert_eq!(s.status(), LoadStatus::Rejected(Rejection::Tampered), "{name}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
#[ignore = "writes the vector file; run by hand for a new format version"]
fn write_vectors() {
    use serde_json::json;
    type Case<'a> = (&'a str, Vec<&'a str>, &'a str, Vec<(&'a str, &'a str)>, u64);
    let raw = "base64:q6vN4Oa1x7bCWbN2b0JXhJd7gQ0WmL5t1y1sQk2Kq2E=";
    let older = "base64:Hn0pW7KkS0m9v5b1rQe3uYz8cA4fD2gJ6hL1tN7xP0o=";
    let pass = "correct horse battery staple, with more words";
    let cases: Vec<Case> = vec![
        ("simple", vec![raw], "session", vec![("user", "alice")], 0),
        ("escapes", vec![raw], "s", vec![("k é&=", "v+%\u{a0}😀"), ("a", "b=c")], 0),
        ("max-age", vec![raw], "session", vec![("user", "bob"), ("cart", "3 items")], 3600),
        ("passphrase", vec![pass], "__Host-session", vec![("user", "carol")], 0),
        ("older-key", vec![older], "session", vec![("user", "dave")], 600),
        (
            "ten-keys",
            vec![raw],
            "session",
            (0..10)
                .map(|i| {
                    (
                        ["key0", "key1", "key2", "key3", "key4", "key5", "key6", "key7", "key8", "key9"][i],
                        "abcdefghijklmnopqrstuvwxy",
                    )
                })
                .collect(),
            0,
        ),
    ];
    let mut out = Vec::new();
    for (name, keys, cookie_name, entries, max_age) in cases {
        let m = manager(&keys, cookie_name, max_age);
        let mut s = m.load(None, NOW);
        for (k, v) in &entries {
            s.insert(k, v).unwrap();
        }
        let set = m.save(&mut s, NOW).unwrap().unwrap();
        let token = set.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
        let open_with = if name == "older-key" { vec![raw, older] } else { keys.clone() };
        out.push(json!({
            "name": name, "cookie_name": cookie_name, "sealed_with": keys, "open_with": open_with,
            "entries": entries.iter().map(|(k, v)| vec![k, v]).collect::<Vec<_>>(),
            "expiry_us": s.expiry(), "issued_us": NOW, "token": token,
        }));
    }
    let file = json!({
        "format": "edge-session sealed v1",
        "note": "test keys only; tokens frozen: every release must open them",
        "vectors": out,
    });
    std::fs::write("tests/vectors/sealed-v1.json", serde_json::to_string_pretty(&file).unwrap() + "\n").unwrap();
}
