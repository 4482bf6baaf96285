//! DBSC proofs (`parse_proof`, the JWT a browser sends in Secure-Session-Response): any bytes,
//! as text and as the three base64url parts of a JWS, are read without a panic, and never verify
//! with a key that did not sign them; the device-bound endpoints answer any proof with a 4xx or a
//! 200, never anything else.
#![no_main]
use base64::Engine as _;
use edge_session::device_bound::{DeviceKey, parse_proof};
use edge_session::{Options, SessionManager};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The draft's example key (compressed), which signed nothing here.
const KEY: &str = "A-vxgdr6ENKq6DIejpQxQhUv0ia4kItT077wToRmd2xy";
const NOW: u64 = 1_800_000_000_000_000;

fn manager() -> &'static SessionManager {
    static M: OnceLock<SessionManager> = OnceLock::new();
    M.get_or_init(|| {
        let mut o = Options::default();
        o.keys = vec!["base64:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=".into()];
        o.device_bound = true;
        SessionManager::new(o).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let key = DeviceKey::from_stored(KEY).unwrap();
    let text = String::from_utf8_lossy(data);
    if let Ok(p) = parse_proof(&text) {
        let _ = p.verify(&key);
    }
    // The bytes split in three, each base64url: the JSON parser and the signature reader explored.
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let cut = |i: usize| data.len() * i / 3;
    let jws = format!("{}.{}.{}", b64.encode(&data[..cut(1)]), b64.encode(&data[cut(1)..cut(2)]), b64.encode(&data[cut(2)..]));
    if let Ok(p) = parse_proof(&jws) {
        assert!(p.verify(&key).is_err(), "a proof verified with a key that signed nothing");
        if let Some(k) = &p.key {
            let _ = (k.thumbprint(), DeviceKey::from_stored(&k.to_stored()));
        }
    }
    for (path, sid) in [("/__edge-session/dbsc/refresh", text.as_ref()), ("/__edge-session/dbsc/register", "")] {
        let headers = [("secure-session-response", jws.as_str()), ("sec-secure-session-id", sid)];
        let plan = manager().plan_request("POST", "app.example", path, &headers, NOW);
        let status = plan.answer.map(|a| a.status).unwrap_or(0);
        assert!(status == 200 || (400..500).contains(&status), "status {status}");
    }
});
