//! The `apache` format: httpd 2.4's mod_session_crypto cookie (OpenSSL driver), byte-compatible.
//!
//! The value's layout is in `apache_wire.rs` (MAC | SALT | IV | CIPHERTEXT, base64); the keys:
//!
//! ```text
//! key        = PBKDF2-HMAC-SHA1(passphrase, SALT, 4096 rounds, 16 / 24 / 32 bytes for aes128/192/256)
//! ```
//!
//! Reading tries each passphrase in turn and checks the MAC in constant time **before** deriving
//! any key (a cookie without a valid MAC is never decrypted: CVE-2016-0736). Apache derives a key
//! twice per request (≈ 320 req/s on this project's machine); here derived keys are cached by
//! (passphrase, cipher, salt) in a small bounded per-process cache, and the writer keeps one
//! salt per passphrase for the life of the process, so a session written here costs one
//! derivation per process, not per request. A cookie opened under a salt that is not the
//! writer's (written by Apache, or by another process) is re-written on the next save so that
//! its later requests hit the cache.

use core::fmt;

use md5::{Digest as _, Md5};
use sha1::Sha1;
use siphasher::sip::SipHasher24;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::apache_wire::{self, BLOCK_BYTES, HEADER_BYTES, IV_BYTES, MAC_BYTES, SALT_BYTES};
use crate::cache::Bounded;
use crate::cbc::{cbc_decrypt, cbc_encrypt};
use crate::format::ApacheCipher;
use crate::keys;
use crate::limits::MAX_COOKIE_BYTES;
use crate::status::Rejection;

/// PBKDF2 rounds Apache uses.
const PBKDF2_ROUNDS: u32 = 4096;
/// Derived keys remembered per process.
const KEY_CACHE_SLOTS: usize = 64;

impl ApacheCipher {
    fn key_bytes(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }

    fn id(self) -> u8 {
        match self {
            Self::Aes128 => 1,
            Self::Aes192 => 2,
            Self::Aes256 => 3,
        }
    }
}

/// One passphrase with what is derived from it without a salt.
struct Passphrase {
    bytes: Zeroizing<Vec<u8>>,
    /// MD5(passphrase): the SipHash key.
    mac_key: Zeroizing<[u8; 16]>,
    /// SHA-256 of a label and the passphrase: how the process-wide caches know it.
    tag: [u8; 32],
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase([redacted])")
    }
}

impl Passphrase {
    fn new(p: &str) -> Self {
        let mut mac_key = Zeroizing::new([0u8; 16]);
        mac_key.copy_from_slice(&Md5::digest(p.as_bytes()));
        let tag = keys::labelled_hash(b"edge-session/apache/passphrase", p.as_bytes());
        Self { bytes: Zeroizing::new(p.as_bytes().to_vec()), mac_key, tag }
    }

    fn mac(&self, data: &[u8]) -> [u8; MAC_BYTES] {
        SipHasher24::new_with_key(&self.mac_key).hash(data).to_le_bytes()
    }
}

/// Which derived key: (passphrase tag, cipher id, salt).
type DerivedSlot = ([u8; 32], u8, [u8; SALT_BYTES]);
/// Derived keys, by slot.
static DERIVED: Bounded<DerivedSlot, Zeroizing<Vec<u8>>> = Bounded::new(KEY_CACHE_SLOTS);
/// The writer's salt by (passphrase tag, cipher): chosen once per process.
static WRITER_SALTS: Bounded<([u8; 32], u8), [u8; SALT_BYTES]> = Bounded::new(KEY_CACHE_SLOTS);

/// Why a session string could not be encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EncryptError {
    /// The cookie would be this many bytes, over 4096.
    TooLarge(usize),
    /// The platform's random number generator failed: no salt or IV.
    Random,
}

/// The passphrases (`first` encrypts, all decrypt) and the cipher.
#[derive(Debug)]
pub(crate) struct ApacheKeys {
    cipher: ApacheCipher,
    first: Passphrase,
    older: Vec<Passphrase>,
}

