//! Regressions for the known vulnerabilities of Apache's mod_session and of cookie libraries,
//! each named after its identifier. Run natively and on wasm32. (RUSTSEC-2023-0096 is in
//! src/sealed.rs, where the AEAD call is; CVE-2018-1283 at the proxy is also in tests/worker/.)

use edge_session::limits::MAX_UPDATE_BYTES;
use edge_session::proxy::HeaderOp;
use edge_session::{ConfigError, CookieError, Format, LoadStatus, Options, Session, SessionError, SessionManager};

const NOW: u64 = 1_800_000_000_000_000;
const SEC: u64 = 1_000_000;

fn sealed(f: impl FnOnce(&mut Options)) -> SessionManager {
    let mut o = Options::default();
    o.keys = vec![edge_session::generate_key().unwrap()];
    f(&mut o);
    SessionManager::new(o).unwrap()
}

fn plain() -> SessionManager {
    let mut o = Options::default();
    o.format = Format::Plain;
    SessionManager::new(o).unwrap()
}

/// CVE-2021-26691: a heap overflow in the SessionHeader path (the size count missed the `&`).
/// Here the update is bounded in bytes and in entries before parsing, and refused whole.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cve_2021_26691_session_header_is_bounded() {
    let mut s = Session::new();
    s.insert("user", "alice").unwrap();
    let huge = format!("k={}", "v".repeat(MAX_UPDATE_BYTES));
    assert!(matches!(s.apply_update(&huge), Err(SessionError::UpdateTooLarge { .. })));
    let many: Vec<String> = (0..1000).map(|i| format!("k{i}=v")).collect();
    assert!(matches!(s.apply_update(&many.join("&")), Err(SessionError::TooManyEntries { .. })));
    s.apply_update(&"&".repeat(MAX_UPDATE_BYTES)).unwrap();
    assert_eq!(s.to_string(), "user=alice");
}

/// CVE-2021-26690: `session=&=` made the decoder dereference a NULL key.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cve_2021_26690_empty_keys_and_separators() {
    let m = plain();
    for value in ["&=", "=", "&&", "==&==", "%", "%0", "%00=x", "x=%00", "%ff=%fe", "&=&=&=", "=&", "=x"] {
        let s = m.load(Some(&format!("session={value}")), NOW);
        assert!(s.is_empty(), "{value:?}");
    }
    let s = m.load(Some(&format!("session={}", "&".repeat(10_000))), NOW);
    assert!(s.is_empty());
}

/// CVE-2018-1283: a client could set the session the origin sees through a `Session` header.
/// The value sent to the origin comes from the cookie alone: a forged cookie gives nothing.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cve_2018_1283_origin_sees_only_the_verified_session() {
    let m = sealed(|_| {});
    let plan = m.plan_request(
        "GET",
        "app.example",
        "/",
        &[("cookie", "session=user=admin"), ("X-Session", "user=admin"), ("x_session", "user=admin")],
        NOW,
    );
    let env: Vec<&HeaderOp> = plan.headers.iter().filter(|o| o.name().replace('_', "-") == "x-session").collect();
    assert_eq!(
        env,
        [
            &HeaderOp::Delete("x-session".into()),
            &HeaderOp::Delete("x_session".into()),
            &HeaderOp::Set("x-session".into(), String::new())
        ],
        "every client spelling removed, then the verified (empty) session set"
    );
}

/// CVE-2018-17199: the expiry was checked before decoding, so expired sessions were accepted.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cve_2018_17199_expiry_inside_the_session_is_enforced() {
    let m = sealed(|o| o.max_age = 60);
    let mut s = m.load(None, NOW);
    s.insert("user", "alice").unwrap();
    let set = m.save(&mut s, NOW).unwrap().unwrap();
    let cookie = set.split(';').next().unwrap();
    assert_eq!(m.load(Some(cookie), NOW + 61 * SEC).status(), LoadStatus::Expired);
    let p = plain();
    let s = p.load(Some(&format!("session=user=alice&expiry={}", NOW - 1)), NOW);
    assert_eq!(s.status(), LoadStatus::Expired);
    assert!(s.is_empty());
}

