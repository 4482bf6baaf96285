//! One bounded cache, least recently used evicted first, safe to share across threads: derived
//! keys (stretched passphrases, Apache's PBKDF2 keys; keyed by hashes of the secrets, never the
//! secrets) and opened cookies (keyed by the whole cookie value, a [`Token`]). Bounded in entries
//! and, where entries differ in size (opened cookies), in bytes.

use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{Mutex, MutexGuard};

// hashbrown rather than std's copy of it: its `Equivalent` lets a cookie value be looked up as a
// `&str` ([`TokenRef`]) and compared as a `Token` is, without allocating a key per lookup.
use hashbrown::{Equivalent, HashMap};

/// A cookie value as a cache key: compared whole, eight bytes at a time and in constant time.
///
/// The values are bearer secrets. `str`'s `==` stops at the first differing byte, one byte at a
/// time (on wasm32 compiler-builtins' byte loop: a sixth of a cached read of a 480-byte token in
/// workerd's profile, against 3 % for this), so a request that reached a stored value's bucket
/// could time how much of its value it had guessed. This compares every word whatever it finds;
/// only the lengths, which are public, end it early. `Debug` does not show it.
pub(crate) struct Token(pub(crate) String);

impl core::fmt::Debug for Token {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Token(..)")
    }
}

/// A cookie value being looked up: found as the [`Token`] of the same bytes.
pub(crate) struct TokenRef<'a>(pub(crate) &'a str);

/// Whether `a` and `b` hold the same bytes: every 8-byte word XORed into one accumulator, the
/// result looked at once.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let ((a_words, a_tail), (b_words, b_tail)) = (a.as_chunks::<8>(), b.as_chunks::<8>());
    let tails = a_tail.iter().zip(b_tail).fold(0u64, |d, (x, y)| d | u64::from(x ^ y));
    a_words.iter().zip(b_words).fold(tails, |d, (x, y)| d | (u64::from_le_bytes(*x) ^ u64::from_le_bytes(*y))) == 0
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        same_bytes(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl Eq for Token {}

// A `Token` and a `TokenRef` of the same bytes hash alike (the bytes, nothing else).
impl Hash for Token {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.0.as_bytes());
    }
}

impl Hash for TokenRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(self.0.as_bytes());
    }
}

impl Equivalent<Token> for TokenRef<'_> {
    fn equivalent(&self, key: &Token) -> bool {
        same_bytes(self.0.as_bytes(), key.0.as_bytes())
    }
}

/// Up to `slots` entries weighing at most `bytes` together. A hit marks its entry as the most
/// recently used; an insert into a full cache evicts the entries used longest ago (see
/// `EVICT_DIVISOR`) until the new one fits.
pub(crate) struct Bounded<K, V> {
    slots: usize,
    bytes: usize,
    inner: Mutex<Inner<K, V>>,
}

/// A value, when it was last used (the cache's clock) and what it weighs (bytes).
struct Entry<V> {
    value: V,
    used: u64,
    weight: usize,
}

struct Inner<K, V> {
    entries: HashMap<K, Entry<V>, BuildHasherDefault<TailHasher>>,
    clock: u64,
    /// The entries' weights together.
    weight: usize,
}

/// The bucket hash: the length and the last 16 bytes of each piece written. The keys are random
/// where it counts (a sealed token ends in its GCM tag; derived-key slots are SHA-256 outputs), and
/// entries are told apart by comparing whole keys, so this only picks buckets, in a few operations
/// instead of a pass over a 4 KiB cookie. Only keys the server made are ever inserted: a client
/// cannot fill a bucket with colliding entries.
#[derive(Default)]
struct TailHasher(u64);

impl Hasher for TailHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut tail = [0u8; 16];
        let from = bytes.len().saturating_sub(tail.len());
        let piece = bytes.get(from..).unwrap_or_default();
        if let Some(dst) = tail.get_mut(..piece.len()) {
            dst.copy_from_slice(piece);
        }
        let (a, b) = tail.split_at(8);
        for word in [
            bytes.len() as u64,
            u64::from_le_bytes(a.try_into().unwrap_or_default()),
            u64::from_le_bytes(b.try_into().unwrap_or_default()),
        ] {
            // A multiply-rotate mix (as in FxHash): cheap, and enough to spread random input.
            self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
}

