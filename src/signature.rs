//! Origin authentication: the front proxy signs what it tells the origin, so that an origin
//! reachable directly can refuse a client's own `X-Session: user=admin`.
//!
//! Apache's SessionEnv never left the server; at the edge it crosses a network. With a secret
//! (`Options::origin_secret`, the Worker's `SESSION_ORIGIN_SECRET`) every request the proxy
//! forwards carries, beside the SessionEnv header (`X-Session`), its signature header (the
//! SessionEnv name and `-Signature`: `X-Session-Signature`):
//!
//! ```text
//! X-Session-Signature: t=<unix seconds>,v2=<base64url, no padding, of HMAC-SHA256(secret, message)>
//! message = "edge-session/v2" LF t LF METHOD LF host LF target LF session
//!   secret   the secret's UTF-8 bytes, as configured
//!   t        the same decimal digits as in the header
//!   METHOD   the request method as sent (GET, POST, …)
//!   host     the host (and port, if not the scheme's default) the origin receives in `Host`,
//!            ASCII-lowercased: `app.example`, `127.0.0.1:8080`
//!   target   the path and query the origin receives (`/a/b?x=1`; no scheme or host)
//!   session  the SessionEnv header's value, empty when the request carries no session
//! ```
//!
//! The origin recomputes the HMAC over what it received, compares in constant time, and refuses a
//! signature older (or newer) than its tolerance ([`DEFAULT_TOLERANCE_SECS`]): a forged header
//! fails the MAC; one copied to another host (another origin sharing the secret), path or method
//! fails the MAC; one replayed later fails the time check. What it does not cover: the request's
//! body and its other headers (within the tolerance, a captured request can be sent again with
//! another body: an origin that must refuse replays keeps the `t=…,v2=…` values it has seen for
//! the tolerance and refuses a second one). Version 1 (`v1`, without the host) is no longer
//! written nor accepted: its tags are skipped like any other version's. [`verify_signature`] is
//! that check (the npm package's `verifySessionHeader`); docs/SECURITY.md shows it in a few lines of
//! Python.
//!
//! ```
//! use edge_session::signature::{DEFAULT_TOLERANCE_SECS, SignatureError, verify_signature};
//! let secret = "an origin secret of at least 32 characters";
//! let now = 1_800_000_000_000_000; // µs
//! let checked = verify_signature(&[secret], None, "GET", "app.example", "/", "user=alice", now, DEFAULT_TOLERANCE_SECS);
//! assert_eq!(checked, Err(SignatureError::Missing));
//! ```

use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use hmac::{KeyInit, Mac};
use sha2::Sha256;

use crate::text;

/// HMAC-SHA256 (`hmac`, `sha2`).
type Hmac = hmac::Hmac<Sha256>;

/// What starts the signed message: the format's name and version.
const MESSAGE_LABEL: &str = "edge-session/v2";
/// The signature's version tag in the header.
const VERSION_TAG: &str = "v2";
/// How far (seconds) a signature's time may be from the verifier's clock, by default.
pub const DEFAULT_TOLERANCE_SECS: u64 = 300;
/// The longest signature header a verifier reads (a valid one is under 70 bytes).
const MAX_HEADER_BYTES: usize = 256;
/// Bytes of an HMAC-SHA256.
const MAC_BYTES: usize = 32;

/// Why a signature was refused.
///
/// ```
/// assert_eq!(edge_session::signature::SignatureError::Expired.as_str(), "expired");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// No signature header.
    Missing,
    /// Not `t=<digits>,v2=<base64url>`.
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
    /// assert_eq!(edge_session::signature::SignatureError::Mismatch.as_str(), "mismatch");
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
            Self::Malformed => "the session signature header is not t=<seconds>,v2=<base64url>",
            Self::Expired => "the session signature is older (or newer) than the tolerance",
            Self::Mismatch => "the session signature does not match this request",
        })
    }
}

impl std::error::Error for SignatureError {}

/// What a signature covers of a request, besides its time and session.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Signed<'a> {
    /// The request method as sent.
    pub(crate) method: &'a str,
    /// The `Host` the origin receives.
    pub(crate) host: &'a str,
    /// The path and query the origin receives.
    pub(crate) target: &'a str,
}

