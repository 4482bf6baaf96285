//! Origin authentication: the front proxy signs what it tells the origin, so that an origin
//! reachable directly can refuse a client's own `X-Session: user=admin`.
//!
//! Apache's SessionEnv never left the server; at the edge it crosses a network. With a secret
//! (`Options::origin_secret`, the Worker's `SESSION_ORIGIN_SECRET`) every request the proxy
//! forwards carries, beside the SessionEnv header (`X-Session`), its signature header (the
//! SessionEnv name and `-Signature`: `X-Session-Signature`):
//!
//! ```text
//! X-Session-Signature: t=<unix seconds>,v1=<base64url, no padding, of HMAC-SHA256(secret, message)>
//! message = "edge-session/v1" LF t LF METHOD LF target LF session
//!   secret   the secret's UTF-8 bytes, as configured
//!   t        the same decimal digits as in the header
//!   METHOD   the request method as sent (GET, POST, …)
//!   target   the path and query the origin receives (`/a/b?x=1`; no scheme or host)
//!   session  the SessionEnv header's value, empty when the request carries no session
//! ```
//!
//! The origin recomputes the HMAC over what it received, compares in constant time, and refuses a
//! signature older (or newer) than its tolerance ([`DEFAULT_TOLERANCE_SECS`]): a forged header
//! fails the MAC, one copied to another path or method fails the MAC, one replayed later fails
//! the time check. [`verify_signature`] is that check (the npm package's `verifySessionHeader`);
//! the README shows it in a few lines of Python.

use core::fmt;

use edge_session_cipher::sha256::Hmac;

use crate::text;
use edge_session_cipher::base64::{self, Alphabet, Padding};

/// What starts the signed message: the format's name and version.
const MESSAGE_LABEL: &str = "edge-session/v1";
/// The signature's version tag in the header.
const VERSION_TAG: &str = "v1";
/// How far (seconds) a signature's time may be from the verifier's clock, by default.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// The longest signature header a verifier reads (a valid one is under 70 bytes).
const MAX_HEADER_BYTES: usize = 256;
/// Bytes of an HMAC-SHA256.
const MAC_BYTES: usize = 32;

/// Why a signature was refused.
///
/// ```
/// assert_eq!(edge_session::SignatureError::Expired.as_str(), "expired");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// No signature header.
    Missing,
    /// Not `t=<digits>,v1=<base64url>`.
    Malformed,
    /// Its time is further from now than the tolerance (a replay, or a clock far off).
    Expired,
    /// The MAC does not match: forged, altered, sent to another path or method, or another secret.
    Mismatch,
}

impl SignatureError {
    /// A stable code: `missing`, `malformed`, `expired` or `mismatch`.
    ///
    /// ```
    /// assert_eq!(edge_session::SignatureError::Mismatch.as_str(), "mismatch");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Malformed => "malformed",
            Self::Expired => "expired",
            Self::Mismatch => "mismatch",
        }
    }
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "no session signature header",
            Self::Malformed => "the session signature header is not t=<seconds>,v1=<base64url>",
            Self::Expired => "the session signature is older (or newer) than the tolerance",
            Self::Mismatch => "the session signature does not match this request",
        })
    }
}

impl std::error::Error for SignatureError {}

/// The HMAC over the message for these parts.
fn mac(secret: &[u8], t: &str, method: &str, target: &str, session: &str) -> Hmac {
    let mut m = Hmac::new(secret);
    for (i, part) in [MESSAGE_LABEL, t, method, target, session].into_iter().enumerate() {
        if i > 0 {
            m.update(b"\n");
        }
        m.update(part.as_bytes());
    }
    m
}

/// The signature header's value for a request at `now` (µs).
pub(crate) fn sign(secret: &[u8], now: u64, method: &str, target: &str, session: &str) -> String {
    let t = text::decimal(now / 1_000_000);
    let tag = mac(secret, &t, method, target, session).finish();
    format!("t={t},{VERSION_TAG}={}", base64::encode(&tag, Alphabet::UrlSafe, false))
}

