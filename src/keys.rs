//! Key material for the sealed format.
//!
//! A key string is either
//! - **a raw key**: [`RAW_KEY_PREFIX`] (`base64:`) and 32 random bytes in base64 (standard or
//!   URL-safe alphabet, padding optional), as printed by [`generate_key`] / `edge-session keygen`;
//!   or
//! - **a passphrase**: anything else, of at least [`MIN_PASSPHRASE_CHARS`] characters, stretched
//!   with PBKDF2-HMAC-SHA256 ([`PASSPHRASE_ITERATIONS`] rounds, salt [`PASSPHRASE_SALT`]) once per
//!   process: the result is cached, so building a manager per request costs nothing after the
//!   first.
//!
//! The prefix is what tells them apart: a passphrase is never used unstretched because it happens
//! to be valid base64 (its public key id would then be a one-hash-per-guess check). A string
//! without the prefix that *is* 32 bytes of base64 is refused ([`KeyError::Unprefixed`]) instead
//! of being guessed at, so a key written before the prefix existed fails loudly at start-up (add
//! `base64:` in front of it; its id and every cookie it sealed stay the same) rather than being
//! silently stretched into another key.
//!
//! Anything shorter, or with very few distinct bytes or characters, is refused: a session key
//! must carry at least 256 bits of entropy (or a passphrase that is stretched).
//!
//! Each key has a public 4-byte id, `SHA-256("edge-session/v1/key-id" | key)[0..4]`, written in the
//! clear in every sealed token so that opening finds the key directly during rotation.

use core::fmt;

use base64ct::{Base64, Encoding};
use edge_session_seal::Aes256Gcm;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::cache::Bounded;
use crate::limits::MIN_PASSPHRASE_CHARS;
use crate::text;

/// Bytes in a raw key.
pub const KEY_BYTES: usize = 32;
/// What starts a raw key's written form: `base64:` then 32 bytes in base64.
///
/// ```
/// let key = edge_session::generate_key().unwrap();
/// assert!(key.starts_with(edge_session::wire::RAW_KEY_PREFIX));
/// ```
pub const RAW_KEY_PREFIX: &str = "base64:";
/// PBKDF2-HMAC-SHA256 rounds for a passphrase.
pub const PASSPHRASE_ITERATIONS: u32 = 100_000;
/// PBKDF2 salt for passphrases (fixed: the passphrase itself must be secret and long).
pub const PASSPHRASE_SALT: &[u8] = b"edge-session/v1/passphrase";
/// Bytes of the public key id in a sealed token.
pub(crate) const KEY_ID_BYTES: usize = 4;
const KEY_ID_LABEL: &[u8] = b"edge-session/v1/key-id";
/// Fewest distinct bytes (or characters) a key may have: catches `AAAA…`, `aaaa…`, `0123…` repeats.
const MIN_DISTINCT: usize = 10;
/// Stretched passphrases remembered per process.
const STRETCH_CACHE_SLOTS: usize = 16;

/// A key that cannot be used.
///
/// ```
/// use edge_session::{ConfigError, KeyError, Options, SessionManager};
/// let mut o = Options::default();
/// o.keys = vec!["hunter2".into()];
/// assert!(matches!(SessionManager::new(o), Err(ConfigError::Key { index: 0, error: KeyError::TooShort })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// Not a passphrase of at least 32 characters (nor a raw key).
    TooShort,
    /// Too few distinct bytes or characters to be random.
    LowEntropy,
    /// The same key is listed twice.
    Duplicate,
    /// The platform's random source failed.
    Random,
    /// Looks like a raw key (32 bytes of base64) but lacks [`RAW_KEY_PREFIX`].
    Unprefixed,
    /// Starts with [`RAW_KEY_PREFIX`] but is not 32 bytes of base64.
    BadRawKey,
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooShort => write!(
                f,
                "key too short: use a key from `edge-session keygen` ({RAW_KEY_PREFIX}…) or a passphrase of at least {MIN_PASSPHRASE_CHARS} characters"
            ),
            Self::LowEntropy => f.write_str("key has too little entropy: generate one with `edge-session keygen`"),
            Self::Duplicate => f.write_str("the same key is listed twice"),
            Self::Random => f.write_str("the platform's random number generator failed"),
            Self::Unprefixed => write!(
                f,
                "this looks like a raw key without its prefix: write a key from `edge-session keygen` as {RAW_KEY_PREFIX}KEY (a passphrase may not be 32 bytes of base64)"
            ),
            Self::BadRawKey => write!(f, "a {RAW_KEY_PREFIX} key must be {KEY_BYTES} bytes in base64"),
        }
    }
}

