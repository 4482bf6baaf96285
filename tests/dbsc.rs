//! Device-bound sessions (the `dbsc` feature): the proof vectors WebCrypto made
//! (tests/vectors/dbsc/proofs.json) and the whole protocol through the core's plans, driven as the
//! W3C draft's browser drives it, with a P-256 key of RustCrypto's signing here.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use edge_session::device_bound::{DeviceKey, ProofError, parse_proof};
use edge_session::proxy::{HeaderOp, Notice, RequestPlan};
use edge_session::{Options, SessionManager};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use serde_json::{Value, json};

const SECOND: u64 = 1_000_000;
const T0: u64 = 1_800_000_000 * SECOND;

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/dbsc/proofs.json")).unwrap()
}

/// A key of the proofs' JWK, through a registration proof's header (the crate's one JWK reader).
fn vector_key() -> DeviceKey {
    let v = vectors();
    let jwt = v["proofs"][0]["jwt"].as_str().unwrap();
    parse_proof(jwt).unwrap().key.unwrap()
}

#[test]
fn webcrypto_proofs_verify_or_not_as_made() {
    let v = vectors();
    let key = vector_key();
    for p in v["proofs"].as_array().unwrap() {
        let name = p["name"].as_str().unwrap();
        let parsed = parse_proof(p["jwt"].as_str().unwrap());
        match (&p["error"], &p["verifies"]) {
            (Value::String(code), _) => assert_eq!(parsed.unwrap_err().code(), code, "{name}"),
            (_, Value::Bool(ok)) => {
                let proof = parsed.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(proof.verify(&key).is_ok(), *ok, "{name}");
                if let Some(jti) = p["jti"].as_str() {
                    assert_eq!(proof.jti, jti, "{name}");
                }
            }
            _ => panic!("{name}: no outcome"),
        }
    }
    // RFC 7638's thumbprint of the JWK, computed here from its members.
    let jwk = &v["jwk"];
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        jwk["x"].as_str().unwrap(),
        jwk["y"].as_str().unwrap()
    );
    use sha2::Digest;
    assert_eq!(key.thumbprint(), B64.encode(sha2::Sha256::digest(canonical)));
    assert_eq!(DeviceKey::from_stored(&key.to_stored()), Some(key));
}

fn jwt(header: &Value, payload: &Value, key: &SigningKey) -> String {
    let input = format!("{}.{}", B64.encode(header.to_string()), B64.encode(payload.to_string()));
    let sig: Signature = key.sign(input.as_bytes());
    format!("{input}.{}", B64.encode(sig.to_bytes()))
}

fn jwk(key: &SigningKey) -> Value {
    let point = key.verifying_key().to_sec1_point(false);
    let b = point.as_bytes();
    json!({ "kty": "EC", "crv": "P-256", "x": B64.encode(&b[1..33]), "y": B64.encode(&b[33..65]) })
}

fn registration_proof(key: &SigningKey, challenge: &str) -> String {
    jwt(&json!({ "alg": "ES256", "typ": "dbsc+jwt", "jwk": jwk(key) }), &json!({ "jti": challenge }), key)
}

fn refresh_proof(key: &SigningKey, challenge: &str) -> String {
    jwt(&json!({ "alg": "ES256", "typ": "dbsc+jwt" }), &json!({ "jti": challenge }), key)
}

