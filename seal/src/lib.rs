//! The hot path of edge-session's `sealed` tokens: AES-256-GCM, `aes-gcm`'s
//! [`aes_gcm::Aes256Gcm`] (over `aes`), and the token's spelling, base64url without padding by
//! `base64ct` (strict: one spelling per byte string; constant-time), behind non-generic functions.
//! This crate holds no cryptography and no encoding of its own: it names the concrete types so that
//! the generic code of `aes-gcm` and `base64ct` is compiled here, at the opt-level the workspace
//! gives this crate, rather than in the core, which is built for size. Every write seals and
//! encodes a token; every open decodes and decrypts one.
//!
//! ```
//! use edge_session_seal::Aes256Gcm;
//! let gcm = Aes256Gcm::new(&[7; 32]);
//! let mut buf = *b"hello";
//! let tag = gcm.seal(&[1; 12], b"aad", &mut buf).unwrap();
//! assert!(gcm.open(&[1; 12], b"aad", &mut buf, &tag));
//! assert_eq!(&buf, b"hello");
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use aes_gcm::aead::{AeadInOut, KeyInit};
use base64ct::{Base64UrlUnpadded, Encoding};

/// AES-256 key length in bytes.
pub const KEY_BYTES: usize = 32;
/// GCM nonce length in bytes (96 bits).
pub const NONCE_BYTES: usize = 12;
/// GCM tag length in bytes (128 bits).
pub const TAG_BYTES: usize = 16;

/// An AES-256-GCM key with its schedule and GHASH key prepared once (both zeroed on drop, by
/// `aes-gcm`'s `zeroize` feature). `Debug` never shows the key.
///
/// ```
/// let gcm = edge_session_seal::Aes256Gcm::new(&[1; 32]);
/// assert_eq!(format!("{gcm:?}"), "Aes256Gcm(..)");
/// ```
pub struct Aes256Gcm(aes_gcm::Aes256Gcm);

impl core::fmt::Debug for Aes256Gcm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Aes256Gcm(..)")
    }
}

impl Aes256Gcm {
    /// Prepares `key`.
    ///
    /// ```
    /// let _ = edge_session_seal::Aes256Gcm::new(&[0x42; 32]);
    /// ```
    #[must_use]
    pub fn new(key: &[u8; KEY_BYTES]) -> Self {
        Self(aes_gcm::Aes256Gcm::new(key.into()))
    }

    /// Encrypts `buf` in place under `nonce`, authenticating `aad` too, and returns the tag;
    /// `None` only past GCM's limits (64 GiB). A nonce must never be used twice with one key: the
    /// caller draws a fresh one from a CSPRNG for every seal.
    ///
    /// ```
    /// let gcm = edge_session_seal::Aes256Gcm::new(&[1; 32]);
    /// let mut buf = [0u8; 4];
    /// let tag = gcm.seal(&[2; 12], b"", &mut buf).unwrap();
    /// assert_ne!(buf, [0; 4]);
    /// assert_eq!(tag.len(), 16);
    /// ```
    #[inline(never)]
    #[must_use]
    pub fn seal(&self, nonce: &[u8; NONCE_BYTES], aad: &[u8], buf: &mut [u8]) -> Option<[u8; TAG_BYTES]> {
        self.0.encrypt_inout_detached(nonce.into(), aad, buf.into()).ok().map(Into::into)
    }

    /// Checks `tag` over `aad` and the ciphertext in `buf` (in constant time) and, only if it
    /// matches, decrypts `buf` in place. On a mismatch `buf` is left as it was (the ciphertext:
    /// nothing is decrypted before the tag is checked) and `false` returned.
    ///
    /// ```
    /// let gcm = edge_session_seal::Aes256Gcm::new(&[1; 32]);
    /// let mut buf = *b"data";
    /// let mut tag = gcm.seal(&[2; 12], b"a", &mut buf).unwrap();
    /// let ciphertext = buf;
    /// tag[0] ^= 1;
    /// assert!(!gcm.open(&[2; 12], b"a", &mut buf, &tag));
    /// assert_eq!(buf, ciphertext);
    /// ```
    #[inline(never)]
    #[must_use]
    pub fn open(&self, nonce: &[u8; NONCE_BYTES], aad: &[u8], buf: &mut [u8], tag: &[u8; TAG_BYTES]) -> bool {
        self.0.decrypt_inout_detached(nonce.into(), aad, buf.into(), tag.into()).is_ok()
    }
}

/// The bytes a token spells: base64url without padding, strictly (padding, the standard alphabet,
/// whitespace or non-zero bits after the last byte are `None`, never the same bytes).
///
/// ```
/// assert_eq!(edge_session_seal::decode_token("-_9oaQ").as_deref(), Some(&b"\xfb\xffhi"[..]));
/// assert_eq!(edge_session_seal::decode_token("-_9oaR"), None);
/// assert_eq!(edge_session_seal::decode_token("-_9oaQ=="), None);
/// ```
#[inline(never)]
pub fn decode_token(token: &str) -> Option<Vec<u8>> {
    Base64UrlUnpadded::decode_vec(token).ok()
}

/// The token that spells `bytes`: base64url without padding.
///
/// ```
/// assert_eq!(edge_session_seal::encode_token(b"\xfb\xffhi"), "-_9oaQ");
/// ```
#[inline(never)]
pub fn encode_token(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RUSTSEC-2023-0096: aes-gcm before 0.10.3 left the decrypted plaintext in the buffer when the
    /// tag did not verify. The version the workspace requires checks the tag first.
    #[test]
    fn rustsec_2023_0096_no_plaintext_after_a_failed_open() {
        let gcm = Aes256Gcm::new(&[0x11; 32]);
        let plaintext = *b"user=alice&secret=hunter2";
        let mut buf = plaintext;
        let mut tag = gcm.seal(&[7; 12], b"aad", &mut buf).unwrap();
        let ciphertext = buf;
        tag[0] ^= 1;
        assert!(!gcm.open(&[7; 12], b"aad", &mut buf, &tag));
        assert_eq!(buf, ciphertext, "the buffer still holds the ciphertext");
    }

    /// NIST's GCM test case 16 (AES-256, 96-bit IV, AAD, a message ending in a partial block), from
    /// the GCM specification's appendix B. (Wycheproof's vectors run in the core's tests.)
    #[test]
    fn gcm_spec_test_case_16() {
        let hex = |s: &str| -> [u8; 64] {
            let mut out = [0u8; 64];
            for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks(2)) {
                *o = u8::from_str_radix(core::str::from_utf8(pair).unwrap(), 16).unwrap();
            }
            out
        };
        let key: [u8; 32] =
            hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")[..32].try_into().unwrap();
        let nonce: [u8; 12] = hex("cafebabefacedbaddecaf888")[..12].try_into().unwrap();
        let plaintext = &hex(concat!(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72",
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
        ))[..60];
        let aad = &hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")[..20];
        let ciphertext = &hex(concat!(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa",
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        ))[..60];
        let tag: [u8; 16] = hex("76fc6ece0f4e1768cddf8853bb2d551b")[..16].try_into().unwrap();
        let gcm = Aes256Gcm::new(&key);
        let mut buf = [0u8; 60];
        buf.copy_from_slice(plaintext);
        assert_eq!(gcm.seal(&nonce, aad, &mut buf), Some(tag));
        assert_eq!(&buf[..], ciphertext);
        assert!(gcm.open(&nonce, aad, &mut buf, &tag));
        assert_eq!(&buf[..], plaintext);
    }
}
