//! Chunked cookies: a sealed token too long for one cookie, split across several.
//!
//! Wire layout (our extension; Apache has no equivalent, so only the `sealed` format chunks):
//!
//! ```text
//! one cookie : NAME=TOKEN                                   (whenever it fits in 4096 bytes)
//! chunked    : NAME.0=<n>*PART0  NAME.1=PART1  …  NAME.<n-1>=PART<n-1>
//!              2 <= n <= max_chunks (default 4, at most 16); TOKEN = PART0 PART1 … PART<n-1>
//! ```
//!
//! Each `Set-Cookie` line (name, value and attributes) stays within 4096 bytes. The parts are
//! slices of one sealed token, whose AES-GCM tag covers all of it: a part from another session,
//! or from an older write of this one, makes the tag fail and the session empty. The count in
//! `NAME.0` says which chunks belong to the write, so stale higher chunks left in a browser are
//! ignored (and removed on the next save). When both `NAME` and chunks are sent, `NAME` wins:
//! every save that writes one form removes the other.

use crate::cookie_header::{self, Found};
use crate::limits::MAX_COOKIE_BYTES;
use crate::set_cookie::Attributes;
use crate::status::Rejection;

pub(crate) use crate::limits::MAX_CHUNKS_LIMIT;
/// Separates the chunk count from the first part (not in the base64url alphabet).
const COUNT_SEPARATOR: char = '*';

/// `NAME.i`.
pub(crate) fn chunk_name(base: &str, index: usize) -> String {
    format!("{base}.{index}")
}

/// Whether cookie `name` is the session cookie `base` (`Some(None)`) or its chunk `i`
/// (`Some(Some(i))`).
pub(crate) fn parse_name(name: &str, base: &str) -> Option<Option<usize>> {
    let rest = name.strip_prefix(base)?;
    if rest.is_empty() {
        return Some(None);
    }
    rest.strip_prefix('.').and_then(chunk_index).map(Some)
}

/// Whether cookie `name` is the session cookie `base` or one of its chunks.
pub(crate) fn is_session_cookie(name: &str, base: &str) -> bool {
    parse_name(name, base).is_some()
}

/// `i` of a `NAME.i` suffix: 1 or 2 digits, below [`MAX_CHUNKS_LIMIT`], no leading zero.
fn chunk_index(digits: &str) -> Option<usize> {
    let ok = matches!(digits.len(), 1 | 2) && digits.bytes().all(|b| b.is_ascii_digit());
    let i: usize = digits.parse().ok().filter(|_| ok && (digits.len() == 1 || !digits.starts_with('0')))?;
    (i < MAX_CHUNKS_LIMIT).then_some(i)
}

/// Reassembles a chunked token from `header`: `None` when no `NAME.0` was sent.
pub(crate) fn reassemble(header: &str, base: &str, max_chunks: usize) -> Option<Result<String, Rejection>> {
    let first = match cookie_header::find(header, &chunk_name(base, 0)) {
        Found::Absent => return None,
        Found::Conflict => return Some(Err(Rejection::Duplicate)),
        Found::HeaderTooLarge => return Some(Err(Rejection::TooLarge)),
        Found::Value(v) => v,
    };
    Some(join(header, base, max_chunks, first))
}

fn join(header: &str, base: &str, max_chunks: usize, first: &str) -> Result<String, Rejection> {
    let (count, part0) = first.split_once(COUNT_SEPARATOR).ok_or(Rejection::Malformed)?;
    if count.is_empty() || count.len() > 2 || !count.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Rejection::Malformed);
    }
    let n: usize = count.parse().map_err(|_| Rejection::Malformed)?;
    if n < 2 {
        return Err(Rejection::Malformed);
    }
    if n > max_chunks {
        return Err(Rejection::TooLarge);
    }
    let mut token = String::with_capacity(n * MAX_COOKIE_BYTES);
    token.push_str(part0);
    for i in 1..n {
        match cookie_header::find(header, &chunk_name(base, i)) {
            Found::Value(part) => token.push_str(part),
            Found::Conflict => return Err(Rejection::Duplicate),
            Found::Absent | Found::HeaderTooLarge => return Err(Rejection::Malformed),
        }
    }
    Ok(token)
}

/// The `Set-Cookie` lines that carry `token` in chunks `NAME.0..NAME.n-1` (n >= 2), each within
/// [`MAX_COOKIE_BYTES`]. `Err(n)`: more than `max_chunks` would be needed.
pub(crate) fn split(
    attributes: &Attributes,
    base: &str,
    token: &str,
    max_age: Option<u64>,
    max_chunks: usize,
) -> Result<Vec<String>, usize> {
    for n in 2..=MAX_CHUNKS_LIMIT {
        if let Some(lines) = try_split(attributes, base, token, max_age, n) {
            return if n <= max_chunks { Ok(lines) } else { Err(n) };
        }
    }
    // Past the hard limit too: how many it would take, for the error.
    let per_chunk = MAX_COOKIE_BYTES.saturating_sub(overhead(attributes, base, max_age, MAX_CHUNKS_LIMIT)).max(1);
    Err(token.len().div_ceil(per_chunk).max(MAX_CHUNKS_LIMIT + 1))
}