#[test]
fn malformed_and_misused_proofs_are_refused_with_a_code() {
    let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let h = |v: Value| B64.encode(v.to_string());
    let good = registration_proof(&key, "c");
    let sig = good.rsplit('.').next().unwrap();
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "malformed"),
        ("a.b.c.d".into(), "malformed"),
        ("!!!.e30.AA".into(), "malformed"),
        (
            format!("{}.{}.{sig}", h(json!({"alg": "RS256", "typ": "dbsc+jwt"})), h(json!({"jti": "c"}))),
            "unsupported-alg",
        ),
        (
            format!("{}.{}.{sig}", h(json!({"alg": "none", "typ": "dbsc+jwt"})), h(json!({"jti": "c"}))),
            "unsupported-alg",
        ),
        (format!("{}.{}.{sig}", h(json!({"alg": "ES256", "typ": "JWT"})), h(json!({"jti": "c"}))), "wrong-typ"),
        (format!("{}.{}.{sig}", h(json!({"alg": "ES256"})), h(json!({"jti": "c"}))), "wrong-typ"),
        (format!("{}.{}.{sig}", h(json!({"alg": "ES256", "typ": "dbsc+jwt"})), h(json!({"nojti": 1}))), "malformed"),
        (format!("{}.{}.{sig}", h(json!({"alg": "ES256", "typ": "dbsc+jwt"})), h(json!({"jti": 5}))), "malformed"),
        (
            format!(
                "{}.{}.{sig}",
                h(
                    json!({"alg": "ES256", "typ": "dbsc+jwt", "jwk": {"kty": "EC", "crv": "P-384", "x": "AA", "y": "AA"}})
                ),
                h(json!({"jti": "c"}))
            ),
            "bad-key",
        ),
        (
            format!(
                "{}.{}.{sig}",
                h(
                    json!({"alg": "ES256", "typ": "dbsc+jwt", "jwk": {"kty": "EC", "crv": "P-256", "x": B64.encode([1u8; 32]), "y": B64.encode([2u8; 32])}})
                ),
                h(json!({"jti": "c"}))
            ),
            "bad-key",
        ),
        (
            format!(
                "{}.{}.{}",
                h(json!({"alg": "ES256", "typ": "dbsc+jwt"})),
                h(json!({"jti": "c"})),
                B64.encode([0u8; 64])
            ),
            "bad-signature",
        ),
        ("x".repeat(5000), "too-large"),
    ];
    for (input, code) in cases {
        assert_eq!(parse_proof(&input).map(|_| ()).unwrap_err().code(), code, "{input:.80}");
    }
    assert!(matches!(parse_proof(&format!("\"{good}\"")), Ok(p) if p.jti == "c"));
    assert_eq!(ProofError::TooLarge { len: 5000 }.code(), "too-large");
}

// ---- the protocol, through the plans ----------------------------------------------------------

struct Browser {
    m: SessionManager,
    jar: Vec<(String, String)>,
    device: SigningKey,
    now: u64,
}

fn manager() -> SessionManager {
    let mut o = Options::default();
    o.keys = vec![edge_session::generate_key().unwrap()];
    o.device_bound = true;
    SessionManager::new(o).unwrap()
}

fn set_cookies(ops: &[HeaderOp]) -> Vec<String> {
    ops.iter()
        .filter_map(|o| match o {
            HeaderOp::Append(n, v) if n == "set-cookie" => Some(v.clone()),
            _ => None,
        })
        .collect()
}

fn header(ops: &[HeaderOp], name: &str) -> Option<String> {
    ops.iter().find_map(|o| match o {
        HeaderOp::Set(n, v) if n == name => Some(v.clone()),
        _ => None,
    })
}

fn quoted<'a>(value: &'a str, key: &str) -> &'a str {
    let at = value.find(&format!("{key}=\"")).unwrap() + key.len() + 2;
    let rest = &value[at..];
    &rest[..rest.find('"').unwrap()]
}

impl Browser {
    fn new(m: SessionManager) -> Self {
        Self { m, jar: Vec::new(), device: SigningKey::from_slice(&[42u8; 32]).unwrap(), now: T0 }
    }