/// The HMAC over the message for these parts. HMAC takes a key of any length, so `None` never
/// happens; a caller treats it as a signature that cannot be made or does not match.
fn mac(secret: &[u8], t: &str, request: Signed<'_>, session: &str) -> Option<Hmac> {
    let mut m = Hmac::new_from_slice(secret).ok()?;
    let host = request.host.to_ascii_lowercase();
    for (i, part) in [MESSAGE_LABEL, t, request.method, &host, request.target, session].into_iter().enumerate() {
        if i > 0 {
            m.update(b"\n");
        }
        m.update(part.as_bytes());
    }
    Some(m)
}

/// The signature header's value for a request at `now` (µs).
pub(crate) fn sign(secret: &[u8], now: u64, request: Signed<'_>, session: &str) -> String {
    let t = text::decimal(now / 1_000_000);
    let tag = mac(secret, &t, request, session).map(|m| Base64UrlUnpadded::encode_string(&m.finalize().into_bytes()));
    format!("t={t},{VERSION_TAG}={}", tag.unwrap_or_default())
}

/// The signature header's value the front proxy would send for this request at `now` (µs): for a
/// developer who calls an origin directly (the CLI's `edge-session sign`), and for tests. The
/// secret must meet the rule the proxy holds it to (32 characters and more, varied).
///
/// ```
/// use edge_session::signature::{DEFAULT_TOLERANCE_SECS, sign_session_header, verify_signature};
/// let secret = "an origin secret of at least 32 characters";
/// let now = 1_800_000_000_000_000;
/// let header = sign_session_header(secret, "GET", "app.example", "/", "user=alice", now).unwrap();
/// assert!(header.starts_with("t=1800000000,v2="));
/// let ok = verify_signature(&[secret], Some(&header), "GET", "app.example", "/", "user=alice", now, DEFAULT_TOLERANCE_SECS);
/// assert_eq!(ok, Ok(()));
/// assert!(sign_session_header("short", "GET", "h", "/", "", now).is_err());
/// ```
pub fn sign_session_header(
    secret: &str,
    method: &str,
    host: &str,
    target: &str,
    session: &str,
    now: u64,
) -> Result<String, crate::KeyError> {
    crate::keys::check_passphrase(secret)?;
    Ok(sign(secret.as_bytes(), now, Signed { method, host, target }, session))
}

