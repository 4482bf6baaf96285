//! A device key's name for people and tools: the RFC 7638 JWK thumbprint of a P-256 key as a
//! device-bound session stores it (its uncompressed SEC1 point, base64url). Only SHA-256 and
//! base64: every build has it, so the inspector, the CLI and the DevTools panel show it without
//! the curve arithmetic of the `dbsc` feature.
//!
//! ```text
//! stored     = b64url(0x04 || X || Y)                          65 bytes
//! thumbprint = b64url(SHA-256({"crv":"P-256","kty":"EC","x":b64url(X),"y":b64url(Y)}))
//! ```

use base64ct::{Base64UrlUnpadded as B64, Encoding};
use sha2::{Digest, Sha256};

/// The RFC 7638 thumbprint (SHA-256, base64url) of a device key as a session stores it (the
/// uncompressed point): `None` for anything else. Needs no curve arithmetic, so every build's tools
/// show it.
///
/// ```
/// // The draft's example key: x = 6_GB2voQ…, y = IegOJULy….
/// let stored = "BOvxgdr6ENKq6DIejpQxQhUv0ia4kItT077wToRmd2xyIegOJULyE7SxH_Cd1KCER7lWBvGFHQ-h0xyjzUjEIWE";
/// assert_eq!(edge_session::device_bound::thumbprint_of_stored(stored).unwrap().len(), 43);
/// ```
pub fn thumbprint_of_stored(stored: &str) -> Option<String> {
    let mut point = [0u8; 65];
    let bytes = B64::decode(stored, &mut point).ok()?;
    let (tag, xy) = bytes.split_first()?;
    if *tag != 0x04 || xy.len() != 64 {
        return None;
    }
    let (x, y) = xy.split_at(32);
    let mut canonical = String::from(r#"{"crv":"P-256","kty":"EC","x":""#);
    canonical.push_str(&B64::encode_string(x));
    canonical.push_str(r#"","y":""#);
    canonical.push_str(&B64::encode_string(y));
    canonical.push_str(r#""}"#);
    Some(B64::encode_string(&Sha256::digest(canonical.as_bytes())))
}
