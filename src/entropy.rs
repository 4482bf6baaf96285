//! Randomness for nonces, salts and IVs, from the platform's CSPRNG (getrandom).
//!
//! On wasm32 every getrandom call crosses into JavaScript (`crypto.getRandomValues`: one call from
//! the npm package's own source, three through getrandom 0.2's `js` backend, which the Worker uses;
//! ≈ 6 % of a sealed round trip per nonce when drawn one by one), so there the
//! bytes are drawn [`POOL_BYTES`] at a time and handed out once each: the read position only moves
//! forward, every byte handed out is zeroed in the pool, and the pool is refilled from the
//! platform when too little is left (the rest is thrown away, never reused). A wasm32 instance has
//! one thread and cannot fork. Natively, where a process may fork and so copy a pool, every call
//! goes straight to the operating system.

use zeroize::Zeroize;

/// Bytes drawn from the platform per call on wasm32: 21 nonces' worth.
pub(crate) const POOL_BYTES: usize = 256;

/// Fills `buf` with fresh random bytes; `Err` only if the platform's generator failed.
pub(crate) fn fill(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    if cfg!(target_arch = "wasm32") && buf.len() <= POOL_BYTES {
        POOL.with(|pool| pool.borrow_mut().take(buf, getrandom::getrandom))
    } else {
        getrandom::getrandom(buf)
    }
}

std::thread_local! {
    static POOL: core::cell::RefCell<Pool> = const { core::cell::RefCell::new(Pool::EMPTY) };
}

/// Random bytes not yet handed out: `bytes[next..]`.
struct Pool {
    bytes: [u8; POOL_BYTES],
    next: usize,
}

impl Pool {
    const EMPTY: Self = Self { bytes: [0; POOL_BYTES], next: POOL_BYTES };

    /// Hands out `buf.len()` unused bytes (≤ `POOL_BYTES`), refilling with `source` first when
    /// fewer are left. On a failed refill the pool stays empty.
    fn take(
        &mut self,
        buf: &mut [u8],
        source: impl FnOnce(&mut [u8]) -> Result<(), getrandom::Error>,
    ) -> Result<(), getrandom::Error> {
        if POOL_BYTES - self.next.min(POOL_BYTES) < buf.len() {
            self.next = POOL_BYTES;
            source(&mut self.bytes)?;
            self.next = 0;
        }
        let end = self.next + buf.len();
        let Some(fresh) = self.bytes.get_mut(self.next..end) else {
            return Err(getrandom::Error::UNEXPECTED);
        };
        buf.copy_from_slice(fresh);
        fresh.zeroize();
        self.next = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_once_and_batched() {
        // A source that counts its calls and fills with a running counter, so every byte handed
        // out can be told apart from every other.
        let (mut calls, mut next) = (0u32, 0u8);
        let mut source = |b: &mut [u8]| {
            calls += 1;
            for x in b.iter_mut() {
                *x = next;
                next = next.wrapping_add(1);
            }
            Ok(())
        };
        let mut pool = Pool::EMPTY;
        let mut seen = Vec::new();
        for _ in 0..100 {
            let mut nonce = [0u8; 12];
            pool.take(&mut nonce, &mut source).unwrap();
            seen.extend_from_slice(&nonce);
        }
        // 100 nonces of 12 bytes from pools of 256 (21 nonces each, 4 bytes thrown away): 5 calls.
        assert_eq!(calls, 5);
        // Bytes are the counter's sequence with the 4 unused bytes of each pool skipped: no byte
        // handed out twice.
        let mut want = Vec::new();
        for pool_no in 0..5u32 {
            for i in 0..252u32 {
                want.push(((pool_no * 256 + i) % 256) as u8);
            }
        }
        assert_eq!(seen, want[..1200]);
        // Handed-out bytes are gone from the pool.
        assert!(pool.bytes[..pool.next].iter().all(|&b| b == 0));
    }

    #[test]
    fn failed_refill_leaves_nothing() {
        let mut pool = Pool::EMPTY;
        let mut buf = [9u8; 12];
        assert!(pool.take(&mut buf, |_| Err(getrandom::Error::UNSUPPORTED)).is_err());
        assert_eq!(pool.next, POOL_BYTES);
        assert!(pool.take(&mut [0u8; POOL_BYTES + 1], |_| Ok(())).is_err());
    }

    #[test]
    fn fill_gives_fresh_bytes() {
        let (mut a, mut b) = ([0u8; 12], [0u8; 12]);
        fill(&mut a).unwrap();
        fill(&mut b).unwrap();
        assert_ne!(a, b);
        let mut big = [0u8; POOL_BYTES + 1];
        fill(&mut big).unwrap();
        assert!(big.iter().any(|&x| x != 0));
    }
}
