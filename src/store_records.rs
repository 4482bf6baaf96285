//! Server-side sessions (the mod_session_dbd analogue): the records, their ids and where they
//! live. Pure: the store's I/O is the faces' (the Worker's `store.rs`), the load/save flow
//! `store_sessions.rs`'s.
//!
//! ```text
//! cookie    = a sealed v1 token under the token context "store" (its AAD binds "<cookie
//!             name>\0store", so a token of the cookie format never opens as a store token, nor
//!             the reverse), whose entries are:
//!   sid=<32 lowercase hex>          the session id: 128 random bits from getrandom
//!   [&home=<32 lowercase hex>]      Durable Objects: the name of the object holding the record
//! record    = RECORD_VERSION | session string (codec.rs, without expiry)
//! KV key    = "session:" <sid>
//! DO name   = "u" <keyed hash of the user> (signed-in) or "a" <sid> (anonymous); DO key "s:" <sid>
//! ```
//!
//! The id is re-issued on every modification (CVE-2013-2249): a stolen id dies with the next
//! change, and the previous record is deleted. A save that only slides the expiry keeps the id,
//! as Apache does. The token's expiry and issue time are checked before the store is read, so an
//! expired, forged or revoked cookie costs no store read.

use core::fmt;

use hmac::{KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::keys::DerivedSecret;
use crate::session::Session;

/// Bytes of a session id.
pub const ID_BYTES: usize = 16;
/// The version prefix of a record.
pub const RECORD_VERSION: &str = "1:";
/// Largest record written or read (a Durable Object value may hold 128 KiB; KV more).
pub const MAX_RECORD_BYTES: usize = 65_536;
/// The KV key prefix of a record.
pub const KV_PREFIX: &str = "session:";
/// The Durable Object storage key prefix of a record.
pub const DO_PREFIX: &str = "s:";
/// The token context of store cookies (see [`Options::token_context`](crate::Options::token_context)).
pub const TOKEN_CONTEXT: &str = "store";
/// The label of the secret that keys log hashes and Durable Object names.
pub const HASH_KEY_LABEL: &str = "edge-session/v1/hash-key";
/// Workers KV's shortest expiration TTL, in seconds.
pub const KV_MIN_TTL: u64 = 60;
/// Most sessions a user may be allowed at once.
pub const MAX_SESSIONS_LIMIT: usize = 1000;
const HASH_LABEL_ID: &[u8] = b"edge-session/v1/log-id";
const HASH_LABEL_USER: &[u8] = b"edge-session/v1/home";

/// A session id: 128 random bits. Its `Debug` is redacted (an id is a bearer credential).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionId([u8; ID_BYTES]);

impl SessionId {
    /// A fresh id from getrandom.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut id = [0u8; ID_BYTES];
        getrandom::getrandom(&mut id)?;
        Ok(Self(id))
    }

    /// Parses the 32 lowercase hex digits of an id.
    pub fn parse(hex: &str) -> Option<Self> {
        if hex.len() != 2 * ID_BYTES {
            return None;
        }
        let mut id = [0u8; ID_BYTES];
        for (byte, pair) in id.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
            let digit = |c: u8| match c {
                b'0'..=b'9' => Some(c - b'0'),
                b'a'..=b'f' => Some(c - b'a' + 10),
                _ => None,
            };
            let (hi, lo) = match pair {
                [h, l] => (digit(*h)?, digit(*l)?),
                _ => return None,
            };
            *byte = hi << 4 | lo;
        }
        Some(Self(id))
    }

    /// The 32 lowercase hex digits.
    pub fn hex(&self) -> String {
        hex(&self.0)
    }

    /// The raw bytes (for [`log_hash`]).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Constant-time equality.
    pub fn same(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionId([redacted])")
    }
}

/// Lowercase hex (without `core::fmt`: a logged write formats two hashes, and the formatting
/// machinery, built for size, is the slow way to print 32 digits).
fn hex(bytes: &[u8]) -> String {
    bytes.iter().flat_map(|b| [b >> 4, b & 0x0f]).filter_map(|n| char::from_digit(u32::from(n), 16)).collect()
}