    fn cookie(&self) -> String {
        self.jar.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn take(&mut self, lines: Vec<String>) {
        for line in lines {
            let pair = line.split(';').next().unwrap();
            let (n, v) = pair.split_once('=').unwrap();
            self.jar.retain(|(k, _)| k != n);
            if !v.is_empty() && !line.contains("Max-Age=0") {
                self.jar.push((n.to_owned(), v.to_owned()));
            }
        }
    }

    fn request(&self, method: &str, path: &str, extra: &[(&str, &str)]) -> RequestPlan {
        let mut headers: Vec<(String, String)> = vec![("cookie".into(), self.cookie())];
        headers.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
        self.m.plan_request(method, "app.example", path, &headers, self.now)
    }

    /// A page: the origin answers with `update` (its SessionHeader); the X-Session value it saw,
    /// the response's operations and the notices.
    fn page(&mut self, update: Option<&str>) -> (String, Vec<HeaderOp>, Vec<Notice>) {
        let plan = self.request("GET", "/account", &[]);
        assert!(plan.answer.is_none());
        let env = header(&plan.headers, "x-session").unwrap_or_default();
        let mut notices = plan.notices;
        let mut session = plan.session.unwrap();
        let origin: Vec<(&str, &str)> = update.map(|u| ("x-replace-session", u)).into_iter().collect();
        let out = self.m.plan_response(Some(&mut session), &origin, self.now);
        notices.extend(out.notices);
        self.take(set_cookies(&out.headers));
        (env, out.headers, notices)
    }

    /// A POST to a DBSC endpoint: status, headers, JSON body.
    fn endpoint(&mut self, which: &str, extra: &[(&str, &str)]) -> (u16, Vec<HeaderOp>, Value) {
        let plan = self.request("POST", &format!("/__edge-session/dbsc/{which}"), extra);
        let answer = plan.answer.expect("an endpoint answers itself");
        self.take(set_cookies(&answer.headers));
        (answer.status, answer.headers, serde_json::from_str(&answer.body).unwrap())
    }

    /// Logs in and registers the device key: the session identifier and the next challenge.
    fn bind(&mut self) -> (String, String) {
        let (_, ops, _) = self.page(Some("user=alice"));
        let offer = header(&ops, "secure-session-registration").expect("a login is offered a binding");
        assert!(offer.starts_with("(ES256);path=\"/__edge-session/dbsc/register\";challenge=\""), "{offer}");
        let proof = registration_proof(&self.device, quoted(&offer, "challenge"));
        let (status, ops, body) = self.endpoint("register", &[("secure-session-response", &proof)]);
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["refresh_url"], "/__edge-session/dbsc/refresh");
        assert_eq!(body["credentials"][0]["name"], "session_bound");
        assert_eq!(body["credentials"][0]["attributes"], "Path=/; HttpOnly; Secure; SameSite=Lax");
        assert!(self.jar.iter().any(|(n, _)| n == "session_bound"));
        // It sets cookies: private, never stored, and varying with the cookie.
        assert_eq!(header(&ops, "cache-control").as_deref(), Some("private, no-store"));
        assert_eq!(header(&ops, "vary").as_deref(), Some("Cookie"));
        let id = body["session_identifier"].as_str().unwrap().to_owned();
        let challenge = header(&ops, "secure-session-challenge").unwrap();
        assert!(challenge.ends_with(&format!(";id=\"{id}\"")));
        (id, challenge.split('"').nth(1).unwrap().to_owned())
    }

    fn without(&self, name: &str) -> Self {
        Self {
            m: manager_like(&self.m),
            jar: self.jar.iter().filter(|(n, _)| n != name).cloned().collect(),
            device: self.device.clone(),
            now: self.now,
        }
    }
}

fn manager_like(m: &SessionManager) -> SessionManager {
    SessionManager::new(m.options().clone()).unwrap()
}

#[test]
fn a_bound_session_needs_its_bound_cookie() {
    let mut b = Browser::new(manager());
    let (_, ops, _) = b.page(Some("user=alice"));
    assert!(header(&ops, "secure-session-registration").is_some());
    // Not bound yet: the session cookie alone works, and the offer is made once.
    let (env, ops, _) = b.page(None);
    assert!(env.starts_with("user=alice&!issued="), "{env}");
    assert!(header(&ops, "secure-session-registration").is_none());

    let mut b = Browser::new(manager());
    b.bind();
    let (env, _, notices) = b.page(None);
    assert!(env.starts_with("user=alice&!bound=1&!issued="), "{env}");
    assert!(notices.is_empty(), "{notices:?}");

    // The stolen session cookie alone: no session, a notice, and the real cookie is left alone.
    let mut thief = b.without("session_bound");
    let (env, ops, notices) = thief.page(None);
    assert_eq!(env, "");
    assert!(set_cookies(&ops).is_empty());
    assert!(notices.iter().any(|n| matches!(n, Notice::DeviceBound { event: "unbound", .. })), "{notices:?}");
    assert!(notices[0].to_json().contains("\"step\":\"unbound\""));

    // The bound cookie expires after device_bound_max_age.
    b.now += 601 * SECOND;
    assert_eq!(b.page(None).0, "");
}