/// What a cookie held.
pub(crate) struct Decrypted {
    pub(crate) plaintext: Zeroizing<String>,
    /// Which passphrase (from 0) opened it.
    pub(crate) passphrase: usize,
    /// Encrypted with this process's writer salt for that passphrase (else written elsewhere).
    pub(crate) own_salt: bool,
}

impl ApacheKeys {
    /// `None` when the list is empty.
    pub(crate) fn new(cipher: ApacheCipher, passphrases: &[String]) -> Option<Self> {
        let (first, older) = passphrases.split_first()?;
        Some(Self { cipher, first: Passphrase::new(first), older: older.iter().map(|p| Passphrase::new(p)).collect() })
    }

    fn passphrases(&self) -> impl Iterator<Item = &Passphrase> {
        core::iter::once(&self.first).chain(&self.older)
    }

    /// PBKDF2 for (passphrase, salt), through the cache.
    fn derive(&self, p: &Passphrase, salt: &[u8; SALT_BYTES]) -> Zeroizing<Vec<u8>> {
        let slot = (p.tag, self.cipher.id(), *salt);
        if let Some(key) = DERIVED.get(&slot) {
            return key;
        }
        // Derived outside the lock (about a millisecond of SHA-1).
        let mut key = Zeroizing::new(vec![0u8; self.cipher.key_bytes()]);
        pbkdf2::pbkdf2_hmac::<Sha1>(&p.bytes, salt, PBKDF2_ROUNDS, &mut key);
        DERIVED.insert(slot, key.clone());
        key
    }

    /// The passphrase at `index` (0 = the first).
    fn passphrase(&self, index: usize) -> Option<&Passphrase> {
        self.passphrases().nth(index)
    }

    /// The writer's salt for a passphrase: chosen once per process.
    fn writer_salt(&self, p: &Passphrase) -> Result<[u8; SALT_BYTES], EncryptError> {
        let slot = (p.tag, self.cipher.id());
        if let Some(salt) = WRITER_SALTS.get(&slot) {
            return Ok(salt);
        }
        let mut salt = [0u8; SALT_BYTES];
        keys::random(&mut salt).map_err(|_| EncryptError::Random)?;
        WRITER_SALTS.insert(slot, salt);
        Ok(salt)
    }

    /// Encrypts a session string the way mod_session_crypto does, with the passphrase at `index`
    /// (0, the first, except to write a session back under the weak passphrase that opened it).
    pub(crate) fn seal(&self, plaintext: &str, index: usize) -> Result<String, EncryptError> {
        let padded = (plaintext.len() / BLOCK_BYTES + 1) * BLOCK_BYTES;
        let len = (HEADER_BYTES + padded).div_ceil(3) * 4;
        if len > MAX_COOKIE_BYTES {
            return Err(EncryptError::TooLarge(len));
        }
        let p = self.passphrase(index).unwrap_or(&self.first);
        let salt = self.writer_salt(p)?;
        let mut iv = [0u8; IV_BYTES];
        keys::random(&mut iv).map_err(|_| EncryptError::Random)?;
        self.seal_with(p, &salt, &iv, plaintext).ok_or(EncryptError::TooLarge(len))
    }

    /// The cookie value for a given passphrase, salt and IV (`None` only if the output could not
    /// be sized).
    fn seal_with(
        &self,
        p: &Passphrase,
        salt: &[u8; SALT_BYTES],
        iv: &[u8; IV_BYTES],
        plaintext: &str,
    ) -> Option<String> {
        let padded = (plaintext.len() / BLOCK_BYTES + 1) * BLOCK_BYTES;
        let key = self.derive(p, salt);
        let mut out = Zeroizing::new(vec![0u8; HEADER_BYTES + padded]);
        let (mac, authenticated) = out.split_at_mut_checked(MAC_BYTES)?;
        let (salt_out, iv_and_ct) = authenticated.split_at_mut_checked(SALT_BYTES)?;
        let (iv_out, ct) = iv_and_ct.split_at_mut_checked(IV_BYTES)?;
        salt_out.copy_from_slice(salt);
        iv_out.copy_from_slice(iv);
        // The key's length (from the cipher setting) picks AES-128, -192 or -256.
        cbc_encrypt(&key, iv, plaintext.as_bytes(), ct)?;
        mac.copy_from_slice(&p.mac(authenticated));
        Some(apache_wire::encode(out.as_slice()))
    }

