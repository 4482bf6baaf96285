//! Small text helpers shared by the core: lowercase hex, and quoting operator-supplied strings
//! in messages.

use core::fmt;

const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends the two lowercase hex digits of `b`.
pub(crate) fn push_hex_byte(out: &mut String, b: u8) {
    for nibble in [b >> 4, b & 0x0f] {
        out.push(char::from(LOWER_HEX.get(usize::from(nibble)).copied().unwrap_or(b'0')));
    }
}

/// `bytes` as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        push_hex_byte(&mut s, b);
    }
    s
}

/// Appends `n` in decimal (without `core::fmt`, whose integer formatting was a few percent of
/// every save: `Max-Age`, `expiry`).
pub(crate) fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let (mut n, mut at) = (n, digits.len());
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        at -= 1;
        if n == 0 {
            break;
        }
    }
    digits.get(at..).unwrap_or_default().iter().for_each(|&d| out.push(char::from(d)));
}

/// `n` in decimal (see [`push_decimal`]).
pub(crate) fn decimal(n: u64) -> String {
    let mut s = String::with_capacity(20);
    push_decimal(&mut s, n);
    s
}

/// The value of one hex digit, either case.
pub(crate) fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Whether two header names are spellings of the same header: `_` and `-` folded together and
/// ASCII case ignored (what an origin behind a CGI/WSGI-style gateway cannot tell apart).
pub(crate) fn same_header(a: &str, b: &str) -> bool {
    let fold = |b: u8| if b == b'_' { b'-' } else { b.to_ascii_lowercase() };
    a.len() == b.len() && a.bytes().map(fold).eq(b.bytes().map(fold))
}

/// Shows an operator-supplied string in quotes with control and non-ASCII characters escaped,
/// so that a bad value cannot inject lines into a log (and without `Debug`'s Unicode tables).
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for c in self.0.chars() {
            match c {
                '"' | '\\' => write!(f, "\\{c}")?,
                ' '..='~' => write!(f, "{c}")?,
                _ => write!(f, "\\u{{{:x}}}", u32::from(c))?,
            }
        }
        f.write_str("\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        assert_eq!(hex(&[0, 0x0f, 0xab, 0xff]), "000fabff");
        assert_eq!(hex_digit(b'F'), Some(15));
        assert_eq!(hex_digit(b'g'), None);
    }

    #[test]
    fn decimal_matches_display() {
        for n in [0, 1, 9, 10, 99, 100, 1_700_000_000_000_000, u64::MAX] {
            assert_eq!(decimal(n), n.to_string());
        }
    }

    #[test]
    fn quoted_escapes_controls() {
        assert_eq!(Quoted("a\r\nb\"é").to_string(), r#""a\u{d}\u{a}b\"\u{e9}""#);
    }
}
