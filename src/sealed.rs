//! The `sealed` cookie format, version 1 (the default).
//!
//! ```text
//! token     = base64url-no-pad( VERSION | KEY_ID | NONCE | CIPHERTEXT | TAG )
//!   VERSION     1 byte    0x01
//!   KEY_ID      4 bytes   public id of the sealing key (see keys.rs)
//!   NONCE      12 bytes   random from getrandom, fresh for every seal
//!   CIPHERTEXT  n bytes   AES-256-GCM encryption of PLAINTEXT
//!   TAG        16 bytes   GCM tag
//! AAD       = VERSION | KEY_ID | BINDING               (a token only opens where it was made)
//!   BINDING     the cookie name, then 0x00 and the token context when one is set
//!               (Options::token_context: the Worker's store tokens use "store"; a cookie name
//!               cannot hold 0x00, so no name's binding equals another's with a context)
//! PLAINTEXT = EXPIRY | ISSUED | BODY
//!   EXPIRY      8 bytes   u64 big-endian, µs since the Unix epoch, 0 = none
//!   ISSUED      8 bytes   u64 big-endian, µs since the Unix epoch, 0 = none
//!   BODY        n bytes   the entries as a session string (codec.rs), without `expiry`, with
//!                         the session's own `!maxage` last when it has one
//! ```
//!
//! The AEAD is `aes-gcm`'s `Aes256Gcm` (NIST SP 800-38D with 96-bit nonces and 128-bit tags). Random
//! 96-bit nonces, drawn from getrandom for every seal, are safe for about 2^32 seals per key;
//! rotate keys well before that. The base64 is `base64ct`'s, strict: a token has one spelling, and
//! any other (padding, the standard alphabet, non-zero trailing bits, whitespace) is malformed. Both
//! are called through `edge-session-seal`, which only names their types where they are compiled
//! for speed.

pub(crate) use edge_session_seal::decode_token;
use edge_session_seal::{NONCE_BYTES, TAG_BYTES, encode_token};
use zeroize::Zeroize;

use crate::keys::{self, KEY_ID_BYTES, KeyRing, SealKey};
use crate::limits::MAX_COOKIE_BYTES;
use crate::provenance::Provenance;
use crate::session::Session;
use crate::status::Rejection;

/// The format version written and read.
pub(crate) const VERSION: u8 = 0x01;
const HEADER_BYTES: usize = 1 + KEY_ID_BYTES + NONCE_BYTES;
const TIMES_BYTES: usize = 16;
/// Smallest valid token, decoded.
pub(crate) const MIN_TOKEN_BYTES: usize = HEADER_BYTES + TIMES_BYTES + TAG_BYTES;

/// Why a body could not be sealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SealError {
    /// The platform's random number generator failed: no nonce.
    Random,
    /// Past GCM's message limit (a cookie cannot reach it).
    TooLarge,
}

/// What a token held.
#[derive(Debug)]
pub(crate) struct Unsealed {
    /// Index in the key list of the key that opened it.
    pub(crate) key_index: usize,
    /// That key's public id.
    pub(crate) key_id: [u8; KEY_ID_BYTES],
    pub(crate) expiry: Option<u64>,
    pub(crate) issued: Option<u64>,
    pub(crate) body: String,
}

impl Unsealed {
    /// The session the token held: its entries, expiry and issue time, unmodified, marked for
    /// re-sealing when an older key opened it. A body that does not decode is malformed.
    pub(crate) fn into_session(self) -> Result<Session, Rejection> {
        let entries = Session::decode(&self.body).map_err(|_| Rejection::Malformed)?;
        Ok(opened(entries, (self.expiry, self.issued), self.key_index, self.key_id))
    }

    /// The public key id of a token, without opening it (for inspection).
    pub(crate) fn key_id_of(token: &str) -> Option<[u8; KEY_ID_BYTES]> {
        let raw = decode_token(token)?;
        raw.get(1..1 + KEY_ID_BYTES)?.try_into().ok()
    }
}

/// The session that opening a token gives: `entries` with the token's expiry and issue time,
/// unmodified, its key's id noted, marked for re-sealing when an older key (`key_index` > 0)
/// opened it. Also what the open cache learns from a save (the current key, index 0).
pub(crate) fn opened(
    entries: Session,
    (expiry, issued): (Option<u64>, Option<u64>),
    key_index: usize,
    key_id: [u8; KEY_ID_BYTES],
) -> Session {
    let prov = Provenance { reseal: key_index > 0, opened_by: Some(key_id), ..Provenance::opened(issued) };
    Session::opened(entries, expiry, prov)
}

/// The binding of a cookie name and an optional token context (see the layout above).
pub(crate) fn binding(cookie_name: &str, context: &str) -> String {
    if context.is_empty() {
        return cookie_name.to_owned();
    }
    format!("{cookie_name}\0{context}")
}

