//! The sealed format against tampering, and its size.

use base64::Engine as _;
use edge_session::{LoadStatus, Options, Session, SessionManager};

const NOW: u64 = 1_800_000_000_000_000;
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn manager(max_age: u64) -> SessionManager {
    let mut o = Options::default();
    o.keys = vec![edge_session::generate_key().unwrap()];
    o.max_age = max_age;
    SessionManager::new(o).unwrap()
}

fn token(m: &SessionManager, entries: &[(&str, &str)]) -> String {
    let mut s = m.load(None, NOW);
    for (k, v) in entries {
        s.insert(k, v).unwrap();
    }
    let set = m.save(&mut s, NOW).unwrap().unwrap();
    set.split(';').next().unwrap().strip_prefix("session=").unwrap().to_owned()
}

fn load(m: &SessionManager, token: &str) -> Session {
    m.load(Some(&format!("session={token}")), NOW)
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_bit_flip_is_rejected() {
    let m = manager(3600);
    let t = token(&m, &[("user", "alice"), ("role", "admin")]);
    assert_eq!(load(&m, &t).get("user"), Some("alice"));
    let raw = B64.decode(&t).unwrap();
    let mut flips = 0;
    for byte in 0..raw.len() {
        for bit in 0..8 {
            let mut bad = raw.clone();
            bad[byte] ^= 1 << bit;
            let s = load(&m, &B64.encode(&bad));
            assert!(s.is_empty(), "flip of bit {bit} in byte {byte} accepted");
            assert!(matches!(s.status(), LoadStatus::Rejected(_)), "byte {byte} bit {bit}: {:?}", s.status());
            flips += 1;
        }
    }
    assert_eq!(flips, raw.len() * 8);
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_truncation_and_extension_is_rejected() {
    let m = manager(0);
    let t = token(&m, &[("user", "alice")]);
    for len in 0..t.len() {
        assert!(load(&m, &t[..len]).is_empty(), "truncated to {len}");
    }
    let raw = B64.decode(&t).unwrap();
    for extra in [&[0u8][..], &[0, 0, 0, 0], &raw[..16]] {
        let mut longer = raw.clone();
        longer.extend_from_slice(extra);
        assert!(load(&m, &B64.encode(&longer)).is_empty());
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn text_level_tampering_is_rejected() {
    let m = manager(0);
    let t = token(&m, &[("user", "alice")]);
    for bad in [format!("{t}="), format!("{t}=="), t.replace('-', "+"), t.to_uppercase(), format!(" {t}x")] {
        if bad != t {
            assert!(load(&m, &bad).is_empty(), "{bad}");
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_token_for_one_key_does_not_open_with_another() {
    let (a, b) = (manager(0), manager(0));
    let t = token(&a, &[("user", "alice")]);
    assert!(load(&b, &t).is_empty());
}

/// The "alg: none" downgrade: the format is the manager's, never the token's. A plain session
/// string, an Apache-style token or a sealed token under an unknown version never opens.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn a_plain_session_never_opens_in_a_sealed_manager() {
    let m = manager(0);
    let t = token(&m, &[("user", "alice")]);
    let mut raw = B64.decode(&t).unwrap();
    raw[0] = 0; // version 0: "no encryption" does not exist
    for bad in ["user=admin", "user=admin&expiry=9999999999999999", "expiry=0&role=admin", &B64.encode(&raw)] {
        let s = load(&m, bad);
        assert!(s.is_empty(), "{bad}");
        assert!(matches!(s.status(), LoadStatus::Rejected(_)), "{bad}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn ten_key_session_seals_under_500_bytes() {
    let m = manager(3600);
    let names = ["key0", "key1", "key2", "key3", "key4", "key5", "key6", "key7", "key8", "key9"];
    let entries: Vec<(&str, &str)> = names.iter().map(|k| (*k, "value-of-25-characters-xy")).collect();
    assert_eq!(entries[0].1.len(), 25);
    let t = token(&m, &entries);
    println!("10-key sealed cookie value: {} bytes", t.len());
    assert!(t.len() < 500, "{} bytes", t.len());
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn oversize_session_is_an_error_not_a_truncation() {
    // One cookie at most (chunking is saveAll's; with chunks allowed, save() says ChunkedSession).
    let mut o = Options::default();
    o.keys = vec![edge_session::generate_key().unwrap()];
    o.max_chunks = 1;
    let m = SessionManager::new(o).unwrap();
    let mut s = m.load(None, NOW);
    for i in 0..40 {
        s.insert(&format!("k{i}"), &"v".repeat(100)).unwrap();
    }
    match m.save(&mut s, NOW) {
        Err(edge_session::SaveError::CookieTooLarge { len, max }) => {
            assert!(len > max && max == 4096)
        }
        other => panic!("expected CookieTooLarge, got {other:?}"),
    }
    assert!(s.is_modified(), "a failed save leaves the session as it was");
    let chunked = manager(0);
    let mut s = chunked.load(None, NOW);
    for i in 0..40 {
        s.insert(&format!("k{i}"), &"v".repeat(100)).unwrap();
    }
    assert_eq!(chunked.save(&mut s, NOW), Err(edge_session::SaveError::ChunkedSession));
    assert_eq!(chunked.save_all(&mut s, NOW).map(|lines| lines.len()), Ok(2), "never truncated: two chunks");
}