    /// Verifies and decrypts a cookie value.
    pub(crate) fn open(&self, value: &str) -> Result<Decrypted, Rejection> {
        if value.len() > MAX_COOKIE_BYTES {
            return Err(Rejection::TooLarge);
        }
        let raw = Zeroizing::new(apache_wire::decode(value).ok_or(Rejection::Malformed)?);
        if raw.len() < HEADER_BYTES + BLOCK_BYTES {
            return Err(Rejection::Malformed);
        }
        let (mac, authenticated) = raw.split_at_checked(MAC_BYTES).ok_or(Rejection::Malformed)?;
        // Constant-time MAC check with each passphrase, before any key derivation.
        let (index, p) = self
            .passphrases()
            .enumerate()
            .find(|(_, p)| bool::from(p.mac(authenticated).ct_eq(mac)))
            .ok_or(Rejection::Tampered)?;
        let (salt, rest) = authenticated.split_at_checked(SALT_BYTES).ok_or(Rejection::Malformed)?;
        let (iv, ciphertext) = rest.split_at_checked(IV_BYTES).ok_or(Rejection::Malformed)?;
        if ciphertext.len() % BLOCK_BYTES != 0 {
            return Err(Rejection::Malformed);
        }
        let mut salt_arr = [0u8; SALT_BYTES];
        salt_arr.copy_from_slice(salt);
        let key = self.derive(p, &salt_arr);
        // A valid MAC with bad padding means another cipher setting, not an attacker.
        let iv: &[u8; IV_BYTES] = iv.try_into().map_err(|_| Rejection::Malformed)?;
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        let len = cbc_decrypt(&key, iv, &mut buf).ok_or(Rejection::Malformed)?;
        let plaintext = buf.get(..len).ok_or(Rejection::Malformed)?;
        let plaintext = String::from_utf8(plaintext.to_vec()).map_err(|_| Rejection::Malformed)?;
        let own_salt = self.writer_salt(p).is_ok_and(|s| s == salt_arr);
        Ok(Decrypted { plaintext: Zeroizing::new(plaintext), passphrase: index, own_salt })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b64(bytes: impl AsRef<[u8]>) -> String {
        apache_wire::encode(bytes.as_ref())
    }

    fn keys(cipher: ApacheCipher, p: &[&str]) -> ApacheKeys {
        ApacheKeys::new(cipher, &p.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn round_trip_every_cipher() {
        for c in [ApacheCipher::Aes128, ApacheCipher::Aes192, ApacheCipher::Aes256] {
            let k = keys(c, &["first passphrase", "second"]);
            for pt in ["", "a=1", "exactly sixteen!", &"x".repeat(100)] {
                let v = k.seal(pt, 0).unwrap();
                let o = k.open(&v).unwrap();
                assert_eq!(o.plaintext.as_str(), pt);
                assert!(o.own_salt && o.passphrase == 0, "our own salt and first passphrase");
            }
        }
    }

    #[test]
    fn writer_derives_once() {
        let k = keys(ApacheCipher::Aes256, &["writer-derives-once passphrase"]);
        let a = apache_wire::decode(&k.seal("a=1", 0).unwrap()).unwrap();
        let b = apache_wire::decode(&k.seal("a=1", 0).unwrap()).unwrap();
        assert_eq!(a[8..24], b[8..24], "same salt");
        assert_ne!(a[24..40], b[24..40], "fresh IV");
    }

    #[test]
    fn older_passphrase_opens_and_says_which() {
        let old = keys(ApacheCipher::Aes256, &["old one"]);
        let both = keys(ApacheCipher::Aes256, &["new one", "old one"]);
        let o = both.open(&old.seal("u=1", 0).unwrap()).unwrap();
        assert_eq!(o.plaintext.as_str(), "u=1");
        assert_eq!(o.passphrase, 1);
        // Written back under the passphrase that opened it (a weak one keeps its sessions).
        let again = both.open(&both.seal("u=2", 1).unwrap()).unwrap();
        assert_eq!((again.plaintext.as_str(), again.passphrase, again.own_salt), ("u=2", 1, true));
        assert_eq!(old.open(&both.seal("u=3", 1).unwrap()).unwrap().plaintext.as_str(), "u=3");
    }

    #[test]
    fn mac_is_checked_before_anything() {
        let k = keys(ApacheCipher::Aes256, &["p"]);
        let v = k.seal("user=alice", 0).unwrap();
        let raw = apache_wire::decode(&v).unwrap();
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0x01;
            assert!(k.open(&b64(&bad)).is_err(), "byte {i}");
        }
        // A pre-2.4.25 cookie (no MAC) cannot open: CVE-2016-0736.
        assert!(k.open(&b64(&raw[8..])).is_err());
    }

    #[test]
    fn wrong_cipher_is_rejected_not_garbage() {
        let a = keys(ApacheCipher::Aes128, &["p2"]);
        let b = keys(ApacheCipher::Aes256, &["p2"]);
        assert_eq!(b.open(&a.seal("u=1", 0).unwrap()).err(), Some(Rejection::Malformed));
    }

    #[test]
    fn short_and_bad_input() {
        let k = keys(ApacheCipher::Aes256, &["p"]);
        for v in ["", "AAAA", "!!!", &b64([0u8; 55]), &"A".repeat(5000)] {
            assert!(k.open(v).is_err(), "{v}");
        }
    }

    #[test]
    fn cache_is_bounded() {
        let k = keys(ApacheCipher::Aes128, &["bounded cache passphrase"]);
        for i in 0..(KEY_CACHE_SLOTS as u8 + 5) {
            let _ = k.derive(&k.first, &[i; SALT_BYTES]);
        }
        assert!(DERIVED.len() <= KEY_CACHE_SLOTS);
    }

    /// Apache's own cookies, re-encrypted with Apache's salt and IV, give Apache's exact bytes.
    #[test]
    fn writer_is_byte_exact_with_apache() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../tests/vectors/apache-2.4.71.json")).unwrap();
        let mut checked = 0;
        for v in file["vectors"].as_array().unwrap() {
            let passphrases: Vec<String> =
                v["SessionCryptoPassphrase"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().into()).collect();
            if passphrases.is_empty() {
                continue;
            }
            let cipher = ApacheCipher::parse(v["SessionCryptoCipher"].as_str().unwrap()).unwrap();
            let k = ApacheKeys::new(cipher, &passphrases).unwrap();
            let value = v["cookie_value"].as_str().unwrap();
            let opened = k.open(value).unwrap();
            let raw = apache_wire::decode(value).unwrap();
            let salt: [u8; 16] = raw[8..24].try_into().unwrap();
            let iv: [u8; 16] = raw[24..40].try_into().unwrap();
            assert_eq!(k.seal_with(&k.first, &salt, &iv, &opened.plaintext).unwrap(), value, "{}", v["name"]);
            checked += 1;
        }
        assert_eq!(checked, 9, "every encrypted vector");
    }

    #[test]
    fn debug_is_redacted() {
        let k = keys(ApacheCipher::Aes256, &["super secret phrase"]);
        let d = format!("{k:?}");
        assert!(!d.contains("super secret") && d.contains("redacted"), "{d}");
    }
}
