//! Stateless revocation ("log out everywhere"): not-before times, per user and global.
//!
//! A sealed session carries its issue time. An operator (or the origin) stores a not-before time
//! under a key; a session issued before it is refused. Store layout (Workers KV, our convention):
//!
//! ```text
//! revoke:global                -> not-before, decimal milliseconds since the epoch: every session
//! revoke:user:<user>           -> not-before for sessions whose user key holds <user> (up to 256 bytes)
//! revoke:user-sha256:<64 hex>  -> the same for a longer <user>, named by SHA-256(<user>) in
//!                                 lowercase hex (a KV key holds at most 512 bytes)
//! ```
//!
//! The lookups are cached per isolate for a few seconds ([`NotBeforeCache`]): a revocation takes
//! effect within that time, and a busy isolate reads the store once per key per period instead
//! of once per request. This module is pure (the clock and the store are the caller's).

use std::collections::HashMap;

/// The store key of the global not-before time.
pub(crate) const GLOBAL_KEY: &str = "revoke:global";
/// The prefix of a user's not-before key.
pub(crate) const USER_PREFIX: &str = "revoke:user:";
/// The prefix of the not-before key of a user longer than [`MAX_PLAIN_USER_BYTES`].
pub(crate) const USER_HASH_PREFIX: &str = "revoke:user-sha256:";
/// Most cached keys per isolate; past it, the stalest entries go first.
const MAX_CACHED: usize = 4096;
/// Longest user name written into its key as it is; a longer one is named by its SHA-256.
pub(crate) const MAX_PLAIN_USER_BYTES: usize = 256;

/// The store key for `user` (`None` only for an empty name): every user is revocable, however
/// long the name.
pub(crate) fn user_key(user: &str) -> Option<String> {
    use sha2::{Digest, Sha256};
    if user.is_empty() {
        return None;
    }
    if user.len() <= MAX_PLAIN_USER_BYTES {
        return Some(format!("{USER_PREFIX}{user}"));
    }
    let digest = Sha256::digest(user.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    Some(format!("{USER_HASH_PREFIX}{hex}"))
}

/// A stored not-before value: decimal milliseconds since the epoch, as µs. Anything else
/// (empty, not a number) counts as no revocation.
pub(crate) fn parse_not_before(value: &str) -> Option<u64> {
    let v = value.trim();
    if v.is_empty() || v.len() > 16 || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    v.parse::<u64>().ok().map(|ms| ms.saturating_mul(1000))
}

/// Not-before values fetched from the store, each kept `ttl` µs.
#[derive(Debug)]
pub(crate) struct NotBeforeCache {
    ttl: u64,
    entries: HashMap<String, (Option<u64>, u64)>,
}

impl NotBeforeCache {
    pub(crate) fn new(ttl_micros: u64) -> Self {
        Self { ttl: ttl_micros, entries: HashMap::new() }
    }

    /// The cached value of `key` if fetched less than `ttl` ago: `Some(None)` means "known:
    /// no revocation"; `None` means "fetch it".
    pub(crate) fn get(&self, key: &str, now: u64) -> Option<Option<u64>> {
        let (value, fetched) = self.entries.get(key)?;
        (now.saturating_sub(*fetched) < self.ttl).then_some(*value)
    }

    pub(crate) fn put(&mut self, key: String, value: Option<u64>, now: u64) {
        if self.entries.len() >= MAX_CACHED && !self.entries.contains_key(&key) {
            // Drop what has expired; if everything is fresh, the oldest half.
            let ttl = self.ttl;
            self.entries.retain(|_, (_, fetched)| now.saturating_sub(*fetched) < ttl);
            if self.entries.len() >= MAX_CACHED {
                let mut ages: Vec<u64> = self.entries.values().map(|(_, f)| *f).collect();
                ages.sort_unstable();
                let cut = ages.get(ages.len() / 2).copied().unwrap_or(u64::MAX);
                self.entries.retain(|_, (_, fetched)| *fetched > cut);
            }
        }
        self.entries.insert(key, (value, now));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_keys() {
        assert_eq!(parse_not_before("1800000000000"), Some(1_800_000_000_000_000));
        assert_eq!(parse_not_before(" 5 \n"), Some(5000));
        for bad in ["", "-1", "1e9", "abc", "99999999999999999999"] {
            assert_eq!(parse_not_before(bad), None, "{bad}");
        }
        assert_eq!(user_key("alice").as_deref(), Some("revoke:user:alice"));
        assert_eq!(GLOBAL_KEY, "revoke:global");
        assert_eq!(user_key(""), None);
        let at_limit = "u".repeat(MAX_PLAIN_USER_BYTES);
        assert_eq!(user_key(&at_limit), Some(format!("revoke:user:{at_limit}")));
        // Longer names were not revocable at all; now they are keyed by their SHA-256 (what
        // `printf %s "$user" | sha256sum` prints), well within KV's 512-byte keys.
        let long = "u".repeat(MAX_PLAIN_USER_BYTES + 1);
        assert_eq!(
            user_key(&long).as_deref(),
            Some("revoke:user-sha256:36868c95693f7961e19205254a6e613547eeb4375b384159e91a462f70e8af26")
        );
        assert!(user_key(&"é".repeat(100_000)).is_some_and(|k| k.len() == USER_HASH_PREFIX.len() + 64));
    }

    #[test]
    fn cache_keeps_values_for_the_ttl_and_stays_bounded() {
        let mut c = NotBeforeCache::new(5_000_000);
        assert_eq!(c.get("k", 0), None);
        c.put("k".into(), Some(7), 0);
        c.put("none".into(), None, 0);
        assert_eq!(c.get("k", 4_999_999), Some(Some(7)));
        assert_eq!(c.get("none", 1), Some(None));
        assert_eq!(c.get("k", 5_000_000), None, "stale: fetch again");
        for i in 0..3 * MAX_CACHED as u64 {
            c.put(format!("u{i}"), None, 10 + i);
        }
        assert!(c.entries.len() <= MAX_CACHED);
        assert_eq!(c.get(&format!("u{}", 3 * MAX_CACHED as u64 - 1), 3 * MAX_CACHED as u64 + 10), Some(None));
    }
}
