//! Known answers from a real Apache httpd 2.4.71 (`tests/vectors/apache-2.4.71.json`, copied
//! from the project's shared vectors): every cookie Apache wrote, plain or encrypted with each
//! cipher, is read back with the entries Apache itself decoded, and Apache's SessionHeader merge
//! gives the same session. Run natively and on wasm32.

use std::collections::BTreeSet;

use edge_session::{
    ApacheCipher, ConfigError, Format, KeyError, LoadStatus, Options, Rejection, Session, SessionManager,
};
use serde_json::Value;

/// Before every expiry in the file (late November 2026), in µs.
const NOW: u64 = 1_795_000_000_000_000;

fn vectors() -> Vec<Value> {
    let file: Value = serde_json::from_str(include_str!("vectors/apache-2.4.71.json")).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

fn plain_vectors() -> Vec<Value> {
    let v: Vec<Value> =
        vectors().into_iter().filter(|v| v["SessionCryptoPassphrase"].as_array().unwrap().is_empty()).collect();
    assert!(v.len() >= 4, "the file holds the plain vectors");
    v
}

/// The pairs of a session string, as a set (Apache's order may differ).
fn pairs(s: &str) -> BTreeSet<String> {
    s.split('&').filter(|p| !p.is_empty()).map(str::to_owned).collect()
}

fn manager(v: &Value) -> SessionManager {
    let mut o = Options::default();
    o.format = Format::Plain;
    o.cookie_name = v["cookie_name"].as_str().unwrap().to_owned();
    o.max_age = v["SessionMaxAge"].as_u64().unwrap();
    SessionManager::new(o).unwrap()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reads_what_apache_wrote() {
    for v in plain_vectors() {
        assert_reads_what_apache_decoded(&v, &manager(&v));
    }
}

/// The cookie Apache wrote, loaded by `m`, holds the pairs Apache itself decoded from it.
fn assert_reads_what_apache_decoded(v: &Value, m: &SessionManager) {
    let name = v["name"].as_str().unwrap();
    let cookie = format!("{}={}", v["cookie_name"].as_str().unwrap(), v["cookie_value"].as_str().unwrap());
    let s = m.load(Some(&cookie), NOW);
    assert_eq!(s.status(), LoadStatus::Loaded, "{name}");
    assert_eq!(pairs(&s.to_string()), pairs(v["apache_decoded"].as_str().unwrap()), "{name}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn merges_the_session_header_like_apache() {
    for v in plain_vectors() {
        let name = v["name"].as_str().unwrap();
        let mut s = Session::new();
        s.apply_update(v["header_written"].as_str().unwrap()).unwrap();
        let written: BTreeSet<String> =
            pairs(v["cookie_value"].as_str().unwrap()).into_iter().filter(|p| !p.starts_with("expiry=")).collect();
        assert_eq!(pairs(&s.to_string()), written, "{name}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn writes_the_bytes_apache_writes() {
    for v in plain_vectors() {
        let name = v["name"].as_str().unwrap();
        let m = manager(&v);
        let mut s = m.load(None, NOW);
        s.apply_update(v["header_written"].as_str().unwrap()).unwrap();
        let set_cookie = m.save(&mut s, NOW).unwrap().unwrap();
        let (cookie, _) = set_cookie.split_once("; ").unwrap();
        let (cookie_name, value) = cookie.split_once('=').unwrap();
        assert_eq!(cookie_name, v["cookie_name"].as_str().unwrap());
        let ours: BTreeSet<String> = pairs(value).into_iter().filter(|p| !p.starts_with("expiry=")).collect();
        let apache: BTreeSet<String> =
            pairs(v["cookie_value"].as_str().unwrap()).into_iter().filter(|p| !p.starts_with("expiry=")).collect();
        assert_eq!(ours, apache, "{name}");
        let max_age = v["SessionMaxAge"].as_u64().unwrap();
        assert_eq!(set_cookie.contains(&format!("; Max-Age={max_age};")), max_age > 0, "{name}: {set_cookie}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn expired_apache_cookie_is_an_empty_session() {
    let v = plain_vectors().into_iter().find(|v| v["name"] == "plain-simple").unwrap();
    let m = manager(&v);
    let cookie = format!("s0={}", v["cookie_value"].as_str().unwrap());
    let s = m.load(Some(&cookie), 1_795_322_224_964_488);
    assert_eq!(s.status(), LoadStatus::Expired);
    assert!(s.is_empty());
}

fn crypto_vectors() -> Vec<Value> {
    let v: Vec<Value> =
        vectors().into_iter().filter(|v| !v["SessionCryptoPassphrase"].as_array().unwrap().is_empty()).collect();
    assert_eq!(v.len(), 9, "the file holds the encrypted vectors");
    v
}

/// A strong passphrase that encrypts; Apache's test passphrases are short, so they are listed
/// after it, as the older (open-only) passphrases a migrating site keeps for a while, admitted by
/// the operator's opt-in (`allow_weak_passphrases`) only.
const STRONG: &str = "a strong passphrase for edge-session's writes, 2026";

fn apache_manager(v: &Value, strong_first: bool) -> SessionManager {
    let mut o = Options::default();
    o.format = Format::Apache;
    o.cookie_name = v["cookie_name"].as_str().unwrap().to_owned();
    o.max_age = v["SessionMaxAge"].as_u64().unwrap();
    o.cipher = ApacheCipher::parse(v["SessionCryptoCipher"].as_str().unwrap()).unwrap();
    let apache: Vec<String> =
        v["SessionCryptoPassphrase"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
    o.keys = if strong_first { std::iter::once(STRONG.to_owned()).chain(apache).collect() } else { apache };
    let refused = SessionManager::new(o.clone()).err();
    assert!(
        matches!(refused, Some(ConfigError::Key { error: KeyError::TooShort | KeyError::LowEntropy, .. })),
        "without the opt-in a weak passphrase is refused, first or older: {refused:?}"
    );
    o.allow_weak_passphrases = true;
    SessionManager::new(o).unwrap()
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn sessions_opened_with_a_weak_passphrase_say_so() {
    for v in crypto_vectors() {
        let name = v["name"].as_str().unwrap();
        let cookie = format!("{}={}", v["cookie_name"].as_str().unwrap(), v["cookie_value"].as_str().unwrap());
        let m = apache_manager(&v, true);
        assert!(!m.weak_keys().is_empty() && !m.weak_keys().contains(&0), "{name}: {:?}", m.weak_keys());
        let mut s = m.load(Some(&cookie), NOW);
        assert!(s.weak_key(), "{name}: opened with Apache's short passphrase");
        // Never laundered into a strong-passphrase session: written back under the same weak
        // passphrase, it stays weak, and dropping that passphrase ends it.
        s.insert("seen", "1").unwrap();
        let set = m.save(&mut s, NOW).unwrap().unwrap();
        let cookie = set.split(';').next().unwrap();
        let again = m.load(Some(cookie), NOW);
        assert!(again.weak_key() && again.get("seen") == Some("1"), "{name}: still weak");
        let mut strong_only = Options::default();
        strong_only.format = Format::Apache;
        strong_only.cookie_name = v["cookie_name"].as_str().unwrap().to_owned();
        strong_only.cipher = ApacheCipher::parse(v["SessionCryptoCipher"].as_str().unwrap()).unwrap();
        strong_only.keys = vec![STRONG.into()];
        let strong_only = SessionManager::new(strong_only).unwrap();
        assert_eq!(strong_only.load(Some(cookie), NOW).status(), LoadStatus::Rejected(Rejection::Tampered), "{name}");
        // Cleared, it is a clean session again, written under the strong passphrase.
        let mut cleared = again;
        cleared.clear();
        cleared.insert("user", "new").unwrap();
        let set = m.save(&mut cleared, NOW).unwrap().unwrap();
        let s = strong_only.load(Some(set.split(';').next().unwrap()), NOW);
        assert_eq!((s.get("user"), s.weak_key()), (Some("new"), false), "{name}");
        let mut fresh = m.load(None, NOW);
        fresh.insert("a", "1").unwrap();
        assert!(!fresh.weak_key());
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn reads_what_apache_encrypted() {
    for v in crypto_vectors() {
        assert_reads_what_apache_decoded(&v, &apache_manager(&v, true));
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn every_bit_flip_of_an_apache_cookie_is_rejected() {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD;
    let v = crypto_vectors().into_iter().find(|v| v["name"] == "aes256-maxage").unwrap();
    let m = apache_manager(&v, true);
    let raw = b64.decode(v["cookie_value"].as_str().unwrap()).unwrap();
    for byte in 0..raw.len() {
        for bit in 0..8 {
            let mut bad = raw.clone();
            bad[byte] ^= 1 << bit;
            let s = m.load(Some(&format!("s3={}", b64.encode(&bad))), NOW);
            assert!(s.is_empty() && matches!(s.status(), LoadStatus::Rejected(_)), "byte {byte} bit {bit}");
        }
    }
    for len in 0..raw.len() {
        assert!(m.load(Some(&format!("s3={}", b64.encode(&raw[..len]))), NOW).is_empty(), "truncated to {len}");
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn wrong_passphrase_or_cipher_is_an_empty_session() {
    let v = crypto_vectors().into_iter().find(|v| v["name"] == "aes128").unwrap();
    let cookie = format!("s6={}", v["cookie_value"].as_str().unwrap());
    let mut o = Options::default();
    o.format = Format::Apache;
    o.cookie_name = "s6".into();
    o.keys = vec![STRONG.into()];
    o.cipher = ApacheCipher::Aes128;
    o.allow_weak_passphrases = true;
    let wrong_pass = SessionManager::new(o.clone()).unwrap();
    assert_eq!(wrong_pass.load(Some(&cookie), NOW).status(), LoadStatus::Rejected(Rejection::Tampered));
    o.keys.push("secret".into());
    o.cipher = ApacheCipher::Aes256;
    let wrong_cipher = SessionManager::new(o).unwrap();
    assert_eq!(wrong_cipher.load(Some(&cookie), NOW).status(), LoadStatus::Rejected(Rejection::Malformed));
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn rewrites_apache_cookies_with_its_own_passphrase_and_reads_them_back() {
    for v in crypto_vectors() {
        let name = v["name"].as_str().unwrap();
        let m = apache_manager(&v, true);
        let cookie_name = v["cookie_name"].as_str().unwrap();
        let mut s = m.load(Some(&format!("{cookie_name}={}", v["cookie_value"].as_str().unwrap())), NOW);
        let set = m.save(&mut s, NOW).unwrap().expect("opened with an older passphrase: re-written");
        let value = set.split(';').next().unwrap().split_once('=').unwrap().1;
        assert!(value.ends_with('=') || value.len().is_multiple_of(4), "{name}: padded standard base64");
        let again = m.load(Some(&format!("{cookie_name}={value}")), NOW);
        assert_eq!(again.status(), LoadStatus::Loaded, "{name}");
        let entries = |s: &Session| {
            pairs(&s.to_string()).into_iter().filter(|p| !p.starts_with("expiry=")).collect::<BTreeSet<_>>()
        };
        assert_eq!(entries(&again), entries(&s), "{name}");
        let mut unchanged = again;
        if v["SessionMaxAge"].as_u64() == Some(0) {
            assert_eq!(m.save(&mut unchanged, NOW).unwrap(), None, "{name}: own cookie, unmodified: not re-sent");
        }
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn weak_encrypting_passphrase_is_refused() {
    let v = crypto_vectors().into_iter().find(|v| v["name"] == "aes256-simple").unwrap();
    let mut o = Options::default();
    o.format = Format::Apache;
    let short = v["SessionCryptoPassphrase"][0].as_str().unwrap().to_owned();
    o.keys = vec![short.clone()];
    assert!(matches!(SessionManager::new(o.clone()), Err(ConfigError::Key { index: 0, .. })));
    // An older, open-only passphrase is held to the same rule.
    o.keys = vec![STRONG.into(), short];
    assert!(matches!(SessionManager::new(o.clone()), Err(ConfigError::Key { index: 1, .. })));
    // The opt-in admits it, for this format only.
    o.allow_weak_passphrases = true;
    assert_eq!(SessionManager::new(o.clone()).unwrap().weak_keys(), [1]);
    o.format = Format::Sealed;
    o.keys = vec![edge_session::generate_key().unwrap()];
    assert_eq!(SessionManager::new(o).err(), Some(ConfigError::WeakNeedsApache));
}