#[test]
fn refresh_takes_only_a_fresh_proof_of_the_bound_key() {
    let mut b = Browser::new(manager());
    let (id, _) = b.bind();
    b.now += 700 * SECOND; // the bound cookie has expired
    let sid = format!("\"{id}\"");

    // No proof: 403 and a challenge.
    let (status, ops, _) = b.endpoint("refresh", &[("sec-secure-session-id", &sid)]);
    assert_eq!(status, 403);
    let challenge = header(&ops, "secure-session-challenge").unwrap();
    let challenge = challenge.split('"').nth(1).unwrap().to_owned();

    // Another key's proof: refused.
    let other = SigningKey::from_slice(&[9u8; 32]).unwrap();
    let (status, _, body) = b.endpoint(
        "refresh",
        &[("sec-secure-session-id", &sid), ("secure-session-response", &refresh_proof(&other, &challenge))],
    );
    assert_eq!((status, body["error"].as_str()), (400, Some("bad-signature")));

    // The device's: a new bound cookie, the page works again.
    let proof = refresh_proof(&b.device, &challenge);
    let (status, _, body) =
        b.endpoint("refresh", &[("sec-secure-session-id", &sid), ("secure-session-response", &proof)]);
    assert_eq!((status, body["session_identifier"].as_str()), (200, Some(id.as_str())));
    assert!(b.page(None).0.starts_with("user=alice&!bound=1"));

    // The same proof again (a replay): refused, with a fresh challenge.
    let (status, ops, body) =
        b.endpoint("refresh", &[("sec-secure-session-id", &sid), ("secure-session-response", &proof)]);
    assert_eq!((status, body["error"].as_str()), (403, Some("stale-challenge")));
    let fresh = header(&ops, "secure-session-challenge").unwrap();
    let fresh = fresh.split('"').nth(1).unwrap().to_owned();

    // An expired challenge: refused.
    b.now += 301 * SECOND;
    let (status, _, _) = b.endpoint(
        "refresh",
        &[("sec-secure-session-id", &sid), ("secure-session-response", &refresh_proof(&b.device, &fresh))],
    );
    assert_eq!(status, 403);

    // A registration proof for a bound session: refused.
    let (status, _, body) =
        b.endpoint("register", &[("secure-session-response", &registration_proof(&b.device, &fresh))]);
    assert_eq!((status, body["error"].as_str()), (400, Some("already-bound")));

    // GET on an endpoint: 405.
    let plan = b.request("GET", "/__edge-session/dbsc/refresh", &[]);
    assert_eq!(plan.answer.unwrap().status, 405);
}

#[test]
fn logout_and_regeneration_end_the_binding() {
    let mut b = Browser::new(manager());
    let (id, challenge) = b.bind();
    let (_, ops, _) = b.page(Some("!clear=1"));
    let lines = set_cookies(&ops);
    assert!(
        lines.iter().any(|l| l.starts_with("session=;")) && lines.iter().any(|l| l.starts_with("session_bound=;")),
        "{lines:?}"
    );
    assert!(b.jar.is_empty());
    // The browser's refresh now ends its device-bound session.
    let proof = refresh_proof(&b.device, &challenge);
    let (status, _, body) =
        b.endpoint("refresh", &[("sec-secure-session-id", &id), ("secure-session-response", &proof)]);
    assert_eq!(
        (status, &body["continue"], body["session_identifier"].as_str()),
        (200, &json!(false), Some(id.as_str()))
    );

    // A login again on a bound session (regenerate): a new binding is offered under a new identifier.
    let mut b = Browser::new(manager());
    let (id, _) = b.bind();
    let (_, ops, _) = b.page(Some("!regenerate=1&user=bob"));
    let offer = header(&ops, "secure-session-registration").unwrap();
    assert!(!offer.contains(&id));
    // An origin cannot bind a session, nor change what the proxy tells it.
    let mut o = Browser::new(manager());
    o.page(Some("user=eve"));
    o.page(Some(&format!("!device={id}.0.{}&!bound=1&!issued=1", vector_key().to_stored())));
    assert!(!o.page(None).0.contains("!bound"));
}

#[test]
fn revocation_ends_a_bound_session() {
    let mut b = Browser::new(manager());
    let (id, challenge) = b.bind();
    let plan = b.request("POST", "/__edge-session/dbsc/refresh", &[("sec-secure-session-id", &id)]);
    assert_eq!(plan.answer.unwrap().status, 403);
    // The operator revokes everything issued before now (the Worker's SESSION_REVOKED_BEFORE): the
    // session the face loads is ended, and so is the binding.
    let headers = vec![("cookie".to_owned(), b.cookie()), ("sec-secure-session-id".to_owned(), id.clone())];
    let mut s = b.m.load(Some(&b.cookie()), b.now);
    assert!(b.m.revoke_if_issued_before(&mut s, b.now + 1));
    let plan = b.m.plan_request_for(Some(s), "POST", "app.example", "/__edge-session/dbsc/refresh", &headers, b.now);
    let answer = plan.answer.unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.body.contains("\"continue\":false"), "{}", answer.body);
    let _ = challenge;
}

#[test]
fn options_refuse_what_cannot_work() {
    let mut o = Options::default();
    o.keys = vec![edge_session::generate_key().unwrap()];
    o.device_bound = true;
    o.token_context = "store".into();
    assert!(SessionManager::new(o.clone()).unwrap_err().to_string().contains("device_bound: needs the sealed format"));
    o.token_context = String::new();
    o.device_bound_path = "/x/".into();
    assert!(SessionManager::new(o).is_err());
}

