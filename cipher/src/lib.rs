//! The AEAD of edge-session's `sealed` format: AES-256-GCM behind non-generic functions.
//!
//! RustCrypto's `aes-gcm` is generic: its code (and the `#[inline]` code of `aes` and `polyval` it
//! calls) is compiled in whichever crate names the concrete cipher. This crate names it, so the
//! workspace can compile the hot loops for speed (`[profile.release.package.edge-session-cipher]`)
//! while the rest of the wasm is built for size. The `apache` format's AES-CBC stays in the core,
//! built for size on the same `aes` crate: one AES in the binary.
//!
//! ```
//! use edge_session_cipher::Aes256Gcm;
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

pub mod base64;

use aes_gcm::aead::{AeadInOut, KeyInit};
use aes_gcm::{Nonce, Tag};
use zeroize::Zeroize;

/// AES-256 key length in bytes.
pub const KEY_BYTES: usize = 32;
/// GCM nonce length in bytes (96 bits).
pub const NONCE_BYTES: usize = 12;
/// GCM tag length in bytes (128 bits).
pub const TAG_BYTES: usize = 16;

/// An AES-256-GCM key with its schedule expanded once. `Debug` never shows the key.
///
/// ```
/// let gcm = edge_session_cipher::Aes256Gcm::new(&[1; 32]);
/// assert_eq!(format!("{gcm:?}"), "Aes256Gcm(..)");
/// ```
pub struct Aes256Gcm(aes_gcm::Aes256Gcm);

impl core::fmt::Debug for Aes256Gcm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Aes256Gcm(..)")
    }
}

impl Aes256Gcm {
    /// Expands `key` (the expanded schedule is zeroed when the value is dropped).
    ///
    /// ```
    /// let _ = edge_session_cipher::Aes256Gcm::new(&[0x42; 32]);
    /// ```
    #[must_use]
    pub fn new(key: &[u8; KEY_BYTES]) -> Self {
        Self(aes_gcm::Aes256Gcm::new(&(*key).into()))
    }

    /// Encrypts `buf` in place under `nonce`, authenticating `aad` too, and returns the tag;
    /// `None` (and `buf` untouched) only past GCM's limits (64 GiB). A nonce must never be used
    /// twice with one key: the caller draws it from a CSPRNG.
    ///
    /// ```
    /// let gcm = edge_session_cipher::Aes256Gcm::new(&[1; 32]);
    /// let mut buf = [0u8; 4];
    /// let tag = gcm.seal(&[2; 12], b"", &mut buf).unwrap();
    /// assert_ne!(buf, [0; 4]);
    /// assert_eq!(tag.len(), 16);
    /// ```
    #[inline(never)]
    #[must_use]
    pub fn seal(&self, nonce: &[u8; NONCE_BYTES], aad: &[u8], buf: &mut [u8]) -> Option<[u8; TAG_BYTES]> {
        self.0.encrypt_inout_detached(&Nonce::from(*nonce), aad, buf.into()).ok().map(Into::into)
    }

    /// Checks `tag` over `aad` and the ciphertext in `buf` and, only if it matches, decrypts `buf`
    /// in place. On a mismatch `buf` is zeroed and `false` returned: nothing unauthenticated is left.
    ///
    /// ```
    /// let gcm = edge_session_cipher::Aes256Gcm::new(&[1; 32]);
    /// let mut buf = *b"data";
    /// let mut tag = gcm.seal(&[2; 12], b"a", &mut buf).unwrap();
    /// tag[0] ^= 1;
    /// assert!(!gcm.open(&[2; 12], b"a", &mut buf, &tag));
    /// assert_eq!(buf, [0; 4]);
    /// ```
    #[inline(never)]
    #[must_use]
    pub fn open(&self, nonce: &[u8; NONCE_BYTES], aad: &[u8], buf: &mut [u8], tag: &[u8; TAG_BYTES]) -> bool {
        let ok = self.0.decrypt_inout_detached(&Nonce::from(*nonce), aad, buf.into(), &Tag::from(*tag)).is_ok();
        if !ok {
            buf.zeroize();
        }
        ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RUSTSEC-2023-0096: aes-gcm before 0.10.3 left the decrypted plaintext in the buffer when
    /// the tag did not verify. The dependency must not (a downgrade fails here), and `open`
    /// zeroes the buffer besides. (Wycheproof runs through the core's sealing, natively and on
    /// wasm32.)
    #[test]
    fn rustsec_2023_0096_no_plaintext_after_a_failed_open() {
        let gcm = Aes256Gcm::new(&[0x11; 32]);
        let plaintext = *b"user=alice&secret=hunter2";
        let mut buf = plaintext;
        let mut tag = gcm.seal(&[7; 12], b"aad", &mut buf).expect("tag");
        tag[0] ^= 1;
        let mut direct = buf;
        let refused =
            gcm.0.decrypt_inout_detached(&Nonce::from([7; 12]), b"aad", (&mut direct[..]).into(), &Tag::from(tag));
        assert!(refused.is_err());
        assert!(direct.windows(7).all(|w| w != b"hunter2"));
        assert!(!gcm.open(&[7; 12], b"aad", &mut buf, &tag));
        assert_eq!(buf, [0; 25]);
    }
}
