//! Known answers from a real Apache httpd 2.4.71 (`tests/vectors/apache-2.4.71.json`, copied
//! from the project's shared vectors): every unencrypted cookie Apache wrote is read back with
//! the entries Apache itself decoded, and Apache's SessionHeader merge gives the same session.

use std::collections::BTreeSet;

use edge_session::{Format, LoadStatus, Options, Session, SessionManager};
use serde_json::Value;

/// Before every expiry in the file (late November 2026), in µs.
const NOW: u64 = 1_795_000_000_000_000;

fn vectors() -> Vec<Value> {
    let file: Value = serde_json::from_str(include_str!("vectors/apache-2.4.71.json")).unwrap();
    file["vectors"].as_array().unwrap().clone()
}

fn plain_vectors() -> Vec<Value> {
    let v: Vec<Value> = vectors()
        .into_iter()
        .filter(|v| v["SessionCryptoPassphrase"].as_array().unwrap().is_empty())
        .collect();
    assert!(v.len() >= 4, "the file holds the plain vectors");
    v
}

/// The pairs of a session string, as a set (Apache's order may differ).
fn pairs(s: &str) -> BTreeSet<String> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
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
        let name = v["name"].as_str().unwrap();
        let m = manager(&v);
        let cookie = format!(
            "{}={}",
            v["cookie_name"].as_str().unwrap(),
            v["cookie_value"].as_str().unwrap()
        );
        let s = m.load(Some(&cookie), NOW);
        assert_eq!(s.status(), LoadStatus::Loaded, "{name}");
        assert_eq!(
            pairs(&s.to_string()),
            pairs(v["apache_decoded"].as_str().unwrap()),
            "{name}"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn merges_the_session_header_like_apache() {
    for v in plain_vectors() {
        let name = v["name"].as_str().unwrap();
        let mut s = Session::new();
        s.apply_update(v["header_written"].as_str().unwrap())
            .unwrap();
        let written: BTreeSet<String> = pairs(v["cookie_value"].as_str().unwrap())
            .into_iter()
            .filter(|p| !p.starts_with("expiry="))
            .collect();
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
        s.apply_update(v["header_written"].as_str().unwrap())
            .unwrap();
        let set_cookie = m.save(&mut s, NOW).unwrap().unwrap();
        let (cookie, _) = set_cookie.split_once("; ").unwrap();
        let (cookie_name, value) = cookie.split_once('=').unwrap();
        assert_eq!(cookie_name, v["cookie_name"].as_str().unwrap());
        let ours: BTreeSet<String> = pairs(value)
            .into_iter()
            .filter(|p| !p.starts_with("expiry="))
            .collect();
        let apache: BTreeSet<String> = pairs(v["cookie_value"].as_str().unwrap())
            .into_iter()
            .filter(|p| !p.starts_with("expiry="))
            .collect();
        assert_eq!(ours, apache, "{name}");
        let max_age = v["SessionMaxAge"].as_u64().unwrap();
        assert_eq!(
            set_cookie.contains(&format!("; Max-Age={max_age};")),
            max_age > 0,
            "{name}: {set_cookie}"
        );
    }
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn expired_apache_cookie_is_an_empty_session() {
    let v = plain_vectors()
        .into_iter()
        .find(|v| v["name"] == "plain-simple")
        .unwrap();
    let m = manager(&v);
    let cookie = format!("s0={}", v["cookie_value"].as_str().unwrap());
    let s = m.load(Some(&cookie), 1_795_322_224_964_488);
    assert_eq!(s.status(), LoadStatus::Expired);
    assert!(s.is_empty());
}