/// The bytes of a chunk's `Set-Cookie` line that are not its part (the widest index of `n`).
fn overhead(attributes: &Attributes, base: &str, max_age: Option<u64>, n: usize) -> usize {
    let name = chunk_name(base, n.saturating_sub(1));
    let count = n.to_string().len() + COUNT_SEPARATOR.len_utf8();
    attributes.line(&name, "", max_age).map_or(MAX_COOKIE_BYTES, |line| line.len()) + count
}

fn try_split(attributes: &Attributes, base: &str, token: &str, max_age: Option<u64>, n: usize) -> Option<Vec<String>> {
    // Equal parts (the token is base64url: ASCII, so any byte offset is a boundary).
    let part_len = token.len().div_ceil(n);
    if part_len + overhead(attributes, base, max_age, n) > MAX_COOKIE_BYTES {
        return None;
    }
    let mut lines = Vec::with_capacity(n);
    for i in 0..n {
        let start = (i * part_len).min(token.len());
        let end = ((i + 1) * part_len).min(token.len());
        let part = token.get(start..end)?;
        let value = if i == 0 { format!("{n}{COUNT_SEPARATOR}{part}") } else { part.to_owned() };
        lines.push(attributes.line(&chunk_name(base, i), &value, max_age).ok()?);
    }
    Some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::DEFAULT_ATTRIBUTES;

    fn attrs() -> Attributes {
        Attributes::parse(DEFAULT_ATTRIBUTES, "s").unwrap()
    }

    fn header_of(lines: &[String]) -> String {
        lines.iter().map(|l| l.split(';').next().unwrap()).collect::<Vec<_>>().join("; ")
    }

    #[test]
    fn split_and_reassemble() {
        let token: String = (0..9000).map(|i| char::from(b'A' + (i % 26) as u8)).collect();
        let lines = split(&attrs(), "s", &token, Some(3600), 4).unwrap();
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.len() <= MAX_COOKIE_BYTES));
        assert!(lines[0].starts_with("s.0=3*"));
        let header = format!("a=1; {}; b=2", header_of(&lines));
        assert_eq!(reassemble(&header, "s", 4), Some(Ok(token)));
    }

    #[test]
    fn too_many_chunks_is_an_error_with_the_count() {
        let token = "A".repeat(5 * MAX_COOKIE_BYTES);
        assert_eq!(split(&attrs(), "s", &token, None, 4), Err(6));
        assert!(split(&attrs(), "s", &token, None, 6).is_ok());
    }

    #[test]
    fn boundaries_fill_each_chunk_to_4096() {
        let a = attrs();
        // The largest token two chunks carry: every line exactly at the limit or one under.
        let per = MAX_COOKIE_BYTES - overhead(&a, "s", Some(60), 2);
        let lines = split(&a, "s", &"A".repeat(2 * per), Some(60), 4).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), MAX_COOKIE_BYTES);
        assert_eq!(split(&a, "s", &"A".repeat(2 * per + 1), Some(60), 4).unwrap().len(), 3);
    }

    #[test]
    fn bad_chunk_sets_are_rejected() {
        for (header, why) in [
            ("s.0=AAAA", Rejection::Malformed),            // no count
            ("s.0=1*AAAA", Rejection::Malformed),          // one chunk is not chunked
            ("s.0=x*AAAA; s.1=B", Rejection::Malformed),   // not a number
            ("s.0=123*AAAA; s.1=B", Rejection::Malformed), // too many digits
            ("s.0=3*AAAA; s.1=B", Rejection::Malformed),   // a chunk missing
            ("s.0=5*AAAA; s.1=B", Rejection::TooLarge),    // over max_chunks
            ("s.0=2*AAAA; s.1=B; s.1=C", Rejection::Duplicate),
            ("s.0=2*A; s.0=2*B; s.1=C", Rejection::Duplicate),
        ] {
            assert_eq!(reassemble(header, "s", 4), Some(Err(why)), "{header}");
        }
        assert_eq!(reassemble("s=AAAA; t.0=2*A", "s", 4), None);
    }

    #[test]
    fn names() {
        assert_eq!(parse_name("s", "s"), Some(None));
        assert_eq!(parse_name("s.15", "s"), Some(Some(15)));
        for other in ["s.16", "s.01", "s.x", "sx", "t.0", "s.123"] {
            assert_eq!(parse_name(other, "s"), None, "{other}");
        }
    }
}
