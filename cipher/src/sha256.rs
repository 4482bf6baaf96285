//! SHA-256 (FIPS 180-4), HMAC-SHA256 (RFC 2104) and PBKDF2-HMAC-SHA256 (RFC 8018, one 32-byte
//! block): the key ids, derived secrets, origin signatures, log hashes and passphrase stretching of
//! edge-session.
//!
//! Written here, for size: RustCrypto's `sha2` spells the 64 rounds out one by one (7.9 KB of
//! wasm; its compact variant keeps the 64-word message schedule in memory and is slower). Here the
//! rounds run in a loop over a 16-word ring of message words (1 KB), and PBKDF2's iterations
//! compress their pre-padded blocks directly, without a hasher's buffering: the default entry is
//! 1.3 KB gzip smaller and stretching a passphrase 15 % faster in node than with `sha2`, `hmac`
//! and `pbkdf2` (which the tests hold this to, at every length, beside the standards' vectors).
//!
//! ```
//! use edge_session_cipher::sha256::{Hmac, Sha256};
//! let digest = Sha256::new().chain(b"abc").finish();
//! assert_eq!(digest[..4], [0xba, 0x78, 0x16, 0xbf]);
//! let mac = Hmac::new(b"key").chain(b"message").finish();
//! assert_eq!(mac.len(), 32);
//! ```

use subtle::ConstantTimeEq;
use zeroize::Zeroize;

/// Bytes of a SHA-256 digest.
pub const DIGEST_BYTES: usize = 32;
/// Bytes of a SHA-256 message block.
const BLOCK_BYTES: usize = 64;

/// FIPS 180-4 §5.3.3: the initial hash value.
const H0: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/// FIPS 180-4 §4.2.2: the round constants.
#[rustfmt::skip]
const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// Message word `t` of the block whose first sixteen words `w` was loaded with: for t ≥ 16 the
/// schedule's recurrence (FIPS 180-4 §6.2.2, step 1), kept in the ring in place of word t − 16.
#[inline(always)]
fn word(w: &mut [u32; 16], t: usize) -> u32 {
    if t >= 16 {
        let w15 = w[(t + 1) & 15];
        let w2 = w[(t + 14) & 15];
        let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
        let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
        w[t & 15] = w[t & 15].wrapping_add(s0).wrapping_add(w[(t + 9) & 15]).wrapping_add(s1);
    }
    w[t & 15]
}

