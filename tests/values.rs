//! The API people expect, end to end through save and load: values with their types, flash
//! entries, a session's own max age ("remember me"), `!clear`, sealed tokens, and the misuse the
//! options refuse.

use edge_session::wire::{CLEAR_KEY, MAX_AGE_KEY};
use edge_session::{ConfigError, CookieError, Format, LoadStatus, Options, Session, SessionManager, TokenError, Value};

const NOW: u64 = 1_800_000_000_000_000;
const SEC: u64 = 1_000_000;

fn options(format: Format) -> Options {
    let mut o = Options::default();
    o.format = format;
    o.keys = match format {
        Format::Plain => Vec::new(),
        Format::Apache => vec!["a passphrase of more than thirty-two characters".into()],
        _ => vec![edge_session::generate_key().unwrap()],
    };
    o.max_age = 600;
    o
}

fn manager(format: Format) -> SessionManager {
    SessionManager::new(options(format)).unwrap()
}

/// Saves and returns the Cookie header the browser sends next ("" when the cookie was removed).
fn round(m: &SessionManager, s: &mut Session, now: u64) -> String {
    let lines = m.save_all(s, now).unwrap();
    lines
        .iter()
        .filter(|l| !l.contains("Max-Age=0"))
        .map(|l| l.split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

fn formats() -> Vec<Format> {
    let mut f = vec![Format::Sealed, Format::Plain];
    if cfg!(feature = "apache") {
        f.push(Format::Apache);
    }
    f
}

#[test]
fn typed_values_survive_a_save_and_a_load_in_every_format() {
    for format in formats() {
        let m = manager(format);
        let mut s = m.load(None, NOW);
        s.insert("user", "alice smith").unwrap();
        s.set_value("count", Value::Json("1")).unwrap();
        s.set_value("cart", Value::Json(r#"{"items":[1,2]}"#)).unwrap();
        s.set_value("ok", Value::Json("true")).unwrap();
        let cookie = round(&m, &mut s, NOW);
        let back = m.load(Some(&cookie), NOW + SEC);
        assert_eq!(back.status(), LoadStatus::Loaded, "{format:?}");
        assert_eq!(back.value("user"), Some(Value::Text("alice smith")));
        assert_eq!(back.value("count"), Some(Value::Json("1")));
        assert_eq!(back.value("cart"), Some(Value::Json(r#"{"items":[1,2]}"#)));
        assert_eq!(back.get("user"), Some("alice smith"), "strings as mod_session stores them");
        let keys: Vec<&str> = back.values().map(|(k, _)| k).collect();
        assert_eq!(keys, ["user", "count", "cart", "ok"]);
    }
}

#[test]
fn a_key_holds_one_value_and_strings_stay_apache_strings() {
    let mut s = Session::new();
    s.insert("user", "alice").unwrap();
    s.set_value("n", Value::Json("1")).unwrap();
    assert_eq!(s.to_string(), "user=alice&n.json=1");
    s.insert("n", "one").unwrap();
    assert_eq!(s.to_string(), "user=alice&n=one", "the string replaces the JSON form");
    s.set_value("n", Value::Json("[1]")).unwrap();
    assert_eq!(s.to_string(), "user=alice&n.json=%5b1%5d");
    assert_eq!(s.remove("n").as_deref(), Some("[1]"));
    assert_eq!(s.to_string(), "user=alice");
    for key in ["expiry", "!x", "a.json", "flash.a"] {
        assert!(s.insert(key, "v").is_err(), "{key}");
        assert!(s.set_value(key, Value::Json("1")).is_err(), "{key}");
    }
    assert!(s.set_value("e", Value::Json("")).is_err());
    // An origin writes the stored names through the SessionHeader.
    s.apply_update("cart.json=%7B%22items%22%3A%5B3%5D%7D&user=").unwrap();
    assert_eq!(s.value("cart"), Some(Value::Json(r#"{"items":[3]}"#)));
    assert_eq!(s.value("user"), None);
    // Through the SessionHeader too, a key holds one value (found by the random test below).
    s.apply_update("cart=none").unwrap();
    assert_eq!((s.value("cart"), s.get("cart.json")), (Some(Value::Text("none")), None));
    s.apply_update("cart.json=2").unwrap();
    assert_eq!((s.value("cart"), s.get("cart")), (Some(Value::Json("2")), None));
}

#[test]
fn a_flash_is_seen_on_the_next_request_only() {
    for format in formats() {
        let m = manager(format);
        let mut s = m.load(None, NOW);
        s.insert("user", "alice").unwrap();
        s.flash("notice", Value::Text("Saved")).unwrap();
        assert_eq!(s.value("notice"), None, "not on the request that set it");
        let c1 = round(&m, &mut s, NOW);

        let mut s = m.load(Some(&c1), NOW + SEC);
        assert_eq!(s.value("notice"), Some(Value::Text("Saved")), "{format:?}");
        assert!(s.to_string().contains("flash.notice=Saved"), "the origin sees it in X-Session");
        assert!(s.is_modified(), "showing a flash changes the session");
        let c2 = round(&m, &mut s, NOW + SEC);
        assert_eq!(s.value("notice"), None, "gone after the save");

        let mut s = m.load(Some(&c2), NOW + 2 * SEC);
        assert_eq!((s.value("notice"), s.get("user")), (None, Some("alice")));
        // Set again while shown: kept for the next request.
        s.apply_update("flash.notice=Again").unwrap();
        let c3 = round(&m, &mut s, NOW + 2 * SEC);
        let s = m.load(Some(&c3), NOW + 3 * SEC);
        assert_eq!(s.value("notice"), Some(Value::Text("Again")));
    }
}

#[test]
fn a_flash_alone_ends_with_its_showing() {
    let m = manager(Format::Sealed);
    let mut s = m.load(None, NOW);
    s.flash("undo", Value::Json("[1,2]")).unwrap();
    let c = round(&m, &mut s, NOW);
    let mut s = m.load(Some(&c), NOW + SEC);
    assert_eq!(s.value("undo"), Some(Value::Json("[1,2]")));
    let lines = m.save_all(&mut s, NOW + SEC).unwrap();
    assert!(lines.len() == 1 && lines[0].contains("Max-Age=0"), "{lines:?}");
}

#[test]
fn a_session_max_age_slides_on_every_later_write() {
    let mut o = options(Format::Sealed);
    o.expiry_update_interval = 60;
    let m = SessionManager::new(o).unwrap();
    let month = 30 * 86_400;
    let mut s = m.load(None, NOW);
    s.insert("user", "alice").unwrap();
    s.set_max_age(Some(month)).unwrap();
    let line = m.save(&mut s, NOW).unwrap().unwrap();
    assert!(line.contains(&format!("Max-Age={month};")), "{line}");
    let c = line.split(';').next().unwrap().to_owned();
    // A day later, unchanged: the expiry slides by the session's month, not the manager's 600 s.
    let mut s = m.load(Some(&c), NOW + 86_400 * SEC);
    assert_eq!(s.max_age(), Some(month));
    let line = m.save(&mut s, NOW + 86_400 * SEC).unwrap().unwrap();
    assert!(line.contains(&format!("Max-Age={month};")), "{line}");
    assert_eq!(s.expiry(), Some(NOW + (86_400 + month) * SEC));
    // The manager's 600 s would have ended it long ago.
    let c = line.split(';').next().unwrap().to_owned();
    assert_eq!(m.load(Some(&c), NOW + 20 * 86_400 * SEC).status(), LoadStatus::Loaded);
    // Back to the manager's max age, by an origin.
    let mut s = m.load(Some(&c), NOW + 2 * 86_400 * SEC);
    s.apply_update(&format!("{MAX_AGE_KEY}=0")).unwrap();
    let line = m.save(&mut s, NOW + 2 * 86_400 * SEC).unwrap().unwrap();
    assert!(line.contains("Max-Age=600;"), "{line}");
    assert!(s.set_max_age(Some(edge_session::limits::MAX_SECONDS + 1)).is_err());
}

#[test]
fn clear_in_an_update_ends_every_entry_first() {
    let mut s = Session::new();
    s.apply_update("user=alice&role=admin&!maxage=99").unwrap();
    s.apply_update(&format!("{CLEAR_KEY}=1&user=bob")).unwrap();
    assert_eq!(s.to_string(), "user=bob");
    assert_eq!(s.max_age(), None);
    // Never stored, and ignored in a stored string.
    let m = manager(Format::Plain);
    let s = m.load(Some("session=a=1&!clear=1&b=2"), NOW);
    assert_eq!(s.to_string().split("&expiry").next(), Some("a=1&b=2"));
}

#[test]
fn tokens_are_bound_to_their_purpose_keys_and_lifetime() {
    let key_a = edge_session::generate_key().unwrap();
    let key_b = edge_session::generate_key().unwrap();
    let with = |keys: Vec<String>| {
        let mut o = Options::default();
        o.keys = keys;
        SessionManager::new(o).unwrap()
    };
    let m = with(vec![key_a.clone()]);
    let t = m.seal_token("magic-link", r#"{"email":"a@example.com"}"#, 900, NOW).unwrap();
    assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'), "URL-safe: {t}");
    assert_eq!(m.open_token(&t, "magic-link", NOW + 899 * SEC).as_deref(), Some(r#"{"email":"a@example.com"}"#));
    assert_eq!(m.open_token(&t, "magic-link", NOW + 900 * SEC), None, "expired");
    assert_eq!(m.open_token(&t, "invite", NOW), None, "another purpose");
    let mut tampered = t.clone().into_bytes();
    let last = tampered.len() - 5;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    assert_eq!(m.open_token(&String::from_utf8(tampered).unwrap(), "magic-link", NOW), None);
    // Rotation: a token made with an older key opens while that key is in the ring.
    let rotated = with(vec![key_b.clone(), key_a]);
    assert!(rotated.open_token(&t, "magic-link", NOW).is_some());
    assert_eq!(with(vec![key_b]).open_token(&t, "magic-link", NOW), None);
    // A token is never a cookie, and a cookie never a token.
    assert!(m.load(Some(&format!("session={t}")), NOW).is_empty());
    let mut s = m.load(None, NOW);
    s.insert("a", "1").unwrap();
    let cookie = m.save(&mut s, NOW).unwrap().unwrap();
    let value = cookie.split(';').next().unwrap().strip_prefix("session=").unwrap();
    assert_eq!(m.open_token(value, "session", NOW), None);
    assert_eq!(m.open_token(value, "", NOW), None);
    // Misuse is an error.
    assert_eq!(m.seal_token("", "x", 60, NOW), Err(TokenError::EmptyPurpose));
    assert!(matches!(m.seal_token("p", "x", 0, NOW), Err(TokenError::TtlOutOfRange { .. })));
    assert!(matches!(m.seal_token("p", &"x".repeat(5000), 60, NOW), Err(TokenError::DataTooLarge { .. })));
    assert_eq!(manager(Format::Plain).seal_token("p", "x", 60, NOW), Err(TokenError::NotSealed));
}

#[test]
fn headers_a_proxy_must_not_take_over_are_refused() {
    for name in ["Cookie", "set-cookie", "Host", "Authorization", "Content-Length", "Transfer-Encoding", "Connection"] {
        for env in [false, true] {
            let mut o = options(Format::Sealed);
            if env {
                o.env_header = name.into();
            } else {
                o.header = name.into();
            }
            let e = SessionManager::new(o).unwrap_err();
            assert!(matches!(e, ConfigError::ProtectedHeader(..)), "{name}: {e}");
            assert!(e.to_string().contains(name), "{e}");
        }
    }
    let mut o = options(Format::Sealed);
    o.cookie_attributes = "Path=/; HttpOnly; Partitioned".into();
    assert_eq!(SessionManager::new(o).unwrap_err(), ConfigError::Cookie(CookieError::PartitionedWithoutSecure));
    let mut o = options(Format::Sealed);
    o.cookie_attributes = "Path=/; Secure; Partitioned".into();
    assert!(SessionManager::new(o).is_ok());
}

/// What the `typed_values` fuzz target checks, run here on 2000 pseudo-random sequences (the
/// fuzzers need a nightly toolchain; this runs in every test run): a key never holds both a string
/// and a JSON value, and a saved session loads as it was.
#[test]
fn random_operation_sequences_keep_one_value_per_key_and_load_as_saved() {
    let m = manager(Format::Sealed);
    let keys = ["a", "b", "cart", "user"];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..2000 {
        let mut s = m.load(None, NOW);
        for _ in 0..(next() % 12) {
            let (kind, key, value) = (next() % 6, keys[(next() % 4) as usize], next() % 7);
            let text = value.to_string();
            let _ = match kind {
                0 => s.insert(key, &text).map(|_| ()),
                1 => s.set_value(key, Value::Json(&text)),
                2 => s.flash(key, Value::Text(&text)),
                3 => {
                    s.remove(key);
                    Ok(())
                }
                4 => s.apply_update(&format!("{key}.json={text}&!maxage={}", value % 3)),
                _ => s.set_max_age(Some(value)),
            };
            for k in keys {
                let both = s.iter().any(|(n, _)| n == k) && s.iter().any(|(n, _)| n == format!("{k}.json"));
                assert!(!both, "{k} holds a string and a JSON value: {s}");
            }
        }
        let stored: Vec<(String, String)> = s.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        let max_age = s.max_age();
        let cookie = round(&m, &mut s, NOW);
        if !stored.is_empty() {
            // (A moment later: a max age of 1 s is a valid choice, over a second later.)
            let back = m.load(Some(&cookie), NOW + 1);
            let again: Vec<(String, String)> = back.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
            assert_eq!((again, back.max_age()), (stored, max_age));
        }
    }
}