/// HMAC-SHA256 (`hmac`, `sha2`).
type Hmac = hmac::Hmac<Sha256>;

/// The secret that keys log hashes and Durable Object names: derived from a sealing key
/// ([`HASH_KEY_LABEL`]), held as HMAC-SHA256's state after the key (its inner and outer pads
/// hashed once, not on every hash: a logged write hashes two tokens).
#[derive(Clone)]
pub struct HashKey(Hmac);

impl HashKey {
    /// The key of a secret derived with [`HASH_KEY_LABEL`] from the current sealing key
    /// ([`SessionManager::derive_secrets`](crate::SessionManager::derive_secrets)).
    ///
    /// ```
    /// use edge_session::store::{HASH_KEY_LABEL, HashKey, log_hash};
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let key = HashKey::new(&m.derive_secrets(HASH_KEY_LABEL)[0]);
    /// assert_eq!(log_hash(&key, b"an id").len(), 32);
    /// ```
    pub fn new(secret: &DerivedSecret) -> Self {
        // HMAC zero-pads a key shorter than the hash's block (RFC 2104, section 2): the 32-byte
        // secret padded to SHA-256's 64-byte block is the same key, and `KeyInit::new` takes a
        // whole block with no fallible length check.
        let mut block = zeroize::Zeroizing::new([0u8; 64]);
        if let Some(head) = block.get_mut(..32) {
            head.copy_from_slice(secret.expose());
        }
        Self(Hmac::new(&(*block).into()))
    }
}

impl fmt::Debug for HashKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashKey([redacted])")
    }
}

/// HMAC-SHA256 under the hash key, of `label | data`, truncated to 16 bytes, in hex.
fn keyed_hash(key: &HashKey, label: &[u8], data: &[u8]) -> String {
    let mut mac = key.0.clone();
    mac.update(label);
    mac.update(data);
    let out = mac.finalize().into_bytes();
    hex(out.get(..16).unwrap_or_default())
}

/// What logs show of a session id (or, in the cookie format, of a token): a hash keyed by the
/// sealing key, so lines of one session can be matched up but the id cannot be recovered or
/// guessed from them.
pub fn log_hash(key: &HashKey, id_or_token: &[u8]) -> String {
    keyed_hash(key, HASH_LABEL_ID, id_or_token)
}

/// Where a session lives: the store token's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreRef {
    /// The session's id.
    pub id: SessionId,
    /// The Durable Object's name (KV: none).
    pub home: Option<String>,
}

impl StoreRef {
    /// Writes the reference into a token session's entries (replacing them).
    pub fn write_to(&self, token: &mut Session) {
        token.clear();
        // Two short hex / alphanumeric values: within every limit of a session.
        let _ = token.insert("sid", &self.id.hex());
        if let Some(home) = &self.home {
            let _ = token.insert("home", home);
        }
    }

    /// Reads a token session's entries: exactly `sid` and optionally `home`, well formed.
    pub fn read_from(token: &Session) -> Option<Self> {
        let mut entries = token.iter();
        let (k, v) = entries.next()?;
        let id = SessionId::parse(v).filter(|_| k == "sid")?;
        let home = match entries.next() {
            None => None,
            Some(("home", h)) => {
                let ok = (2..=65).contains(&h.len()) && h.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
                if !ok {
                    return None;
                }
                Some(h.to_owned())
            }
            Some(_) => return None,
        };
        entries.next().is_none().then_some(Self { id, home })
    }

    /// The KV key of the record.
    pub fn kv_key(&self) -> String {
        format!("{KV_PREFIX}{}", self.id.hex())
    }
}

/// The Durable Object that holds a session: one per signed-in user (so that a user's sessions
/// can be counted, capped and ended together, strongly consistent), one per anonymous session.
pub fn home_for(key: &HashKey, user: Option<&str>, id: &SessionId) -> String {
    match user.filter(|u| !u.is_empty()) {
        Some(u) => user_home(key, u),
        None => format!("a{}", id.hex()),
    }
}

/// The Durable Object of `user`'s sessions: named by a keyed hash, never by the name itself.
pub fn user_home(key: &HashKey, user: &str) -> String {
    format!("u{}", keyed_hash(key, HASH_LABEL_USER, user.as_bytes()))
}

