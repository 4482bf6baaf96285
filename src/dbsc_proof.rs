//! The DBSC proof: the JWT a browser signs with its device key (W3C Device Bound Session
//! Credentials, "DBSC Proof JWT Syntax"), sent in `Secure-Session-Response`, and the device's
//! public key.
//!
//! ```text
//! proof      = b64url(HEADER) "." b64url(PAYLOAD) "." b64url(SIGNATURE)     (compact JWS, RFC 7515)
//! HEADER     = {"alg":"ES256","typ":"dbsc+jwt","jwk":{"kty":"EC","crv":"P-256","x":…,"y":…}}
//!              jwk at registration only (at refresh the key bound to the session verifies)
//! PAYLOAD    = {"jti":CHALLENGE,"authorization":…}   other members (aud, iat: older drafts) ignored
//! SIGNATURE  = r || s, 32 bytes each, big-endian     (RFC 7518 §3.4: not DER)
//! thumbprint = b64url(SHA-256({"crv":"P-256","kty":"EC","x":X,"y":Y}))      (RFC 7638)
//! stored key = b64url(0x04 || X || Y), the uncompressed SEC1 point, 65 bytes (in the session:
//!              its thumbprint then needs no curve arithmetic, so tools without P-256 show it)
//! ```
//!
//! Only ES256 is taken (the draft also lists RS256 and `none`; a browser offered ES256 alone uses
//! it). The proof is capped at [`MAX_PROOF_BYTES`] before anything is decoded; of a member given
//! twice the last counts (RFC 7515 §5.2 allows exactly this or a refusal); the signature is verified
//! over the exact bytes received.

use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use miniserde::Deserialize;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};

use crate::limits::MAX_PROOF_BYTES;

/// The proof's `typ`.
pub const PROOF_TYPE: &str = "dbsc+jwt";
/// The one signature algorithm taken.
pub const PROOF_ALGORITHM: &str = "ES256";
/// The length of an ES256 signature: `r || s`.
const SIGNATURE_BYTES: usize = 64;
/// The length of a P-256 coordinate.
const COORDINATE_BYTES: usize = 32;

/// Why a proof was refused. Every one is the client's doing: the endpoints answer it with a 4xx.
///
/// ```
/// use edge_session::device_bound::{ProofError, parse_proof};
/// assert_eq!(parse_proof("a.b").unwrap_err(), ProofError::Malformed("not three base64url parts"));
/// assert_eq!(ProofError::BadSignature.code(), "bad-signature");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProofError {
    /// Longer than [`MAX_PROOF_BYTES`](crate::limits::MAX_PROOF_BYTES).
    TooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// Not a compact JWS of a JSON header and payload with the members the draft requires.
    Malformed(&'static str),
    /// `alg` is not ES256.
    Algorithm(String),
    /// `typ` is not `dbsc+jwt`.
    Type(String),
    /// A registration proof without a public key (`jwk`).
    MissingKey,
    /// The `jwk` is not a P-256 public key (a point on the curve).
    BadKey,
    /// The signature is not 64 bytes of `r || s` (DER, say), or does not verify with the key.
    BadSignature,
}

impl ProofError {
    /// A stable short code for the error (logs, the endpoints' JSON answers).
    ///
    /// ```
    /// assert_eq!(edge_session::device_bound::ProofError::MissingKey.code(), "missing-key");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "too-large",
            Self::Malformed(_) => "malformed",
            Self::Algorithm(_) => "unsupported-alg",
            Self::Type(_) => "wrong-typ",
            Self::MissingKey => "missing-key",
            Self::BadKey => "bad-key",
            Self::BadSignature => "bad-signature",
        }
    }
}

impl fmt::Display for ProofError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { len } => write!(f, "a proof of {len} bytes is over the {MAX_PROOF_BYTES}-byte limit"),
            Self::Malformed(why) => write!(f, "malformed proof: {why}"),
            Self::Algorithm(a) => write!(f, "proof algorithm {a:?} is not {PROOF_ALGORITHM}"),
            Self::Type(t) => write!(f, "proof typ {t:?} is not {PROOF_TYPE:?}"),
            Self::MissingKey => f.write_str("a registration proof must carry its public key (jwk)"),
            Self::BadKey => f.write_str("the proof's jwk is not a P-256 public key"),
            Self::BadSignature => f.write_str("the proof's signature does not verify (ES256, r || s)"),
        }
    }
}

impl std::error::Error for ProofError {}