/// Checks a signature header (`header`, `None` when absent) against the request the origin
/// received: its method, `Host`, target (path and query) and SessionEnv value (`""` when absent),
/// at `now` (µs), allowing `tolerance` seconds of age or clock skew. Several secrets may be given
/// while one is rotated: any of them may have signed.
///
/// ```
/// use edge_session::{Options, SessionManager};
/// use edge_session::signature::{SignatureError, verify_signature};
/// let secret = "an origin secret of at least 32 characters, 2026";
/// let mut o = Options::default();
/// o.format = edge_session::Format::Plain;
/// o.origin_secret = secret.into();
/// let m = SessionManager::new(o).unwrap();
/// let now = 1_800_000_000_000_000;
/// let plan = m.plan_request("GET", "app.example", "/account?tab=1", &[("cookie", "session=user=alice")], now);
/// let header = plan.headers.iter().find_map(|op| match op {
///     edge_session::proxy::HeaderOp::Set(n, v) if n == "x-session-signature" => Some(v.clone()),
///     _ => None,
/// });
/// let check = |host, target| verify_signature(&[secret], header.as_deref(), "GET", host, target, "user=alice", now, 300);
/// assert_eq!(check("app.example", "/account?tab=1"), Ok(()));
/// assert_eq!(check("app.example", "/admin"), Err(SignatureError::Mismatch));
/// assert_eq!(check("staging.example", "/account?tab=1"), Err(SignatureError::Mismatch));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn verify_signature(
    secrets: &[&str],
    header: Option<&str>,
    method: &str,
    host: &str,
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
                match Base64UrlUnpadded::decode(v, &mut tag).map(|d| d.len()) {
                    Ok(MAC_BYTES) => tags.push(tag),
                    _ => return Err(SignatureError::Malformed),
                }
            }
            // Other versions are for other verifiers; anything else is not a signature.
            Some((k, _))
                if k.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) => {}
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
    let request = Signed { method, host, target };
    let matches = secrets
        .iter()
        .filter(|s| !s.is_empty())
        .filter_map(|secret| mac(secret.as_bytes(), t, request, session))
        // `verify_slice` compares in constant time.
        .any(|m| tags.iter().any(|tag| m.clone().verify_slice(tag).is_ok()));
    if matches { Ok(()) } else { Err(SignatureError::Mismatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "an origin secret of at least 32 characters, 2026";
    const NOW: u64 = 1_800_000_000_000_000;

    const HOST: &str = "app.example";

    fn at(method: &'static str, host: &'static str, target: &'static str) -> Signed<'static> {
        Signed { method, host, target }
    }

    fn signed() -> String {
        sign(SECRET.as_bytes(), NOW, at("POST", HOST, "/cart?add=1"), "user=alice")
    }

    #[test]
    fn a_signature_verifies_for_exactly_what_it_signed() {
        let h = signed();
        assert!(h.starts_with("t=1800000000,v2=") && h.len() < 70, "{h}");
        let check = |m: &str, host: &str, t: &str, s: &str, now: u64| {
            verify_signature(&[SECRET], Some(&h), m, host, t, s, now, 300)
        };
        assert_eq!(check("POST", HOST, "/cart?add=1", "user=alice", NOW), Ok(()));
        assert_eq!(check("POST", "App.Example", "/cart?add=1", "user=alice", NOW), Ok(()), "hosts are case-blind");
        assert_eq!(check("POST", HOST, "/cart?add=1", "user=alice", NOW + 299_000_000), Ok(()));
        for (m, host, t, s) in [
            ("GET", HOST, "/cart?add=1", "user=alice"),
            ("POST", HOST, "/cart?add=2", "user=alice"),
            ("POST", HOST, "/admin", "user=alice"),
            ("POST", HOST, "/cart?add=1", "user=admin"),
            ("POST", HOST, "/cart?add=1", ""),
            // Another origin that shares the secret (staging, another tenant): the host is signed.
            ("POST", "staging.example", "/cart?add=1", "user=alice"),
            ("POST", "app.example:8443", "/cart?add=1", "user=alice"),
            ("POST", "", "/cart?add=1", "user=alice"),
        ] {
            assert_eq!(check(m, host, t, s, NOW), Err(SignatureError::Mismatch), "{m} {host} {t} {s}");
        }
        assert_eq!(check("POST", HOST, "/cart?add=1", "user=alice", NOW + 301_000_000), Err(SignatureError::Expired));
        assert_eq!(check("POST", HOST, "/cart?add=1", "user=alice", NOW - 301_000_000), Err(SignatureError::Expired));
    }

    /// A version-1 signature (before the host was covered) is not accepted: it could be replayed
    /// to another host sharing the secret.
    #[test]
    fn version_1_is_not_accepted() {
        let mut m = Hmac::new_from_slice(SECRET.as_bytes()).unwrap();
        m.update(b"edge-session/v1\n1800000000\nGET\n/\n");
        let v1 = format!("t=1800000000,v1={}", Base64UrlUnpadded::encode_string(&m.finalize().into_bytes()));
        let got = verify_signature(&[SECRET], Some(&v1), "GET", HOST, "/", "", NOW, 300);
        assert_eq!(got, Err(SignatureError::Malformed), "no tag of this version");
    }

    #[test]
    fn forged_and_malformed_headers_are_refused() {
        let v = |h: Option<&str>| verify_signature(&[SECRET], h, "GET", HOST, "/", "", NOW, 300);
        assert_eq!(v(None), Err(SignatureError::Missing));
        let forged = sign(b"another secret, guessed by the attacker!!", NOW, at("GET", HOST, "/"), "");
        assert_eq!(v(Some(&forged)), Err(SignatureError::Mismatch));
        for bad in [
            "",
            "t=1",
            "v2=abc",
            "t=x,v2=AAAA",
            "t=1800000000,v2=!!!",
            "t=1800000000,v2=AAAA",
            "garbage",
            &"t=1,".repeat(100),
        ] {
            assert_eq!(v(Some(bad)), Err(SignatureError::Malformed), "{bad}");
        }
        // Another version beside v2 is skipped; two v2 tags (a rotation) may both be tried.
        let good = sign(SECRET.as_bytes(), NOW, at("GET", HOST, "/"), "");
        let tag = good.split_once(",v2=").unwrap().1;
        let both = format!("t=1800000000,v3=zzz,v2={},v2={tag}", "A".repeat(43));
        assert_eq!(v(Some(&both)), Ok(()));
    }

    #[test]
    fn any_of_several_secrets_may_have_signed() {
        let h = signed();
        let new = "the next origin secret, also 32 characters or more";
        let check =
            |secrets: &[&str]| verify_signature(secrets, Some(&h), "POST", HOST, "/cart?add=1", "user=alice", NOW, 300);
        assert_eq!(check(&[new, SECRET]), Ok(()));
        assert_eq!(check(&[new]), Err(SignatureError::Mismatch));
    }
}