impl std::error::Error for KeyError {}

/// Fills `buf` from the platform's CSPRNG through getrandom, on every call (`crypto.getRandomValues`
/// on wasm32): nothing is drawn ahead and kept, so no two seals can be handed the same bytes, even
/// from a snapshot of the module's memory.
pub(crate) fn random(buf: &mut [u8]) -> Result<(), KeyError> {
    getrandom::getrandom(buf).map_err(|_| KeyError::Random)
}

/// `SHA-256(label | data)`.
pub(crate) fn labelled_hash(label: &[u8], data: &[u8]) -> [u8; 32] {
    Sha256::new().chain_update(label).chain_update(data).finalize().into()
}

/// A fresh random key in its written form: [`RAW_KEY_PREFIX`] and 32 bytes from getrandom in
/// base64 with padding (`base64:` + 44 characters), which no passphrase is taken for.
///
/// ```
/// let k = edge_session::generate_key().unwrap();
/// assert!(k.starts_with("base64:") && k.len() == 51);
/// assert_ne!(k, edge_session::generate_key().unwrap());
/// ```
pub fn generate_key() -> Result<String, KeyError> {
    let mut raw = Zeroizing::new([0u8; KEY_BYTES]);
    random(raw.as_mut())?;
    Ok(format!("{RAW_KEY_PREFIX}{}", Base64::encode_string(raw.as_ref())))
}

fn decode_raw(s: &str) -> Option<Zeroizing<[u8; KEY_BYTES]>> {
    // 32 bytes are 43 characters unpadded, 44 padded: anything else is not a raw key.
    if !(43..=44).contains(&s.len()) {
        return None;
    }
    // Any spelling: either alphabet (not both), padded or not. The URL-safe alphabet's two symbols
    // are written as the standard's, and the padding added, so that one strict (canonical,
    // constant-time) decoder reads them all: four of base64ct's decoders cost 2 KB gzip in the
    // npm package, and they accept exactly the same spellings.
    let url_safe = s.contains(['-', '_']);
    if url_safe && s.contains(['+', '/']) {
        return None;
    }
    let mut spelled = Zeroizing::new([b'='; 44]);
    for (to, from) in spelled.iter_mut().zip(s.bytes()) {
        *to = match from {
            b'-' => b'+',
            b'_' => b'/',
            b => b,
        };
    }
    let spelled = core::str::from_utf8(spelled.as_ref()).ok()?;
    let mut out = Zeroizing::new([0u8; KEY_BYTES]);
    let decoded = Base64::decode(spelled, out.as_mut()).map(|d| d.len());
    (decoded == Ok(KEY_BYTES)).then_some(out)
}

/// Whether `items` hold at least [`MIN_DISTINCT`] distinct values (stops as soon as they do).
fn varied<T: PartialEq>(items: impl Iterator<Item = T>) -> bool {
    let mut seen: Vec<T> = Vec::with_capacity(MIN_DISTINCT);
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
            if seen.len() >= MIN_DISTINCT {
                return true;
            }
        }
    }
    false
}

/// Stretched passphrases, by SHA-256 of salt and passphrase.
static STRETCHED: Bounded<[u8; 32], Zeroizing<[u8; KEY_BYTES]>> = Bounded::new(STRETCH_CACHE_SLOTS);

fn stretch(passphrase: &str) -> Zeroizing<[u8; KEY_BYTES]> {
    // The cache is indexed by a hash of the passphrase (never the passphrase itself).
    let tag = labelled_hash(PASSPHRASE_SALT, passphrase.as_bytes());
    if let Some(key) = STRETCHED.get(&tag) {
        return key;
    }
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    pbkdf2::pbkdf2_hmac::<Sha256>(passphrase.as_bytes(), PASSPHRASE_SALT, PASSPHRASE_ITERATIONS, key.as_mut());
    STRETCHED.insert(tag, key.clone());
    key
}

/// Checks that a passphrase is long and varied enough to protect sessions.
pub(crate) fn check_passphrase(s: &str) -> Result<(), KeyError> {
    if s.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(KeyError::TooShort);
    }
    if !varied(s.chars()) {
        return Err(KeyError::LowEntropy);
    }
    Ok(())
}

