//! cipher/src/sha256.rs against the crates it replaced (`sha2`, `hmac`), and the origin
//! signature's verifier on anything: for any key, message and split, the same SHA-256 and
//! HMAC-SHA256; for any header, method, target and session, an answer and never a panic, and a
//! signature made over those parts verifies while any other session does not.
#![no_main]
use std::sync::LazyLock;

use edge_session::{verify_signature, Format, HeaderOp, Options, SessionManager, SignatureError};
use edge_session_cipher::sha256::{Hmac, Sha256};
use hmac::Mac as _;
use libfuzzer_sys::fuzz_target;
use sha2::Digest as _;

const SECRET: &str = "an origin secret of at least 32 characters, fuzz";
const NOW: u64 = 1_800_000_000_000_000;

/// A front proxy in the plain format (the signature does not depend on the format) with the secret.
static PROXY: LazyLock<SessionManager> = LazyLock::new(|| {
    let mut o = Options::default();
    o.format = Format::Plain;
    o.origin_secret = SECRET.into();
    SessionManager::new(o).unwrap()
});

fuzz_target!(|data: &[u8]| {
    // The first byte picks where the key ends, the second where the message is split.
    let (cut, split, rest) = match data {
        [a, b, rest @ ..] => (usize::from(*a) * rest.len() / 256, usize::from(*b), rest),
        _ => return,
    };
    let (key, message) = rest.split_at(cut.min(rest.len()));
    let split = split.min(message.len());
    let (head, tail) = message.split_at(split);

    let ours = Sha256::new().chain(head).chain(tail).finish();
    assert_eq!(ours[..], sha2::Sha256::digest(message)[..]);

    let ours = Hmac::new(key).chain(head).chain(tail).finish();
    let mut theirs = <hmac::Hmac<sha2::Sha256> as hmac::Mac>::new_from_slice(key).unwrap();
    theirs.update(message);
    assert_eq!(ours[..], theirs.finalize().into_bytes()[..]);

    // The verifier, on arbitrary text in every place.
    let text = String::from_utf8_lossy(rest);
    let mut parts = text.splitn(4, '\n');
    let (header, method, target, session) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let _ = verify_signature(&[SECRET, &String::from_utf8_lossy(key)], Some(header), method, target, session, NOW, 300);

    // What the front proxy signs, for a session from the cookie, verifies; another session does not.
    let cookie = format!("session={session}");
    let plan = PROXY.plan_request(method, target, &[("cookie", cookie.as_str())], NOW);
    let found = |name: &str| {
        plan.headers.iter().find_map(|op| match op {
            HeaderOp::Set(n, v) if n == name => Some(v.clone()),
            _ => None,
        })
    };
    // A proxy with a secret signs every request it forwards.
    let signature = found("x-session-signature").expect("a signature header");
    let sent = found("x-session").unwrap_or_default();
    assert_eq!(verify_signature(&[SECRET], Some(&signature), method, target, &sent, NOW, 300), Ok(()));
    let other = format!("{sent}x");
    let refused = verify_signature(&[SECRET], Some(&signature), method, target, &other, NOW, 300);
    assert_eq!(refused, Err(SignatureError::Mismatch));
});
