//! A small bounded cache for derived keys (stretched passphrases, Apache's PBKDF2 keys): a few
//! slots, least recently used evicted first, safe to share across threads. Keys are hashes of
//! secrets, never the secrets themselves.

use std::sync::{Mutex, MutexGuard};

/// Up to `slots` entries; the front is evicted first, a hit moves to the back.
pub(crate) struct Bounded<K, V> {
    slots: usize,
    entries: Mutex<Vec<(K, V)>>,
}

impl<K: PartialEq, V: Clone> Bounded<K, V> {
    pub(crate) const fn new(slots: usize) -> Self {
        Self { slots, entries: Mutex::new(Vec::new()) }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(K, V)>> {
        // A panic elsewhere while holding the lock leaves a consistent Vec: keep using it.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The value under `key`, marked as recently used.
    pub(crate) fn get(&self, key: &K) -> Option<V> {
        let mut entries = self.lock();
        let i = entries.iter().position(|(k, _)| k == key)?;
        let hit = entries.remove(i);
        let value = hit.1.clone();
        entries.push(hit);
        Some(value)
    }

    /// Stores `value` under `key` (replacing), evicting the least recently used past the bound.
    pub(crate) fn insert(&self, key: K, value: V) {
        let mut entries = self.lock();
        entries.retain(|(k, _)| *k != key);
        if entries.len() >= self.slots {
            entries.remove(0);
        }
        entries.push((key, value));
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
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
    }
}