/// Turns a key string into 32 bytes of key material (see the module docs).
pub(crate) fn material(s: &str) -> Result<Zeroizing<[u8; KEY_BYTES]>, KeyError> {
    if let Some(encoded) = s.strip_prefix(RAW_KEY_PREFIX) {
        let raw = decode_raw(encoded).ok_or(KeyError::BadRawKey)?;
        if !varied(raw.iter()) {
            return Err(KeyError::LowEntropy);
        }
        return Ok(raw);
    }
    if decode_raw(s).is_some() {
        return Err(KeyError::Unprefixed);
    }
    check_passphrase(s)?;
    Ok(stretch(s))
}

/// One sealing key: the AES-256-GCM cipher (`aes-gcm` through `edge-session-seal`; key schedule
/// and GHASH key done once, both zeroed on drop) and its public id.
pub(crate) struct SealKey {
    pub(crate) id: [u8; KEY_ID_BYTES],
    pub(crate) cipher: Aes256Gcm,
    material: Zeroizing<[u8; KEY_BYTES]>,
}

impl SealKey {
    pub(crate) fn new(material: &[u8; KEY_BYTES]) -> Self {
        let digest = labelled_hash(KEY_ID_LABEL, material);
        let mut id = [0u8; KEY_ID_BYTES];
        id.copy_from_slice(digest.get(..KEY_ID_BYTES).unwrap_or(&[0; KEY_ID_BYTES]));
        Self { id, cipher: Aes256Gcm::new(material), material: Zeroizing::new(*material) }
    }

    /// `SHA-256(label | key)`: a secret for another use, independent of the sealing key for
    /// any label that is not the key-id label.
    pub(crate) fn derive(&self, label: &[u8]) -> Zeroizing<[u8; 32]> {
        Zeroizing::new(labelled_hash(label, self.material.as_ref()))
    }

    /// The public id in hex.
    pub(crate) fn id_hex(&self) -> String {
        text::hex(&self.id)
    }
}

/// A secret derived from a sealing key for another use
/// ([`SessionManager::derive_secrets`](crate::SessionManager::derive_secrets)): zeroed on drop,
/// redacted in `Debug`.
///
/// ```
/// let mut o = edge_session::Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// let m = edge_session::SessionManager::new(o).unwrap();
/// let s = &m.derive_secrets("label")[0];
/// assert_eq!((s.expose().len(), s.key_id().len()), (32, 8));
/// ```
pub struct DerivedSecret {
    key_id: String,
    secret: Zeroizing<[u8; 32]>,
}

impl DerivedSecret {
    pub(crate) fn new(key_id: String, secret: Zeroizing<[u8; 32]>) -> Self {
        Self { key_id, secret }
    }

    /// The secret's bytes.
    ///
    /// ```
    /// # let mut o = edge_session::Options::default();
    /// # o.keys = vec![edge_session::generate_key().unwrap()];
    /// # let m = edge_session::SessionManager::new(o).unwrap();
    /// assert_eq!(m.derive_secrets("a")[0].expose(), m.derive_secrets("a")[0].expose());
    /// ```
    pub fn expose(&self) -> &[u8; 32] {
        &self.secret
    }

    /// The public id (hex) of the key it was derived from.
    ///
    /// ```
    /// # let mut o = edge_session::Options::default();
    /// # o.keys = vec![edge_session::generate_key().unwrap()];
    /// # let m = edge_session::SessionManager::new(o).unwrap();
    /// assert!(m.derive_secrets("a")[0].key_id().bytes().all(|b| b.is_ascii_hexdigit()));
    /// ```
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

impl fmt::Debug for DerivedSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DerivedSecret").field("key_id", &self.key_id).field("secret", &"[redacted]").finish()
    }
}

/// The configured keys: `current` seals, every key opens. Never empty, by construction.
#[derive(Debug)]
pub(crate) struct KeyRing {
    pub(crate) current: SealKey,
    pub(crate) older: Vec<SealKey>,
}

impl KeyRing {
    /// Prepares the keys of `keys` (key strings, first = current).
    pub(crate) fn new(keys: &[String]) -> Result<Option<Self>, (usize, KeyError)> {
        let mut prepared: Vec<SealKey> = Vec::with_capacity(keys.len());
        for (index, k) in keys.iter().enumerate() {
            let key = SealKey::new(&*material(k).map_err(|e| (index, e))?);
            if prepared.iter().any(|other| other.id == key.id) {
                return Err((index, KeyError::Duplicate));
            }
            prepared.push(key);
        }
        let mut all = prepared.into_iter();
        Ok(all.next().map(|current| Self { current, older: all.collect() }))
    }