/// A full cache drops the entries used longest ago: those whose last use falls in the oldest
/// `1 / EVICT_DIVISOR` of the span between its least and most recent uses (at least the least
/// recently used one). One pass, no sorting, once per many inserts rather than a scan per insert.
const EVICT_DIVISOR: u64 = 8;

impl<K: Eq + Hash, V> Inner<K, V> {
    /// Drops the oldest span of entries (at least one, unless the cache is empty).
    fn evict_oldest(&mut self) {
        let clocks = self.entries.values().map(|e| e.used);
        let (Some(oldest), Some(newest)) = (clocks.clone().min(), clocks.max()) else {
            return;
        };
        let cut = oldest + (newest - oldest) / EVICT_DIVISOR;
        let mut dropped = 0;
        self.entries.retain(|_, e| {
            let keep = e.used > cut;
            if !keep {
                dropped += e.weight;
            }
            keep
        });
        self.weight = self.weight.saturating_sub(dropped);
    }
}

impl<K: Eq + Hash, V: Clone> Bounded<K, V> {
    /// An empty cache of `slots` entries (0: stores nothing), unbounded in bytes: for entries of
    /// one small size. The map allocates on its first insert.
    pub(crate) const fn new(slots: usize) -> Self {
        Self::with_budget(slots, usize::MAX)
    }

    /// An empty cache of `slots` entries weighing at most `bytes` together (either 0: stores
    /// nothing).
    pub(crate) const fn with_budget(slots: usize, bytes: usize) -> Self {
        let entries = HashMap::with_hasher(BuildHasherDefault::new());
        Self { slots, bytes, inner: Mutex::new(Inner { entries, clock: 0, weight: 0 }) }
    }

    /// How many entries it keeps at most (0: it is switched off).
    pub(crate) fn slots(&self) -> usize {
        self.slots
    }

    fn lock(&self) -> MutexGuard<'_, Inner<K, V>> {
        // A panic elsewhere while holding the lock leaves a consistent map: keep using it.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value under `key`, marked as recently used.
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<V>
    where
        Q: Hash + Equivalent<K> + ?Sized,
    {
        let mut guard = self.lock();
        let inner = &mut *guard;
        inner.clock += 1;
        let entry = inner.entries.get_mut(key)?;
        entry.used = inner.clock;
        Some(entry.value.clone())
    }

    /// Stores `value` under `key` (replacing), evicting the least recently used past the bound.
    pub(crate) fn insert(&self, key: K, value: V) {
        self.insert_weighing(key, value, 0);
    }

