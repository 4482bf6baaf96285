//! The AEAD of edge-session's `sealed` format: AES-256-GCM behind non-generic functions.
//!
//! GCM is composed here from RustCrypto's `aes` (the fixsliced software AES on wasm32) and this
//! crate's GHASH (`ghash.rs`, held to RustCrypto's `ghash` by its tests; see [`Aes256Gcm`] for
//! why not `aes-gcm`, which the tests hold the whole to). `aes`'s code is generic or `#[inline]`,
//! so it is compiled in the crate that names the concrete types: this one, which the workspace
//! compiles for speed (`[profile.release.package.edge-session-cipher]`)
//! while the rest of the wasm is built for size. The `apache` format's AES-CBC stays in the core,
//! built for size on the same `aes` crate: one AES in the binary. Beside it: [`sha256`] (SHA-256,
//! HMAC and PBKDF2, for key ids, derived secrets, signatures and passphrases) and [`base64`].
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
mod ghash;
pub mod sha256;
#[cfg(test)]
mod testing;

use aes::Aes256;
use aes::cipher::{
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, KeyInit, ParBlocks,
};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// AES-256 key length in bytes.
pub const KEY_BYTES: usize = 32;
/// GCM nonce length in bytes (96 bits).
pub const NONCE_BYTES: usize = 12;
/// GCM tag length in bytes (128 bits).
pub const TAG_BYTES: usize = 16;
/// AES's block, GCM's counter block and GHASH's block: 16 bytes.
const BLOCK_BYTES: usize = 16;
/// The most plaintext GCM may encrypt under one nonce (NIST SP 800-38D): 2^39 − 256 bits.
const MAX_PLAINTEXT_BYTES: u64 = (1 << 36) - 32;

/// An AES-256-GCM key with its schedule expanded once. `Debug` never shows the key.
///
/// GCM (NIST SP 800-38D, 96-bit nonces only) is composed here from RustCrypto's `aes` and this
/// crate's GHASH rather than taken from `aes-gcm`, for two reasons. GHASH: see `ghash.rs` (H
/// prepared once per key rather than per block). AES: `aes`'s software AES enciphers four blocks
/// at a time in one fixsliced pass and a single block in a pass of its own that costs
/// about as much. `aes-gcm` enciphers the tag mask E(K, J0) and a message's last one to three
/// blocks singly: a 350-byte seal took 5 batches and 4 single blocks (in workerd's profile, 45 % of
/// its AES time in the single blocks) where 6 batches do. Here every counter block, J0's
/// included, goes through the four-block path (a last batch that overruns the message is
/// enciphered whole and its surplus discarded). Wycheproof's AES-GCM vectors and the frozen
/// `sealed` tokens hold it to the standard (`tests/`).
///
/// ```text
/// J0      = nonce | 00000001                      (32-bit big-endian counter)
/// C       = P xor the first |P| bytes of E(K, J0 + 1) | E(K, J0 + 2) | …
/// S       = GHASH(H = E(K, 0¹²⁸), A | pad | C | pad | [bits(A)]64 | [bits(C)]64)
/// tag     = S xor E(K, J0)
/// ```
///
/// ```
/// let gcm = edge_session_cipher::Aes256Gcm::new(&[1; 32]);
/// assert_eq!(format!("{gcm:?}"), "Aes256Gcm(..)");
/// ```
pub struct Aes256Gcm {
    aes: Aes256,
    ghash: ghash::Key,
}

impl core::fmt::Debug for Aes256Gcm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Aes256Gcm(..)")
    }
}

/// The counter-mode pass under `nonce`: XORs the keystream from `J0 + 1` on into `buf` and writes
/// E(K, J0), the tag mask, into `mask`, every block enciphered in the backend's parallel batches.
struct Keystream<'a> {
    nonce: &'a [u8; NONCE_BYTES],
    buf: &'a mut [u8],
    mask: &'a mut [u8; TAG_BYTES],
}