    /// Every key, the current one first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &SealKey> {
        core::iter::once(&self.current).chain(&self.older)
    }

    /// The key with public id `id`, and its position (0 = current).
    pub(crate) fn find(&self, id: &[u8]) -> Option<(usize, &SealKey)> {
        self.iter().enumerate().find(|(_, k)| k.id == id)
    }
}

impl fmt::Debug for SealKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealKey").field("id", &self.id_hex()).field("key", &"[redacted]").finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::base64::Engine as _;
    use ::base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

    #[test]
    fn raw_keys_in_every_base64_spelling() {
        let bytes: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            let s = format!("{RAW_KEY_PREFIX}{}", engine.encode(&bytes));
            assert_eq!(material(&s).unwrap().as_slice(), bytes.as_slice(), "{s}");
        }
        // Both alphabets in one key, or padding in the middle: not a key.
        let both: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(91)).collect();
        let standard = STANDARD_NO_PAD.encode(&both);
        assert!(standard.contains(['+', '/']), "{standard}");
        let mixed = format!("-{}", &standard[1..]);
        assert_eq!(material(&format!("{RAW_KEY_PREFIX}{mixed}")).err(), Some(KeyError::BadRawKey), "{mixed}");
        let url = URL_SAFE_NO_PAD.encode(&bytes);
        let padded_inside = format!("{}={}", &url[..20], &url[21..]);
        assert_eq!(material(&format!("{RAW_KEY_PREFIX}{padded_inside}")).err(), Some(KeyError::BadRawKey));
    }

    #[test]
    fn raw_keys_are_told_apart_from_passphrases_by_their_prefix_only() {
        let bytes: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
        // 32 bytes of base64 without the prefix: refused, never used raw nor silently stretched.
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            assert_eq!(material(&engine.encode(&bytes)).err(), Some(KeyError::Unprefixed));
        }
        // A prefixed value that is not 32 bytes of base64.
        for bad in ["", "short", "!!!!", &STANDARD.encode([9u8; 31]), &STANDARD.encode([9u8; 33])] {
            assert_eq!(material(&format!("{RAW_KEY_PREFIX}{bad}")).err(), Some(KeyError::BadRawKey), "{bad}");
        }
        // 43 characters that are not base64: a passphrase, stretched.
        let p = "this passphrase has forty-three characters!";
        assert_eq!(p.len(), 43);
        assert_eq!(material(p).unwrap().as_slice(), stretch(p).as_slice());
    }

    #[test]
    fn refuses_short_and_weak_keys() {
        assert_eq!(material("short").err(), Some(KeyError::TooShort));
        assert_eq!(material(&STANDARD.encode([7u8; 16])).err(), Some(KeyError::TooShort));
        assert_eq!(
            material(&format!("{RAW_KEY_PREFIX}{}", STANDARD.encode([0u8; 32]))).err(),
            Some(KeyError::LowEntropy)
        );
        assert_eq!(material(&"ab".repeat(20)).err(), Some(KeyError::LowEntropy));
        assert_eq!(material(&"é".repeat(31)).err(), Some(KeyError::TooShort));
    }

    #[test]
    fn passphrases_are_stretched_once_and_deterministically() {
        let p = "correct horse battery staple, twice over";
        let a = material(p).unwrap();
        let b = material(p).unwrap();
        assert_eq!(a.as_slice(), b.as_slice());
        assert_ne!(a.as_slice(), material("correct horse battery staple, twice ovex").unwrap().as_slice());
        assert!(STRETCHED.len() <= STRETCH_CACHE_SLOTS);
    }

    #[test]
    fn debug_is_redacted() {
        let m = material(&generate_key().unwrap()).unwrap();
        let k = SealKey::new(&m);
        let dbg = format!("{k:?}");
        assert!(dbg.contains("[redacted]"));
        assert!(!dbg.contains(&STANDARD.encode(m.as_slice())));
    }

    #[test]
    fn generated_keys_are_accepted() {
        for _ in 0..100 {
            assert!(material(&generate_key().unwrap()).is_ok());
        }
    }
}