#[derive(Deserialize)]
struct Header {
    alg: String,
    typ: Option<String>,
    jwk: Option<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: String,
    crv: String,
    x: String,
    y: String,
}

#[derive(Deserialize)]
struct Payload {
    jti: String,
    authorization: Option<String>,
}

/// A device's public key: a point of P-256.
///
/// ```
/// use edge_session::device_bound::DeviceKey;
/// assert!(DeviceKey::from_stored("not a key").is_none());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct DeviceKey(VerifyingKey);

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DeviceKey").field(&self.thumbprint()).finish()
    }
}

impl DeviceKey {
    /// The key of a JWK's `x` and `y` (base64url, 32 bytes each).
    fn from_coordinates(x: &str, y: &str) -> Option<Self> {
        let mut point = [0u8; 1 + 2 * COORDINATE_BYTES];
        let (tag, xy) = point.split_at_mut(1);
        let (px, py) = xy.split_at_mut(COORDINATE_BYTES);
        tag.copy_from_slice(&[0x04]);
        (Base64UrlUnpadded::decode(x, px).ok()?.len() == COORDINATE_BYTES).then_some(())?;
        (Base64UrlUnpadded::decode(y, py).ok()?.len() == COORDINATE_BYTES).then_some(())?;
        VerifyingKey::from_sec1_bytes(&point).ok().map(Self)
    }

    /// The key as a session stores it: its uncompressed point, base64url.
    ///
    /// ```
    /// use edge_session::device_bound::DeviceKey;
    /// // The draft's example key, as its compressed point (either form is read).
    /// let k = DeviceKey::from_stored("A-vxgdr6ENKq6DIejpQxQhUv0ia4kItT077wToRmd2xy").unwrap();
    /// assert_eq!(DeviceKey::from_stored(&k.to_stored()), Some(k));
    /// ```
    pub fn to_stored(&self) -> String {
        Base64UrlUnpadded::encode_string(self.0.to_sec1_point(false).as_bytes())
    }

    /// A key as [`to_stored`](Self::to_stored) wrote it; `None` for anything else.
    ///
    /// ```
    /// assert!(edge_session::device_bound::DeviceKey::from_stored("").is_none());
    /// ```
    pub fn from_stored(stored: &str) -> Option<Self> {
        if stored.len() > 100 {
            return None;
        }
        let bytes = Base64UrlUnpadded::decode_vec(stored).ok()?;
        VerifyingKey::from_sec1_bytes(&bytes).ok().map(Self)
    }

    /// Its JWK thumbprint (RFC 7638, SHA-256, base64url): how the tools and the origin name it.
    ///
    /// ```
    /// let k = edge_session::device_bound::DeviceKey::from_stored("A-vxgdr6ENKq6DIejpQxQhUv0ia4kItT077wToRmd2xy").unwrap();
    /// assert_eq!(k.thumbprint().len(), 43);
    /// ```
    pub fn thumbprint(&self) -> String {
        crate::thumbprint::thumbprint_of_stored(&self.to_stored()).unwrap_or_default()
    }
}

/// A proof read (not yet verified): what it claims and what its signature covers.
///
/// ```
/// let e = edge_session::device_bound::parse_proof("").unwrap_err();
/// assert_eq!(e.code(), "malformed");
/// ```
#[derive(Debug)]
pub struct Proof {
    /// `jti`: the challenge it answers.
    pub jti: String,
    /// `authorization`, when the registration header had one.
    pub authorization: Option<String>,
    /// The public key in its header (`jwk`), at registration.
    pub key: Option<DeviceKey>,
    /// The signed bytes: `b64url(header) "." b64url(payload)`.
    signing_input: String,
    signature: Signature,
}

impl Proof {
    /// Verifies the signature with `key` (the header's at registration, the bound one at refresh).
    ///
    /// ```
    /// use edge_session::device_bound::{DeviceKey, parse_proof};
    /// let p = parse_proof("eyJhbGciOiJFUzI1NiIsInR5cCI6ImRic2Mrand0In0.eyJqdGkiOiJjIn0.AAAA").unwrap_err();
    /// assert_eq!(p.code(), "bad-signature"); // 3 bytes are not r || s
    /// ```
    pub fn verify(&self, key: &DeviceKey) -> Result<(), ProofError> {
        key.0.verify(self.signing_input.as_bytes(), &self.signature).map_err(|_| ProofError::BadSignature)
    }
}