/// The compression function over one block (FIPS 180-4 §6.2.2), its 64 rounds in a loop.
fn compress(state: &mut [u32; 8], block: &[u8; BLOCK_BYTES]) {
    let mut w = [0u32; 16];
    for (word, bytes) in w.iter_mut().zip(block.as_chunks::<4>().0) {
        *word = u32::from_be_bytes(*bytes);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (t, k) in K.iter().enumerate() {
        let t1 = h
            .wrapping_add(e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25))
            .wrapping_add((e & f) ^ (!e & g))
            .wrapping_add(*k)
            .wrapping_add(word(&mut w, t));
        let t2 =
            (a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22)).wrapping_add((a & b) ^ (a & c) ^ (b & c));
        (a, b, c, d, e, f, g, h) = (t1.wrapping_add(t2), a, b, c, d.wrapping_add(t1), e, f, g);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

/// A SHA-256 computation. Its buffered input is zeroed on drop (it may hash key material).
///
/// ```
/// use edge_session_cipher::sha256::Sha256;
/// let mut h = Sha256::new();
/// h.update(b"a");
/// h.update(b"bc");
/// assert_eq!(h.finish(), Sha256::new().chain(b"abc").finish());
/// ```
#[derive(Clone)]
pub struct Sha256 {
    state: [u32; 8],
    buffer: [u8; BLOCK_BYTES],
    /// Bytes hashed so far; `len % 64` of them are in `buffer`.
    len: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    /// A new computation.
    ///
    /// ```
    /// let empty = edge_session_cipher::sha256::Sha256::new().finish();
    /// assert_eq!(empty[..2], [0xe3, 0xb0]);
    /// ```
    pub fn new() -> Self {
        Self { state: H0, buffer: [0; BLOCK_BYTES], len: 0 }
    }

    /// Hashes `data` next.
    ///
    /// ```
    /// let mut h = edge_session_cipher::sha256::Sha256::new();
    /// h.update(b"abc");
    /// ```
    pub fn update(&mut self, mut data: &[u8]) {
        let filled = (self.len % BLOCK_BYTES as u64) as usize;
        self.len = self.len.wrapping_add(data.len() as u64);
        if filled > 0 {
            let take = data.len().min(BLOCK_BYTES - filled);
            let (head, rest) = data.split_at(take);
            if let Some(room) = self.buffer.get_mut(filled..filled + take) {
                room.copy_from_slice(head);
            }
            data = rest;
            if filled + take < BLOCK_BYTES {
                return;
            }
            compress(&mut self.state, &self.buffer);
        }
        let (blocks, rest) = data.as_chunks::<BLOCK_BYTES>();
        for block in blocks {
            compress(&mut self.state, block);
        }
        if let Some(room) = self.buffer.get_mut(..rest.len()) {
            room.copy_from_slice(rest);
        }
    }

    /// [`update`](Self::update), by value, for chains.
    ///
    /// ```
    /// let d = edge_session_cipher::sha256::Sha256::new().chain(b"a").chain(b"bc").finish();
    /// assert_eq!(d[0], 0xba);
    /// ```
    pub fn chain(mut self, data: &[u8]) -> Self {
        self.update(data);
        self
    }

    /// The digest of everything hashed.
    ///
    /// ```
    /// let d = edge_session_cipher::sha256::Sha256::new().chain(b"abc").finish();
    /// assert_eq!(d[31], 0xad);
    /// ```
    pub fn finish(mut self) -> [u8; DIGEST_BYTES] {
        // FIPS 180-4 §5.1.1: 0x80, zeros to 56 bytes mod 64, the length in bits (64-bit big-endian).
        let bits = self.len.wrapping_mul(8);
        let filled = (self.len % BLOCK_BYTES as u64) as usize;
        self.buffer[filled & (BLOCK_BYTES - 1)] = 0x80;
        if let Some(zeros) = self.buffer.get_mut(filled + 1..) {
            zeros.fill(0);
        }
        if filled >= BLOCK_BYTES - 8 {
            compress(&mut self.state, &self.buffer);
            self.buffer.fill(0);
        }
        self.buffer[BLOCK_BYTES - 8..].copy_from_slice(&bits.to_be_bytes());
        compress(&mut self.state, &self.buffer);
        self.digest()
    }

    /// The state as bytes (big-endian words).
    fn digest(&self) -> [u8; DIGEST_BYTES] {
        let mut out = [0u8; DIGEST_BYTES];
        put_words(&mut out, &self.state);
        out
    }
}

impl Drop for Sha256 {
    fn drop(&mut self) {
        self.state.zeroize();
        self.buffer.zeroize();
    }
}

/// HMAC-SHA256 with its key's pads hashed once: clone a keyed `Hmac` to authenticate several
/// messages under one key without hashing the pads again. Its states are zeroed on drop; `Debug`
/// is not derived.
///
/// ```
/// use edge_session_cipher::sha256::Hmac;
/// let keyed = Hmac::new(b"secret");
/// let a = keyed.clone().chain(b"one").finish();
/// let b = keyed.clone().chain(b"one").finish();
/// assert_eq!(a, b);
/// ```
#[derive(Clone)]
pub struct Hmac {
    inner: Sha256,
    outer: Sha256,
}

impl Hmac {
    /// Keyed with `key` (any length: RFC 2104 hashes a key longer than a block).
    ///
    /// ```
    /// let mac = edge_session_cipher::sha256::Hmac::new(&[0x0b; 20]).chain(b"Hi There").finish();
    /// assert_eq!(mac[..4], [0xb0, 0x34, 0x4c, 0x61]);
    /// ```
    pub fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK_BYTES];
        if key.len() > BLOCK_BYTES {
            block[..DIGEST_BYTES].copy_from_slice(&Sha256::new().chain(key).finish());
        } else if let Some(head) = block.get_mut(..key.len()) {
            head.copy_from_slice(key);
        }
        block.iter_mut().for_each(|b| *b ^= 0x36);
        let inner = Sha256::new().chain(&block);
        block.iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
        let outer = Sha256::new().chain(&block);
        block.zeroize();
        Self { inner, outer }
    }

    /// Authenticates `data` next.
    ///
    /// ```
    /// let mut mac = edge_session_cipher::sha256::Hmac::new(b"k");
    /// mac.update(b"data");
    /// ```
    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// [`update`](Self::update), by value, for chains.
    ///
    /// ```
    /// let mac = edge_session_cipher::sha256::Hmac::new(b"k").chain(b"a").chain(b"b").finish();
    /// assert_eq!(mac.len(), 32);
    /// ```
    pub fn chain(mut self, data: &[u8]) -> Self {
        self.update(data);
        self
    }

    /// The MAC of everything authenticated.
    ///
    /// ```
    /// let mac = edge_session_cipher::sha256::Hmac::new(b"k").chain(b"data").finish();
    /// assert_eq!(mac.len(), 32);
    /// ```
    pub fn finish(self) -> [u8; DIGEST_BYTES] {
        let Self { inner, outer } = self;
        outer.chain(&inner.finish()).finish()
    }

    /// Whether the MAC of everything authenticated is `tag`, compared in constant time.
    ///
    /// ```
    /// use edge_session_cipher::sha256::Hmac;
    /// let tag = Hmac::new(b"k").chain(b"data").finish();
    /// assert!(Hmac::new(b"k").chain(b"data").verify(&tag));
    /// assert!(!Hmac::new(b"k").chain(b"date").verify(&tag));
    /// ```
    pub fn verify(self, tag: &[u8; DIGEST_BYTES]) -> bool {
        bool::from(self.finish().ct_eq(tag))
    }
}

/// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) of `password` and `salt` over `rounds` iterations, its first
/// 32-byte block (what a 256-bit key needs). Each iteration is two compressions: the keyed pads
/// are hashed once, and the message U(i−1) of 32 bytes is padded in place.
///
/// ```
/// let key = edge_session_cipher::sha256::pbkdf2(b"password", b"salt", 1);
/// assert_eq!(key[..4], [0x12, 0x0f, 0xb6, 0xcf]);
/// ```
pub fn pbkdf2(password: &[u8], salt: &[u8], rounds: u32) -> [u8; DIGEST_BYTES] {
    let keyed = Hmac::new(password);
    // U1 = HMAC(P, S || INT(1)).
    let mut t = keyed.clone().chain(salt).chain(&1u32.to_be_bytes()).finish();
    // U(i) = HMAC(P, U(i−1)): after the 64 bytes of a keyed pad, the inner and the outer message
    // are each 32 bytes, so one padded block apiece whose length field (96 bytes) never changes.
    let mut block = [0u8; BLOCK_BYTES];
    block[..DIGEST_BYTES].copy_from_slice(&t);
    block[DIGEST_BYTES] = 0x80;
    block[BLOCK_BYTES - 8..].copy_from_slice(&(((BLOCK_BYTES + DIGEST_BYTES) as u64) * 8).to_be_bytes());
    let mut state = [0u32; 8];
    for _ in 1..rounds {
        state = keyed.inner.state;
        compress(&mut state, &block);
        put_words(&mut block, &state);
        state = keyed.outer.state;
        compress(&mut state, &block);
        put_words(&mut block, &state);
        for (t, u) in t.iter_mut().zip(&block) {
            *t ^= u;
        }
    }
    block.zeroize();
    state.zeroize();
    t
}

