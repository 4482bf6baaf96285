//! What the crate's tests share: hex test vectors and deterministic pseudo-random inputs.

use alloc::vec::Vec;

/// The bytes spelt by hex digits.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// xorshift64: advances `state` (never zero from a seed that is not) and returns it.
pub(crate) fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// `n` bytes drawn from `state`.
pub(crate) fn random_bytes(state: &mut u64, n: usize) -> Vec<u8> {
    (0..n).map(|_| xorshift(state) as u8).collect()
}