impl BlockSizeUser for Keystream<'_> {
    type BlockSize = <Aes256 as BlockSizeUser>::BlockSize;
}

impl BlockCipherEncClosure for Keystream<'_> {
    fn call<B: BlockCipherEncBackend<BlockSize = Self::BlockSize>>(self, backend: &B) {
        let mut batch = ParBlocks::<B>::default();
        // Keystream block k is E(K, J0 + k), J0 + k = nonce | (1 + k) as a 32-bit big-endian
        // counter: k = 0 is the mask, k ≥ 1 covers bytes 16(k−1)…
        let blocks = 1 + self.buf.len().div_ceil(BLOCK_BYTES);
        let mut k = 0;
        let mut data = self.buf.chunks_mut(BLOCK_BYTES);
        while k < blocks {
            for (i, block) in batch.iter_mut().enumerate() {
                let (nonce, counter) = block.split_at_mut(NONCE_BYTES);
                nonce.copy_from_slice(self.nonce);
                // inc32 wraps modulo 2^32 (a message under GCM's limit never gets there).
                counter.copy_from_slice(&((1 + k + i) as u32).to_be_bytes());
            }
            backend.encrypt_par_blocks((&mut batch).into());
            for block in batch.iter() {
                if k == 0 {
                    self.mask.copy_from_slice(block);
                } else if let Some(chunk) = data.next() {
                    chunk.iter_mut().zip(block.iter()).for_each(|(b, s)| *b ^= s);
                }
                k += 1;
            }
        }
        batch.iter_mut().for_each(|b| b.zeroize());
    }
}

/// Computes GHASH's key E(K, 0¹²⁸) in a batch of zero blocks: so that nothing in the binary calls
/// `aes`'s single-block path (a second instantiation of the fixsliced AES, 4 KB of wasm).
struct HashKey<'a>(&'a mut [u8; BLOCK_BYTES]);

impl BlockSizeUser for HashKey<'_> {
    type BlockSize = <Aes256 as BlockSizeUser>::BlockSize;
}