/// Writes `state` big-endian over the first 32 bytes of `out`.
fn put_words(out: &mut [u8], state: &[u32; 8]) {
    for (bytes, word) in out.as_chunks_mut::<4>().0.iter_mut().zip(state) {
        *bytes = word.to_be_bytes();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{hex, random_bytes};
    use alloc::vec::Vec;
    use hmac::Mac;
    use sha2::Digest;

    /// Deterministic bytes for the comparisons, a stream per seed.
    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        random_bytes(&mut (seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1), n)
    }

    #[test]
    fn fips_180_vectors() {
        let cases: [(&[u8], &str); 3] = [
            (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
        ];
        for (message, digest) in cases {
            assert_eq!(Sha256::new().chain(message).finish().to_vec(), hex(digest));
        }
        // A million 'a's, fed in uneven pieces.
        let mut h = Sha256::new();
        let a = [b'a'; 1000];
        let mut left = 1_000_000usize;
        let mut step = 1;
        while left > 0 {
            let n = step.min(left).min(a.len());
            h.update(&a[..n]);
            left -= n;
            step = step % 997 + 7;
        }
        assert_eq!(h.finish().to_vec(), hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"));
    }

    #[test]
    fn same_digests_as_sha2_at_every_length_and_split() {
        for len in 0..300 {
            let data = bytes(len, len as u64);
            let want = sha2::Sha256::digest(&data);
            assert_eq!(Sha256::new().chain(&data).finish()[..], want[..], "length {len}");
            for split in [1, len / 3, len / 2, len.saturating_sub(1)] {
                let split = split.min(len);
                let got = Sha256::new().chain(&data[..split]).chain(&data[split..]).finish();
                assert_eq!(got[..], want[..], "length {len} split {split}");
            }
        }
    }

    #[test]
    fn rfc_4231_hmac_vectors() {
        let cases: [(Vec<u8>, Vec<u8>, &str); 4] = [
            (
                [0x0b; 20].to_vec(),
                b"Hi There".to_vec(),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            ),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?".to_vec(),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                [0xaa; 131].to_vec(),
                b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
            (
                [0xaa; 20].to_vec(),
                [0xdd; 50].to_vec(),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            ),
        ];
        for (key, data, mac) in cases {
            assert_eq!(Hmac::new(&key).chain(&data).finish().to_vec(), hex(mac));
        }
    }

    #[test]
    fn same_macs_as_hmac_for_every_key_length() {
        for key_len in (0..140).chain([255, 1000]) {
            let key = bytes(key_len, 7 + key_len as u64);
            let keyed = Hmac::new(&key);
            for len in [0, 1, 31, 32, 55, 56, 63, 64, 65, 200] {
                let data = bytes(len, len as u64 ^ 0x55);
                let mut want = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).unwrap();
                want.update(&data);
                let want = want.finalize().into_bytes();
                assert_eq!(keyed.clone().chain(&data).finish()[..], want[..], "key {key_len} data {len}");
            }
        }
    }

    #[test]
    fn pbkdf2_vectors_and_the_pbkdf2_crate() {
        // RFC 7914 §11 (PBKDF2-HMAC-SHA256), first 32 bytes.
        assert_eq!(
            pbkdf2(b"passwd", b"salt", 1).to_vec(),
            hex("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
        );
        assert_eq!(
            pbkdf2(b"Password", b"NaCl", 80000).to_vec(),
            hex("4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56")
        );
        for (password_len, rounds) in [(0, 1), (1, 2), (8, 3), (32, 17), (64, 5), (65, 4), (100, 1000)] {
            let password = bytes(password_len, rounds.into());
            let salt = bytes(password_len / 2 + 3, (rounds + 1).into());
            let mut want = [0u8; 32];
            ::pbkdf2::pbkdf2_hmac::<sha2::Sha256>(&password, &salt, rounds, &mut want);
            assert_eq!(pbkdf2(&password, &salt, rounds), want, "password {password_len} rounds {rounds}");
        }
    }
}
