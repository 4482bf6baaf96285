//! The `apache` format's wire layout (httpd 2.4's mod_session_crypto cookie, OpenSSL driver),
//! compiled in every build: the format itself (`apache.rs`, the `apache` feature) writes and
//! reads it, and `inspect` recognises it without that feature, to say which build opens it.
//!
//! ```text
//! value      = base64 (standard alphabet, padded)( MAC | SALT | IV | CIPHERTEXT )
//!   MAC        8 bytes   SipHash-2-4 of (SALT | IV | CIPHERTEXT), key MD5(passphrase), little-endian
//!   SALT      16 bytes   random (Apache: a UUID); the PBKDF2 salt
//!   IV        16 bytes   random per cookie
//!   CIPHERTEXT n*16      AES-CBC with PKCS#7 padding of the session string (with `expiry=`)
//! ```

#[cfg(feature = "apache")]
use base64ct::Base64;
use base64ct::{Base64Unpadded, Encoding};

/// The MAC's length.
pub(crate) const MAC_BYTES: usize = 8;
/// The salt's length.
pub(crate) const SALT_BYTES: usize = 16;
/// AES's block: the IV's length and the ciphertext's unit.
pub(crate) const BLOCK_BYTES: usize = 16;
/// The IV's length.
pub(crate) const IV_BYTES: usize = BLOCK_BYTES;
/// MAC | SALT | IV: what comes before the ciphertext.
pub(crate) const HEADER_BYTES: usize = MAC_BYTES + SALT_BYTES + IV_BYTES;

/// The value's bytes. Apache's base64: the standard alphabet, padding written, tolerated when
/// absent on read (`base64ct`: strict and canonical either way; `=` is padding only when it
/// completes the last quad).
pub(crate) fn decode(value: &str) -> Option<Vec<u8>> {
    if value.ends_with('=') { base64ct::Base64::decode_vec(value).ok() } else { Base64Unpadded::decode_vec(value).ok() }
}

/// The value of `raw`: standard base64, padded (as Apache writes it). Only the format writes one.
#[cfg(feature = "apache")]
pub(crate) fn encode(raw: &[u8]) -> String {
    Base64::encode_string(raw)
}

/// Whether `raw` has the layout's shape: the header, then one or more whole blocks.
pub(crate) fn has_layout(raw: &[u8]) -> bool {
    raw.len() >= HEADER_BYTES + BLOCK_BYTES && (raw.len() - HEADER_BYTES).is_multiple_of(BLOCK_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Padded as Apache writes it, or with the padding left off; never a partial or misplaced `=`.
    #[test]
    fn apache_base64_with_or_without_padding() {
        assert_eq!(decode("Zm8=").as_deref(), Some(&b"fo"[..]));
        assert_eq!(decode("Zm8").as_deref(), Some(&b"fo"[..]));
        assert_eq!(decode("Zg==").as_deref(), Some(&b"f"[..]));
        assert_eq!(decode("Zg").as_deref(), Some(&b"f"[..]));
        for bad in ["Zg=", "Zm9=", "Zh==", "Z", "Zg==Zg==", " Zg==", "Zm8-", "Zm_v"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_shortest_value_is_the_header_and_one_block() {
        assert_eq!(HEADER_BYTES + BLOCK_BYTES, 56);
        assert!(has_layout(&[0; 56]) && has_layout(&[0; 72]));
        assert!(!has_layout(&[0; 40]) && !has_layout(&[0; 55]) && !has_layout(&[0; 57]) && !has_layout(&[]));
    }
}