/// A record for a session string.
pub fn record(body: &str) -> String {
    let mut r = String::with_capacity(RECORD_VERSION.len() + body.len());
    r.push_str(RECORD_VERSION);
    r.push_str(body);
    r
}

/// The session string of a record; `None` for an unknown version or an over-long record.
pub fn record_body(record: &str) -> Option<&str> {
    if record.len() > MAX_RECORD_BYTES + RECORD_VERSION.len() {
        return None;
    }
    record.strip_prefix(RECORD_VERSION)
}

/// A KV expiration TTL (seconds) for a record expiring at `expiry` (µs): at least KV's minimum.
/// The cookie's own expiry still ends the session on time; the TTL only clears the store.
pub fn kv_ttl(expiry: u64, now: u64) -> u64 {
    expiry.saturating_sub(now).div_ceil(1_000_000).max(KV_MIN_TTL)
}

/// One session held by a Durable Object, as its storage keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// When it was first written (ms): the oldest go first past the limit.
    pub created: u64,
    /// When it expires (ms): the alarm deletes it then.
    pub expires: u64,
    /// The record ([`record`]).
    pub record: String,
}

impl Held {
    /// Storage layout: `<created ms> <expires ms> <record>`.
    pub fn encode(&self) -> String {
        format!("{} {} {}", self.created, self.expires, self.record)
    }

    /// Reads [`encode`](Self::encode)'s layout; `None` for anything else.
    ///
    /// ```
    /// use edge_session::store::Held;
    /// let h = Held { created: 5, expires: 9, record: "1:a=1".into() };
    /// assert_eq!(Held::decode(&h.encode()), Some(h));
    /// assert_eq!(Held::decode("5 9"), None);
    /// ```
    pub fn decode(value: &str) -> Option<Self> {
        let mut it = value.splitn(3, ' ');
        let created = it.next()?.parse().ok()?;
        let expires = it.next()?.parse().ok()?;
        Some(Self { created, expires, record: it.next()?.to_owned() })
    }
}

/// The lines of a Durable Object's `/list` answer: `<sid> <created ms>`; anything malformed is
/// skipped.
pub fn parse_list(body: &str) -> impl Iterator<Item = (String, u64)> + '_ {
    body.lines().filter_map(|l| {
        let (id, created) = l.split_once(' ')?;
        Some((SessionId::parse(id)?.hex(), created.parse().ok()?))
    })
}

/// The `x-elsewhere` header of a `/put`: `<sid>:<created ms>` entries, comma-separated; anything
/// malformed is skipped.
pub fn parse_elsewhere(header: &str) -> impl Iterator<Item = (String, u64)> + '_ {
    header.split(',').filter_map(|e| {
        let (id, created) = e.trim().split_once(':')?;
        Some((SessionId::parse(id)?.hex(), created.parse().ok()?))
    })
}

