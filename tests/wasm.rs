//! What only the WebAssembly build can show: the JavaScript random source behind getrandom,
//! and a whole session round trip on wasm32. Run by `wasm-pack test --node` (and in Chromium).
//! The known-answer and tamper suites in the other files run here too.
#![cfg(target_arch = "wasm32")]

use edge_session::{LoadStatus, Options, SessionManager, generate_key};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn random_keys_come_from_the_platform() {
    let keys: Vec<String> = (0..64).map(|_| generate_key().unwrap()).collect();
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len());
}

#[wasm_bindgen_test]
fn round_trip_with_a_passphrase_and_rotation() {
    let now = 1_800_000_000_000_000;
    let mut o = Options::default();
    o.keys = vec!["a passphrase of at least thirty-two characters".into()];
    o.max_age = 60;
    let old = SessionManager::new(o.clone()).unwrap();
    let mut s = old.load(None, now);
    s.apply_update("user=alice&cart=3+items").unwrap();
    let set = old.save(&mut s, now).unwrap().unwrap();
    let cookie = set.split(';').next().unwrap();

    o.keys.insert(0, generate_key().unwrap());
    let rotated = SessionManager::new(o).unwrap();
    let mut s = rotated.load(Some(cookie), now + 1);
    assert_eq!(s.status(), LoadStatus::Loaded);
    assert_eq!(s.get("cart"), Some("3 items"));
    assert!(rotated.save(&mut s, now + 1).unwrap().is_some(), "re-sealed with the new key");
}