/// Checks a signature header (`header`, `None` when absent) against the request the origin
/// received: its method, target (path and query) and SessionEnv value (`""` when absent), at
/// `now` (µs), allowing `tolerance` seconds of age or clock skew. Several secrets may be given
/// while one is rotated: any of them may have signed.
///
/// ```
/// use edge_session::{Options, SessionManager, SignatureError, verify_signature};
/// let secret = "an origin secret of at least 32 characters, 2026";
/// let mut o = Options::default();
/// o.format = edge_session::Format::Plain;
/// o.origin_secret = secret.into();
/// let m = SessionManager::new(o).unwrap();
/// let now = 1_800_000_000_000_000;
/// let plan = m.plan_request("GET", "/account?tab=1", &[("cookie", "session=user=alice")], now);
/// let header = plan.headers.iter().find_map(|op| match op {
///     edge_session::HeaderOp::Set(n, v) if n == "x-session-signature" => Some(v.clone()),
///     _ => None,
/// });
/// let ok = verify_signature(&[secret], header.as_deref(), "GET", "/account?tab=1", "user=alice", now, 300);
/// assert_eq!(ok, Ok(()));
/// let other_path = verify_signature(&[secret], header.as_deref(), "GET", "/admin", "user=alice", now, 300);
/// assert_eq!(other_path, Err(SignatureError::Mismatch));
/// ```
pub fn verify_signature(
    secrets: &[&str],
    header: Option<&str>,
    method: &str,
    target: &str,
    session: &str,
    now: u64,
    tolerance: u64,
) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?.trim();
    if header.len() > MAX_HEADER_BYTES {
        return Err(SignatureError::Malformed);
    }
    let mut t = None;
    let mut tags = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v))
                if t.is_none() && !v.is_empty() && v.len() <= 20 && v.bytes().all(|b| b.is_ascii_digit()) =>
            {
                t = Some(v)
            }
            Some((VERSION_TAG, v)) => {
                let mut tag = [0u8; MAC_BYTES];
                match base64::decode_into(v, Alphabet::UrlSafe, Padding::None, &mut tag) {
                    Some(MAC_BYTES) => tags.push(tag),
                    _ => return Err(SignatureError::Malformed),
                }
            }
            // Other versions are for other verifiers; anything else is not a signature.
            Some((k, _)) if k.len() > 1 && k.starts_with('v') && k[1..].bytes().all(|b| b.is_ascii_digit()) => {}
            _ => return Err(SignatureError::Malformed),
        }
    }
    let t = t.ok_or(SignatureError::Malformed)?;
    if tags.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let signed_at: u64 = t.parse().map_err(|_| SignatureError::Malformed)?;
    if (now / 1_000_000).abs_diff(signed_at) > tolerance {
        return Err(SignatureError::Expired);
    }
    let matches = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .any(|secret| tags.iter().any(|tag| mac(secret.as_bytes(), t, method, target, session).verify(tag)));
    if matches { Ok(()) } else { Err(SignatureError::Mismatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "an origin secret of at least 32 characters, 2026";
    const NOW: u64 = 1_800_000_000_000_000;

    fn signed() -> String {
        sign(SECRET.as_bytes(), NOW, "POST", "/cart?add=1", "user=alice")
    }

    #[test]
    fn a_signature_verifies_for_exactly_what_it_signed() {
        let h = signed();
        assert!(h.starts_with("t=1800000000,v1=") && h.len() < 70, "{h}");
        let check = |m: &str, t: &str, s: &str, now: u64| verify_signature(&[SECRET], Some(&h), m, t, s, now, 300);
        assert_eq!(check("POST", "/cart?add=1", "user=alice", NOW), Ok(()));
        assert_eq!(check("POST", "/cart?add=1", "user=alice", NOW + 299_000_000), Ok(()));
        for (m, t, s) in [
            ("GET", "/cart?add=1", "user=alice"),
            ("POST", "/cart?add=2", "user=alice"),
            ("POST", "/admin", "user=alice"),
            ("POST", "/cart?add=1", "user=admin"),
            ("POST", "/cart?add=1", ""),
        ] {
            assert_eq!(check(m, t, s, NOW), Err(SignatureError::Mismatch), "{m} {t} {s}");
        }
        assert_eq!(check("POST", "/cart?add=1", "user=alice", NOW + 301_000_000), Err(SignatureError::Expired));
        assert_eq!(check("POST", "/cart?add=1", "user=alice", NOW - 301_000_000), Err(SignatureError::Expired));
    }

    #[test]
    fn forged_and_malformed_headers_are_refused() {
        let v = |h: Option<&str>| verify_signature(&[SECRET], h, "GET", "/", "", NOW, 300);
        assert_eq!(v(None), Err(SignatureError::Missing));
        let forged = sign(b"another secret, guessed by the attacker!!", NOW, "GET", "/", "");
        assert_eq!(v(Some(&forged)), Err(SignatureError::Mismatch));
        for bad in [
            "",
            "t=1",
            "v1=abc",
            "t=x,v1=AAAA",
            "t=1800000000,v1=!!!",
            "t=1800000000,v1=AAAA",
            "garbage",
            &"t=1,".repeat(100),
        ] {
            assert_eq!(v(Some(bad)), Err(SignatureError::Malformed), "{bad}");
        }
        // Another version beside v1 is skipped; two v1 tags (a rotation) may both be tried.
        let good = sign(SECRET.as_bytes(), NOW, "GET", "/", "");
        let tag = good.split_once(",v1=").unwrap().1;
        let both = format!("t=1800000000,v2=zzz,v1={},v1={tag}", "A".repeat(43));
        assert_eq!(v(Some(&both)), Ok(()));
    }

    #[test]
    fn any_of_several_secrets_may_have_signed() {
        let h = signed();
        let new = "the next origin secret, also 32 characters or more";
        assert_eq!(verify_signature(&[new, SECRET], Some(&h), "POST", "/cart?add=1", "user=alice", NOW, 300), Ok(()));
        assert_eq!(
            verify_signature(&[new], Some(&h), "POST", "/cart?add=1", "user=alice", NOW, 300),
            Err(SignatureError::Mismatch)
        );
    }
}