/// Which sessions to evict so that at most `limit` remain once `incoming` more are added:
/// the oldest (by creation time) first. `held` is `(key, created)`.
pub fn evictions(mut held: Vec<(String, u64)>, incoming: usize, limit: usize) -> Vec<String> {
    let excess = (held.len() + incoming).saturating_sub(limit);
    held.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    held.into_iter().take(excess).map(|(k, _)| k).collect()
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    fn hash_key(seed: &str) -> HashKey {
        let mut o = crate::Options::default();
        o.keys = vec![format!("a passphrase of at least thirty-two characters, {seed}")];
        HashKey::new(&crate::SessionManager::new(o).unwrap().derive_secrets(HASH_KEY_LABEL).remove(0))
    }

    fn key() -> HashKey {
        hash_key("7")
    }

    #[test]
    fn lists_between_objects_parse_and_skip_what_is_malformed() {
        let id = "ab".repeat(16);
        let list = format!("{id} 17\nnot a line\n{} 5\n{id} x\n", "cd".repeat(16));
        assert_eq!(parse_list(&list).collect::<Vec<_>>(), [(id.clone(), 17), ("cd".repeat(16), 5)]);
        let header = format!("{id}:17, zz:1,{}:5,:", "cd".repeat(16));
        assert_eq!(parse_elsewhere(&header).collect::<Vec<_>>(), [(id, 17), ("cd".repeat(16), 5)]);
        assert_eq!(parse_elsewhere("").count(), 0);
    }

    #[test]
    fn ids_are_random_hex_and_redacted() {
        let (a, b) = (SessionId::generate().unwrap(), SessionId::generate().unwrap());
        assert!(!a.same(&b));
        assert_eq!(a.hex().len(), 32);
        assert!(SessionId::parse(&a.hex()).unwrap().same(&a));
        assert_eq!(format!("{a:?}"), "SessionId([redacted])");
        for bad in
            ["", "00", &"0".repeat(31), &"0".repeat(33), &"G".repeat(32), &"A".repeat(32), "é".repeat(16).as_str()]
        {
            assert!(SessionId::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn token_entries() {
        let through = |r: &StoreRef| {
            let mut t = Session::new();
            r.write_to(&mut t);
            (t.to_string(), StoreRef::read_from(&t))
        };
        let parse = |s: &str| {
            let mut t = Session::new();
            t.restore_entries(s).unwrap();
            StoreRef::read_from(&t)
        };
        let id = SessionId::parse(&"ab".repeat(16)).unwrap();
        let kv = StoreRef { id: id.clone(), home: None };
        assert_eq!(through(&kv), (format!("sid={}", "ab".repeat(16)), Some(kv.clone())));
        assert_eq!(kv.kv_key(), format!("session:{}", "ab".repeat(16)));
        let home = home_for(&key(), Some("alice"), &id);
        assert_eq!(home.len(), 33);
        assert_eq!(home, home_for(&key(), Some("alice"), &SessionId::generate().unwrap()), "one object per user");
        assert_ne!(home, home_for(&hash_key("8"), Some("alice"), &id), "keyed");
        assert_eq!(home_for(&key(), None, &id), format!("a{}", "ab".repeat(16)));
        let d = StoreRef { id, home: Some(home) };
        assert_eq!(through(&d).1, Some(d.clone()));
        for bad in [
            String::new(),
            "sid=".into(),
            format!("sid={}&home=A", "ab".repeat(16)),
            format!("sid={}&home=ab&x=1", "ab".repeat(16)),
            format!("user=alice&sid={}", "ab".repeat(16)),
        ] {
            assert_eq!(parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn records_and_held_entries() {
        assert_eq!(record("a=1"), "1:a=1");
        assert_eq!(record_body("1:a=1"), Some("a=1"));
        assert_eq!(record_body("2:a=1"), None);
        assert_eq!(record_body(&record(&"x".repeat(MAX_RECORD_BYTES + 1))), None);
        let h = Held { created: 5, expires: 9, record: "1:a=1 b".into() };
        assert_eq!(Held::decode(&h.encode()), Some(h));
        assert_eq!(Held::decode("x 9 1:"), None);
        assert_eq!(Held::decode("5 9"), None);
    }

    #[test]
    fn kv_ttls_respect_the_minimum() {
        assert_eq!(kv_ttl(3_600_000_000, 0), 3600);
        assert_eq!(kv_ttl(1_500_000, 0), KV_MIN_TTL);
        assert_eq!(kv_ttl(0, 10), KV_MIN_TTL);
    }

    #[test]
    fn oldest_are_evicted_first() {
        let held = vec![("c".to_owned(), 30), ("a".to_owned(), 10), ("b".to_owned(), 20)];
        assert_eq!(evictions(held.clone(), 1, 3), vec!["a"]);
        assert_eq!(evictions(held.clone(), 1, 2), vec!["a", "b"]);
        assert!(evictions(held.clone(), 0, 3).is_empty());
        assert!(evictions(held, 1, 10).is_empty());
    }

    #[test]
    fn log_hashes_are_keyed_and_stable() {
        let id = SessionId::generate().unwrap();
        let h = log_hash(&key(), &id.0);
        assert_eq!(h.len(), 32);
        assert_eq!(h, log_hash(&key(), &id.0));
        assert_ne!(h, id.hex());
        assert_ne!(h, log_hash(&hash_key("8"), &id.0));
    }
}