fn aad(version: u8, key_id: &[u8], binding: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(1 + key_id.len() + binding.len());
    aad.push(version);
    aad.extend_from_slice(key_id);
    aad.extend_from_slice(binding.as_bytes());
    aad
}

fn nonzero(v: u64) -> Option<u64> {
    (v != 0).then_some(v)
}

/// Seals a session body with `key`.
pub(crate) fn seal(
    key: &SealKey,
    binding: &str,
    expiry: Option<u64>,
    issued: Option<u64>,
    body: &str,
) -> Result<String, SealError> {
    seal_as(VERSION, key, binding, (expiry, issued), body)
}

/// Seals `body` in this layout under another version byte (the sealed tokens of `token.rs`).
/// Never inlined: one copy for cookies and tokens.
#[inline(never)]
pub(crate) fn seal_as(
    version: u8,
    key: &SealKey,
    binding: &str,
    (expiry, issued): (Option<u64>, Option<u64>),
    body: &str,
) -> Result<String, SealError> {
    let mut buf = Vec::with_capacity(HEADER_BYTES + TIMES_BYTES + body.len() + TAG_BYTES);
    buf.push(version);
    buf.extend_from_slice(&key.id);
    let mut nonce = [0u8; NONCE_BYTES];
    keys::random(&mut nonce).map_err(|_| SealError::Random)?;
    buf.extend_from_slice(&nonce);
    buf.extend_from_slice(&expiry.unwrap_or(0).to_be_bytes());
    buf.extend_from_slice(&issued.unwrap_or(0).to_be_bytes());
    buf.extend_from_slice(body.as_bytes());
    let plaintext = buf.get_mut(HEADER_BYTES..).ok_or(SealError::TooLarge)?;
    let aad = aad(version, &key.id, binding);
    let tag = key.cipher.seal(&nonce, &aad, plaintext).ok_or(SealError::TooLarge)?;
    buf.extend_from_slice(&tag);
    Ok(encode_token(&buf))
}

/// Opens a token with whichever configured key its id names.
pub(crate) fn open(keys: &KeyRing, binding: &str, token: &str) -> Result<Unsealed, Rejection> {
    open_as(VERSION, keys, binding, token)
}