impl BlockCipherEncClosure for HashKey<'_> {
    fn call<B: BlockCipherEncBackend<BlockSize = Self::BlockSize>>(self, backend: &B) {
        let mut batch = ParBlocks::<B>::default();
        backend.encrypt_par_blocks((&mut batch).into());
        if let Some(first) = batch.first() {
            self.0.copy_from_slice(first);
        }
        batch.iter_mut().for_each(|b| b.zeroize());
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
        let aes = Aes256::new(&(*key).into());
        // H = E(K, 0¹²⁸) through the batch path as well (see `HashKey`).
        let mut h = [0u8; BLOCK_BYTES];
        aes.encrypt_with_backend(HashKey(&mut h));
        let ghash = ghash::Key::new(&h);
        h.zeroize();
        Self { aes, ghash }
    }

    /// E(K, J0) for `nonce`, and `buf` run through counter mode from J0 + 1.
    fn ctr(&self, nonce: &[u8; NONCE_BYTES], buf: &mut [u8]) -> [u8; TAG_BYTES] {
        let mut mask = [0u8; TAG_BYTES];
        self.aes.encrypt_with_backend(Keystream { nonce, buf, mask: &mut mask });
        mask
    }

    /// GHASH over `aad` and the ciphertext, then XORed with `mask`: the tag.
    fn tag(&self, aad: &[u8], ciphertext: &[u8], mut mask: [u8; TAG_BYTES]) -> [u8; TAG_BYTES] {
        let mut ghash = self.ghash.start();
        ghash.update_padded(aad);
        ghash.update_padded(ciphertext);
        let mut lengths = [0u8; BLOCK_BYTES];
        lengths[..8].copy_from_slice(&((aad.len() as u64) * 8).to_be_bytes());
        lengths[8..].copy_from_slice(&((ciphertext.len() as u64) * 8).to_be_bytes());
        ghash.update(&lengths);
        let s = ghash.finalize();
        mask.iter_mut().zip(s.iter()).for_each(|(m, s)| *m ^= s);
        mask
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
        if buf.len() as u64 > MAX_PLAINTEXT_BYTES {
            return None;
        }
        let mask = self.ctr(nonce, buf);
        Some(self.tag(aad, buf, mask))
    }

    /// Checks `tag` over `aad` and the ciphertext in `buf` and, only if it matches, leaves `buf`
    /// decrypted. On a mismatch `buf` is zeroed and `false` returned: nothing unauthenticated is
    /// left (the tag is computed over the ciphertext first; the counter-mode pass that decrypts
    /// also gives the tag mask, and a buffer that fails the constant-time comparison is zeroed).
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
        if buf.len() as u64 > MAX_PLAINTEXT_BYTES {
            buf.zeroize();
            return false;
        }
        let unmasked = self.tag(aad, buf, [0; TAG_BYTES]);
        let mask = self.ctr(nonce, buf);
        let mut expected = unmasked;
        expected.iter_mut().zip(mask.iter()).for_each(|(e, m)| *e ^= m);
        let ok: bool = expected.ct_eq(tag).into();
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
    /// the tag did not verify. `open` must not. (Wycheproof runs through the core's sealing,
    /// natively and on wasm32.)
    #[test]
    fn rustsec_2023_0096_no_plaintext_after_a_failed_open() {
        let gcm = Aes256Gcm::new(&[0x11; 32]);
        let plaintext = *b"user=alice&secret=hunter2";
        let mut buf = plaintext;
        let mut tag = gcm.seal(&[7; 12], b"aad", &mut buf).expect("tag");
        tag[0] ^= 1;
        assert!(!gcm.open(&[7; 12], b"aad", &mut buf, &tag));
        assert_eq!(buf, [0; 25]);
    }

    /// NIST's GCM test case 16 (AES-256, 96-bit IV, AAD, a message ending in a partial block),
    /// from the GCM specification's appendix B.
    #[test]
    fn gcm_spec_test_case_16() {
        use crate::testing::hex;
        let key: [u8; 32] = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308").try_into().unwrap();
        let nonce: [u8; 12] = hex("cafebabefacedbaddecaf888").try_into().unwrap();
        let plaintext = hex(concat!(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72",
            "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
        ));
        let aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let ciphertext = hex(concat!(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa",
            "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
        ));
        let tag = hex("76fc6ece0f4e1768cddf8853bb2d551b");
        let gcm = Aes256Gcm::new(&key);
        let mut buf = plaintext.clone();
        assert_eq!(gcm.seal(&nonce, &aad, &mut buf).unwrap().as_slice(), tag.as_slice());
        assert_eq!(buf, ciphertext);
        assert!(gcm.open(&nonce, &aad, &mut buf, &tag.clone().try_into().unwrap()));
        assert_eq!(buf, plaintext);
    }

    /// Every length from 0 to 4 batches and a bit, sealed and opened, against `aes-gcm`.
    #[test]
    fn every_length_matches_aes_gcm() {
        use aes_gcm::aead::{AeadInOut, KeyInit as _};
        let reference = aes_gcm::Aes256Gcm::new(&[3u8; 32].into());
        let gcm = Aes256Gcm::new(&[3; 32]);
        for len in 0..200usize {
            let plaintext: alloc::vec::Vec<u8> = (0..len).map(|i| (i * 7 + len) as u8).collect();
            let aad = &plaintext[..len % 23];
            let nonce = [len as u8; 12];
            let mut ours = plaintext.clone();
            let tag = gcm.seal(&nonce, aad, &mut ours).unwrap();
            let mut theirs = plaintext.clone();
            let their_tag = reference.encrypt_inout_detached(&nonce.into(), aad, (&mut theirs[..]).into()).unwrap();
            assert_eq!((ours.as_slice(), tag.as_slice()), (theirs.as_slice(), their_tag.as_slice()), "{len}");
            assert!(gcm.open(&nonce, aad, &mut ours, &tag));
            assert_eq!(ours, plaintext);
        }
    }
}