fn json_part<T: Deserialize>(part: &str, what: &'static str) -> Result<T, ProofError> {
    let bytes = Base64UrlUnpadded::decode_vec(part).map_err(|_| ProofError::Malformed(what))?;
    let text = core::str::from_utf8(&bytes).map_err(|_| ProofError::Malformed(what))?;
    miniserde::json::from_str(text).map_err(|_| ProofError::Malformed(what))
}

/// Reads a proof: the `Secure-Session-Response` header's value (a structured-field string, its
/// quotes optional). Checks its size, form, `typ` and `alg`, and the key in its header when there
/// is one; the signature is checked by [`Proof::verify`].
///
/// ```
/// use edge_session::device_bound::{ProofError, parse_proof};
/// assert!(matches!(parse_proof(&"a".repeat(5000)), Err(ProofError::TooLarge { len: 5000 })));
/// ```
pub fn parse_proof(value: &str) -> Result<Proof, ProofError> {
    if value.len() > MAX_PROOF_BYTES {
        return Err(ProofError::TooLarge { len: value.len() });
    }
    let token = unquote(value.trim());
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(ProofError::Malformed("not three base64url parts"));
    };
    let header: Header = json_part(h, "header is not base64url JSON with alg")?;
    if header.alg != PROOF_ALGORITHM {
        return Err(ProofError::Algorithm(header.alg));
    }
    match header.typ {
        Some(t) if t.eq_ignore_ascii_case(PROOF_TYPE) => {}
        t => return Err(ProofError::Type(t.unwrap_or_default())),
    }
    let payload: Payload = json_part(p, "payload is not base64url JSON with jti")?;
    let key = match header.jwk {
        None => None,
        Some(j) if j.kty == "EC" && j.crv == "P-256" => {
            Some(DeviceKey::from_coordinates(&j.x, &j.y).ok_or(ProofError::BadKey)?)
        }
        Some(_) => return Err(ProofError::BadKey),
    };
    let mut raw = [0u8; SIGNATURE_BYTES];
    let signature = match Base64UrlUnpadded::decode(s, &mut raw) {
        Ok(b) if b.len() == SIGNATURE_BYTES => Signature::from_slice(b).map_err(|_| ProofError::BadSignature)?,
        _ => return Err(ProofError::BadSignature),
    };
    let signing_input = token.get(..h.len() + 1 + p.len()).unwrap_or_default().to_owned();
    Ok(Proof { jti: payload.jti, authorization: payload.authorization, key, signing_input, signature })
}

/// A structured-field string's contents (`"…"`), or the value as it is.
pub(crate) fn unquote(value: &str) -> &str {
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drafts_example_reads() {
        // The draft's Secure-Session-Response example (an older form: jwk in the payload, iat a string).
        let example = "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRic2Mrand0In0.eyJhdWQiOiJodHRwczovL2V4YW1wbGUuY29tL3JlZyIsImp0aSI6ImN2IiwiaWF0IjoiMTcyNTU3OTA1NSIsImp3ayI6eyJrdHkiOiJFQyIsImNydiI6IlAtMjU2IiwieCI6IjZfR0Iydm9RMHFyb01oNk9sREZDRlNfU0pyaVFpMVBUdnZCT2hHWjNiSEkiLCJ5IjoiSWVnT0pVTHlFN1N4SF9DZDFLQ0VSN2xXQnZHRkhRLWgweHlqelVqRUlXRSJ9LCJhdXRob3JpemF0aW9uIjoiYWMifQ.6Fb_vVBDmfNghQiBmIGe8o7tBfYPbPCywhQruP0vIhxgmcJmuNTaMHeVn_M8ZnOm1_bzIitbZqCWEn-1Qzmtyw";
        let p = parse_proof(&format!("\"{example}\"")).unwrap();
        assert_eq!((p.jti.as_str(), p.authorization.as_deref(), p.key.is_none()), ("cv", Some("ac"), true));
    }

    #[test]
    fn of_a_duplicated_member_the_last_counts() {
        // RFC 7515 §5.2: reject, or use a parser that returns the lexically last member.
        let p = Base64UrlUnpadded::encode_string(br#"{"jti":"c"}"#);
        let h = Base64UrlUnpadded::encode_string(br#"{"alg":"ES256","alg":"none","typ":"dbsc+jwt"}"#);
        assert_eq!(parse_proof(&format!("{h}.{p}.AA")).unwrap_err(), ProofError::Algorithm("none".into()));
        let h = Base64UrlUnpadded::encode_string(br#"{"alg":"none","alg":"ES256","typ":"dbsc+jwt"}"#);
        assert_eq!(parse_proof(&format!("{h}.{p}.AA")).unwrap_err(), ProofError::BadSignature);
    }
}