#[test]
fn the_inspector_names_the_device_key_and_the_bound_cookies_expiry() {
    use edge_session::inspect::{InspectOptions, inspect};
    let mut b = Browser::new(manager());
    b.bind();
    let mut o = InspectOptions::default();
    o.keys = b.m.options().keys.clone();
    o.now = b.now;
    let i = inspect(&format!("Cookie: {}", b.cookie()), &o);
    let point = b.device.verifying_key().to_sec1_point(false);
    let device = DeviceKey::from_stored(&B64.encode(point.as_bytes())).unwrap();
    assert_eq!(i.device_key.as_deref(), Some(device.thumbprint().as_str()));
    assert_eq!(i.bound_expires, Some(b.now + 600 * SECOND));
    // The session cookie alone: bound, the bound cookie's expiry unknown; without keys: neither.
    let alone = b.jar.iter().find(|(n, _)| n == "session").map(|(n, v)| format!("{n}={v}")).unwrap();
    let i = inspect(&alone, &o);
    assert!(i.device_key.is_some() && i.bound_expires.is_none());
    assert_eq!(inspect(&alone, &InspectOptions::default()).device_key, None);
    // A session that is not bound.
    let mut plain = Browser::new(manager());
    plain.page(Some("user=bob"));
    o.keys = plain.m.options().keys.clone();
    assert_eq!(inspect(&plain.cookie(), &o).device_key, None);
}

#[test]
fn soft_binding_reports_a_changed_client_and_can_regenerate() {
    use edge_session::device_bound::ClientBinding;
    const CHROME: &str =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0 Safari/537.36";
    const FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; rv:140.0) Gecko/20100101 Firefox/140.0";
    for mode in [ClientBinding::Report, ClientBinding::Regenerate] {
        let mut o = Options::default();
        o.keys = vec![edge_session::generate_key().unwrap()];
        o.client_binding = mode;
        let m = SessionManager::new(o).unwrap();
        let visit = |cookie: &str, ua: &str, network: Option<&str>, update: Option<&str>| {
            let headers = [("cookie", cookie.to_owned()), ("user-agent", ua.to_owned())];
            let mut s = m.load(Some(cookie), T0);
            if let Some(n) = network {
                s.set_client_network(n);
            }
            let plan = m.plan_request_for(Some(s), "GET", "app.example", "/", &headers, T0);
            let env = header(&plan.headers, "x-session").unwrap_or_default();
            let mut s = plan.session.unwrap();
            let origin: Vec<(&str, &str)> = update.map(|u| ("x-replace-session", u)).into_iter().collect();
            let out = m.plan_response(Some(&mut s), &origin, T0);
            let written = set_cookies(&out.headers).first().map(|l| l.split(';').next().unwrap().to_owned());
            (env, written.unwrap_or_else(|| cookie.to_owned()), plan.notices)
        };
        let (_, cookie, _) = visit("", CHROME, Some("AS1/FR"), Some("user=alice"));
        // The same browser family (another version) on the same network: nothing said.
        let (env, _, notices) = visit(&cookie, &CHROME.replace("146.0", "147.0"), Some("AS1/FR"), None);
        assert!(env.starts_with("user=alice") && !env.contains("!client"), "{env}");
        assert!(notices.is_empty());
        // Another browser: reported, never a logout.
        let (env, next, notices) = visit(&cookie, FIREFOX, Some("AS1/FR"), None);
        assert!(env.starts_with("user=alice") && env.ends_with("&!client=changed"), "{env}");
        assert!(matches!(&notices[..], [Notice::ClientChanged(d)] if d.starts_with(mode.as_str())), "{notices:?}");
        // Another network, same browser: reported too.
        let (env, _, _) = visit(&cookie, CHROME, Some("AS2/DE"), None);
        assert!(env.ends_with("!client=changed"), "{env}");
        // `report` keeps the login's fingerprint; `regenerate` wrote a new session from that client,
        // whose next request is quiet.
        let (env, _, notices) = visit(&next, FIREFOX, Some("AS1/FR"), None);
        match mode {
            ClientBinding::Report => assert!(next == cookie && env.ends_with("!client=changed"), "{env}"),
            _ => assert!(next != cookie && !env.contains("!client") && notices.is_empty(), "{env}"),
        }
    }
    // The origin cannot set or read the fingerprint.
    let mut s = edge_session::Session::new();
    s.apply_update("!fp=0011223344556677&!client=changed&a=1").unwrap();
    assert_eq!(s.to_string(), "a=1");
}