    /// Stores `value` under `key` (replacing) as `weight` bytes, evicting the least recently used
    /// until both bounds hold; a value heavier than the whole budget is not stored.
    pub(crate) fn insert_weighing(&self, key: K, value: V, weight: usize) {
        if self.slots == 0 || weight > self.bytes {
            return;
        }
        let mut guard = self.lock();
        let inner = &mut *guard;
        inner.clock += 1;
        if let Some(old) = inner.entries.remove(&key) {
            inner.weight = inner.weight.saturating_sub(old.weight);
        }
        while !inner.entries.is_empty()
            && (inner.entries.len() >= self.slots || inner.weight.saturating_add(weight) > self.bytes)
        {
            inner.evict_oldest();
        }
        inner.weight += weight;
        inner.entries.insert(key, Entry { value, used: inner.clock, weight });
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    #[cfg(test)]
    pub(crate) fn weight(&self) -> usize {
        self.lock().weight
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_least_recently_used_first() {
        let c: Bounded<u8, u8> = Bounded::new(2);
        c.insert(1, 10);
        c.insert(2, 20);
        assert_eq!(c.get(&1), Some(10)); // 2 is now the least recently used
        c.insert(3, 30);
        assert_eq!((c.get(&1), c.get(&2), c.get(&3), c.len()), (Some(10), None, Some(30), 2));
        c.insert(3, 31); // replacing evicts nothing
        assert_eq!((c.get(&1), c.get(&3), c.len()), (Some(10), Some(31), 2));
    }

    #[test]
    fn full_caches_drop_the_oldest_span() {
        let c: Bounded<u32, u32> = Bounded::new(16);
        for i in 0..16 {
            c.insert(i, i); // clocks 1..=16
        }
        assert_eq!(c.get(&0), Some(0)); // clock 17: 0 is the most recent; 1 (clock 2) the oldest
        // Span 2..=17: the oldest eighth is clocks 2 and 3 (entries 1 and 2).
        c.insert(16, 16);
        assert_eq!(c.len(), 15);
        assert_eq!((c.get(&1), c.get(&2), c.get(&0), c.get(&3), c.get(&16)), (None, None, Some(0), Some(3), Some(16)));
    }

    /// Entries of different sizes: the budget in bytes holds whatever the count allows.
    #[test]
    fn bounded_in_bytes_too() {
        let c: Bounded<u32, u32> = Bounded::with_budget(100, 1000);
        for i in 0..50 {
            c.insert_weighing(i, i, 100);
            assert!(c.weight() <= 1000 && c.len() <= 10, "{i}: {} bytes, {} entries", c.weight(), c.len());
        }
        assert_eq!(c.get(&49), Some(49), "the newest is kept");
        assert_eq!(c.get(&0), None, "the oldest went");
        // Replacing an entry counts its weight once.
        c.insert_weighing(49, 0, 300);
        assert!(c.weight() <= 1000);
        // Heavier than the whole budget: not stored, nothing evicted for it.
        let before = c.len();
        c.insert_weighing(1000, 1, 1001);
        assert_eq!((c.get(&1000), c.len()), (None, before));
        let none: Bounded<u8, u8> = Bounded::with_budget(4, 0);
        none.insert_weighing(1, 1, 1);
        assert_eq!(none.len(), 0);
    }

    #[test]
    fn zero_slots_store_nothing_and_tokens_look_up_by_str() {
        let off: Bounded<Token, u8> = Bounded::new(0);
        off.insert(Token("a".into()), 1);
        assert_eq!((off.get(&TokenRef("a")), off.len()), (None, 0));
        let on: Bounded<Token, u8> = Bounded::new(1);
        on.insert(Token("token".into()), 1);
        assert_eq!((on.get(&TokenRef("token")), on.get(&TokenRef("toke"))), (Some(1), None));
    }

    #[test]
    fn tokens_are_compared_whole() {
        // Every length around the word size, every position of a one-bit difference.
        for len in 0..40 {
            let a: String = (0..len).map(|i| char::from(b'A' + (i % 26) as u8)).collect();
            assert!(same_bytes(a.as_bytes(), a.clone().as_bytes()));
            for at in 0..len {
                let mut b = a.clone().into_bytes();
                b[at] ^= 1;
                assert!(!same_bytes(a.as_bytes(), &b), "{len} {at}");
            }
            assert!(!same_bytes(a.as_bytes(), format!("{a}A").as_bytes()));
        }
        assert_eq!(Token("x".into()), Token("x".into()));
        assert_eq!(format!("{:?}", Token("secret".into())), "Token(..)");
        assert!(TokenRef("x").equivalent(&Token("x".into())) && !TokenRef("y").equivalent(&Token("x".into())));
    }

    /// Keys that share their last 16 bytes (and length) share a bucket, and are still told apart
    /// by the whole key.
    #[test]
    fn same_tail_different_keys() {
        let c: Bounded<Token, u8> = Bounded::new(4);
        let tail = "T".repeat(16);
        c.insert(Token(format!("a{tail}")), 1);
        c.insert(Token(format!("b{tail}")), 2);
        let get = |s: String| c.get(&TokenRef(&s));
        assert_eq!(
            (get(format!("a{tail}")), get(format!("b{tail}")), get(format!("c{tail}"))),
            (Some(1), Some(2), None)
        );
        let h = |s: &str| {
            let mut t = TailHasher::default();
            t.write(s.as_bytes());
            t.finish()
        };
        assert_eq!(h(&format!("a{tail}")), h(&format!("b{tail}")));
        assert_ne!(h("short"), h("other"));
        assert_ne!(h(""), h("\0"));
    }
}