/// CVE-2016-0736: mod_session_crypto before 2.4.25 had no MAC (a padding oracle). A cookie
/// without a valid MAC is never decrypted.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg(feature = "apache")]
fn cve_2016_0736_apache_cookies_need_a_valid_mac() {
    use base64::Engine as _;
    use edge_session::Rejection;

    let pass = "a passphrase long enough for writing, 2026".to_owned();
    let mut o = Options::default();
    o.format = Format::Apache;
    o.keys = vec![pass];
    let m = SessionManager::new(o).unwrap();
    let mut s = m.load(None, NOW);
    s.insert("user", "alice").unwrap();
    let set = m.save(&mut s, NOW).unwrap().unwrap();
    let value = set.split(';').next().unwrap().strip_prefix("session=").unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let raw = b64.decode(value).unwrap();
    // The pre-2.4.25 layout: salt | IV | ciphertext, no MAC.
    let unauthenticated = b64.encode(&raw[8..]);
    let s = m.load(Some(&format!("session={unauthenticated}")), NOW);
    assert!(matches!(s.status(), LoadStatus::Rejected(Rejection::Tampered | Rejection::Malformed)));
    // A zeroed MAC: the same.
    let mut zeroed = raw.clone();
    zeroed[..8].fill(0);
    assert!(m.load(Some(&format!("session={}", b64.encode(&zeroed))), NOW).is_empty());
}

/// CVE-2024-47764 (the `cookie` npm package): attribute injection through the name, path or
/// domain. Names and attributes are validated; `;`, `,`, CR and LF are refused.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cve_2024_47764_no_attribute_injection() {
    for name in ["a;Domain=evil", "a\r\nSet-Cookie:x", "a,b", "a b", "a=b"] {
        let mut o = Options::default();
        o.format = Format::Plain;
        o.cookie_name = name.into();
        assert!(matches!(SessionManager::new(o), Err(ConfigError::Cookie(CookieError::InvalidName(_)))), "{name:?}");
    }
    for attrs in ["Path=/;Domain=evil.com/x", "Path=/\r\nX-Evil: 1", "Path=/a,b", "Domain=evil.com;x", "Path=/\u{0}"] {
        let mut o = Options::default();
        o.format = Format::Plain;
        o.cookie_attributes = attrs.into();
        assert!(SessionManager::new(o).is_err(), "{attrs:?}");
    }
}

/// CVE-2023-30861 (Flask): responses that set or depend on the session cookie were cacheable.
/// They carry `Cache-Control: private` and `Vary: Cookie`.
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cve_2023_30861_session_responses_are_private_and_vary_on_cookie() {
    let m = sealed(|o| o.max_age = 600);
    let set = |ops: &[HeaderOp], name: &str| {
        ops.iter().find_map(|o| match o {
            HeaderOp::Set(n, v) if n == name => Some(v.clone()),
            _ => None,
        })
    };
    let mut s = m.plan_request("GET", "app.example", "/", &[] as &[(&str, &str)], NOW).session.unwrap();
    let plan = m.plan_response(
        Some(&mut s),
        &[("x-replace-session", "user=alice"), ("cache-control", "public, max-age=3600")],
        NOW,
    );
    let lines: Vec<&str> = plan
        .headers
        .iter()
        .filter_map(|o| match o {
            HeaderOp::Append(n, v) if n == "set-cookie" => Some(v.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(set(&plan.headers, "cache-control").as_deref(), Some("private, no-store"));
    assert_eq!(set(&plan.headers, "vary").as_deref(), Some("Cookie"));
    let cookie = lines[0].split(';').next().unwrap().to_owned();
    let mut o = m.options().clone();
    o.max_age = 0;
    let quiet = SessionManager::new(o).unwrap();
    let mut s = quiet.plan_request("GET", "app.example", "/", &[("cookie", cookie)], NOW).session.unwrap();
    let carried = quiet.plan_response(
        Some(&mut s),
        &[("cache-control", "public, max-age=3600"), ("vary", "Accept-Encoding")],
        NOW,
    );
    assert!(carried.headers.iter().all(|o| o.name() != "set-cookie"));
    assert_eq!(set(&carried.headers, "cache-control").as_deref(), Some("private, no-cache"));
    assert_eq!(set(&carried.headers, "vary").as_deref(), Some("Accept-Encoding, Cookie"));
}