/// Opens a token of this layout sealed under the version byte `expected` (any other version is
/// [`Rejection::UnsupportedVersion`]). Never inlined: one copy for cookies and tokens.
#[inline(never)]
pub(crate) fn open_as(expected: u8, keys: &KeyRing, binding: &str, token: &str) -> Result<Unsealed, Rejection> {
    // The callers hold tokens to their cookie (or chunks) limit; this is the absolute bound.
    if token.len() > MAX_COOKIE_BYTES * crate::chunks::MAX_CHUNKS_LIMIT {
        return Err(Rejection::TooLarge);
    }
    let mut buf = decode_token(token).ok_or(Rejection::Malformed)?;
    if buf.len() < MIN_TOKEN_BYTES {
        return Err(Rejection::Malformed);
    }
    let (header, rest) = buf.split_at_mut_checked(HEADER_BYTES).ok_or(Rejection::Malformed)?;
    let (&version, after_version) = header.split_first().ok_or(Rejection::Malformed)?;
    let (key_id, nonce) = after_version.split_at_checked(KEY_ID_BYTES).ok_or(Rejection::Malformed)?;
    if version != expected {
        return Err(Rejection::UnsupportedVersion);
    }
    let (key_index, key) = keys.find(key_id).ok_or(Rejection::UnknownKey)?;
    let opened_by = key.id;
    let tag_at = rest.len().checked_sub(TAG_BYTES).ok_or(Rejection::Malformed)?;
    let (ciphertext, tag) = rest.split_at_mut_checked(tag_at).ok_or(Rejection::Malformed)?;
    let aad = aad(version, key_id, binding);
    let nonce: [u8; NONCE_BYTES] = nonce.try_into().map_err(|_| Rejection::Malformed)?;
    let tag: [u8; TAG_BYTES] = (&*tag).try_into().map_err(|_| Rejection::Malformed)?;
    // The tag is checked (in constant time) before anything is decrypted: on a mismatch the buffer
    // still holds the ciphertext, never plaintext (RUSTSEC-2023-0096).
    if !key.cipher.open(&nonce, &aad, ciphertext, &tag) {
        return Err(Rejection::Tampered);
    }
    let (times, body) = ciphertext.split_at_checked(TIMES_BYTES).ok_or(Rejection::Malformed)?;
    let mut expiry = [0u8; 8];
    let mut issued = [0u8; 8];
    let (e, i) = times.split_at_checked(8).ok_or(Rejection::Malformed)?;
    expiry.copy_from_slice(e);
    issued.copy_from_slice(i);
    let body = match core::str::from_utf8(body) {
        Ok(b) => b.to_owned(),
        Err(_) => return Err(Rejection::Malformed),
    };
    buf.zeroize();
    Ok(Unsealed {
        key_index,
        key_id: opened_by,
        expiry: nonzero(u64::from_be_bytes(expiry)),
        issued: nonzero(u64::from_be_bytes(issued)),
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{generate_key, material};

    fn key() -> SealKey {
        SealKey::new(&material(&generate_key().unwrap()).unwrap())
    }

    fn ring(current: SealKey) -> KeyRing {
        KeyRing { current, older: Vec::new() }
    }

    #[test]
    fn round_trip() {
        let k = ring(key());
        let t = seal(&k.current, "session", Some(5), Some(3), "a=1&b=%26").unwrap();
        assert!(t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let o = open(&k, "session", &t).unwrap();
        assert_eq!((o.key_index, o.expiry, o.issued, o.body.as_str()), (0, Some(5), Some(3), "a=1&b=%26"));
    }

    #[test]
    fn nonces_differ() {
        let k = key();
        assert_ne!(seal(&k, "s", None, None, "a=1").unwrap(), seal(&k, "s", None, None, "a=1").unwrap());
    }

    #[test]
    fn cookie_name_is_bound() {
        let k = ring(key());
        let t = seal(&k.current, "session", None, None, "a=1").unwrap();
        assert_eq!(open(&k, "other", &t).err(), Some(Rejection::Tampered));
    }

    /// A context cannot be forged by a cookie name: `#` is a token character, NUL is not.
    #[test]
    fn contexts_are_unambiguous() {
        let k = ring(key());
        let store = binding("session", "store");
        let t = seal(&k.current, &store, None, None, "sid=1").unwrap();
        assert_eq!(open(&k, "session", &t).err(), Some(Rejection::Tampered));
        assert_eq!(open(&k, "session#store", &t).err(), Some(Rejection::Tampered));
        assert!(open(&k, &store, &t).is_ok());
        assert_eq!(binding("session", ""), "session");
    }

    #[test]
    fn unknown_key_and_version() {
        let (a, b) = (ring(key()), ring(key()));
        let t = seal(&a.current, "s", None, None, "a=1").unwrap();
        assert_eq!(open(&b, "s", &t).err(), Some(Rejection::UnknownKey));
        let mut raw = decode_token(&t).unwrap();
        raw[0] = 2;
        let t2 = encode_token(&raw);
        assert_eq!(open(&a, "s", &t2).err(), Some(Rejection::UnsupportedVersion));
    }

    /// One spelling per token: padding, the standard alphabet, non-zero trailing bits and
    /// whitespace are malformed, never read as the same bytes.
    #[test]
    fn non_canonical_spellings_are_refused() {
        let k = ring(key());
        let t = seal(&k.current, "s", None, None, "a=1").unwrap();
        assert!(open(&k, "s", &t).is_ok());
        let raw = decode_token(&t).unwrap();
        use base64ct::Encoding as _;
        let standard = base64ct::Base64Unpadded::encode_string(&raw);
        let padded = base64ct::Base64Url::encode_string(&raw);
        let mut spellings = vec![format!(" {t}"), format!("{t}\n"), format!("{t}=")];
        if padded != t {
            spellings.push(padded);
        }
        if standard != t {
            spellings.push(standard);
        }
        // The last symbol's unused low bits set: the same bytes by a lenient decoder.
        let unused_bits = match raw.len() % 3 {
            1 => 4,
            2 => 2,
            _ => 0,
        };
        if unused_bits > 0 {
            // Canonical, the last symbol's value is a multiple of 4, at most 60 (`A E I … Y`,
            // `c g … w`, `0 4 8`): the symbol after it in the alphabet, value + 1 with an unused
            // bit set, is the next ASCII character.
            let last = t.as_bytes()[t.len() - 1];
            assert!(last.is_ascii_alphanumeric() && last != b'9' && last != b'Z' && last != b'z', "{t}");
            spellings.push(format!("{}{}", &t[..t.len() - 1], char::from(last + 1)));
        }
        for s in spellings {
            assert_eq!(open(&k, "s", &s).err(), Some(Rejection::Malformed), "{s:?}");
        }
    }

    #[test]
    fn short_and_bad_input() {
        let k = ring(key());
        for t in ["", "AAAA", "!!!!", "a b", &"A".repeat(MAX_COOKIE_BYTES + 1)] {
            assert!(open(&k, "s", t).is_err(), "{t:?}");
        }
        let min = encode_token(&[1u8; MIN_TOKEN_BYTES - 1]);
        assert_eq!(open(&k, "s", &min).err(), Some(Rejection::Malformed));
    }
}
