//! The `Cookie` request header: the one grammar every part of the project reads it with (the
//! loader, the chunk bookkeeping, SessionCookieRemove, `inspect`, the Worker).
//!
//! ```text
//! Cookie = piece *( ";" piece )
//! piece  = OWS name "=" value OWS        ; names starting with "$" are RFC 2965 attributes: skipped
//!                                        ; pieces without "=" are skipped
//! ```
//!
//! **A deliberate difference from httpd.** mod_session_cookie splits on `;` **and** `,`. Browsers
//! never put `,` between cookies (RFC 6265, section 5.4: the user agent joins them with `"; "`),
//! and a `,` is a legal character of a cookie's value, so splitting on it lets a cookie hide
//! another inside its value: a sibling subdomain that sets `prefs=dark,__Host-session=<token>` would
//! have that token read as the session ("cookie tossing"), or cause a conflict with the real one.
//! Here a `,` is part of the value it stands in, never a separator. Whatever reads or removes a
//! cookie splits the same way (this module is the one grammar).

use crate::limits::MAX_COOKIE_HEADER_BYTES;

/// The separator of cookies in a `Cookie` header.
const SEPARATOR: u8 = b';';

/// The first `;` in `bytes`. Eight bytes at a time where there is none (a sealed cookie's value is
/// hundreds of bytes without one): a word holds a separator exactly when
/// `word ^ separator-in-every-byte` has a zero byte, which `(x - 0x01…01) & !x & 0x80…80` tells.
fn find_separator(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let has_zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
    let (words, _) = bytes.as_chunks::<8>();
    let clear =
        words.iter().take_while(|w| !has_zero_byte(u64::from_le_bytes(**w) ^ (ONES * u64::from(SEPARATOR)))).count()
            * 8;
    let tail = bytes.get(clear..).unwrap_or_default();
    tail.iter().position(|&b| b == SEPARATOR).map(|i| clear + i)
}

/// Splits on the separator, each piece with whether a separator came before it.
fn raw_pieces(header: &str) -> impl Iterator<Item = (Option<u8>, &str)> {
    // Byte-wise: the separator is ASCII, so every piece is still a `str` (the char-wise `split`
    // decoded each character and was a tenth of a round trip in wasm).
    let bytes = header.as_bytes();
    let (mut start, mut before, mut done) = (0usize, None, false);
    core::iter::from_fn(move || {
        if done {
            return None;
        }
        let rest = bytes.get(start..).unwrap_or_default();
        let end = match find_separator(rest) {
            Some(i) => start + i,
            None => {
                done = true;
                bytes.len()
            }
        };
        let piece = (before, header.get(start..end).unwrap_or_default());
        before = bytes.get(end).copied();
        start = end + 1;
        Some(piece)
    })
}

/// Optional whitespace (RFC 9110 OWS): space and tab.
fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without leading (`start`) and trailing (`end`) OWS. Byte-wise: both are ASCII, so the
/// cuts fall on character boundaries (a char-pattern trim was a third of a cached read in wasm).
fn trim_ows(s: &str, start: bool, end: bool) -> &str {
    let b = s.as_bytes();
    let from = if start { b.iter().position(|&c| !is_ows(c)).unwrap_or(b.len()) } else { 0 };
    let to = if end { b.iter().rposition(|&c| !is_ows(c)).map_or(from, |i| i + 1) } else { b.len() };
    s.get(from..to.max(from)).unwrap_or_default()
}

/// The cookie name and value of one piece, or `None` for an attribute or a piece without `=`.
fn pair(piece: &str) -> Option<(&str, &str)> {
    let piece = trim_ows(piece, true, true);
    if piece.as_bytes().first() == Some(&b'$') {
        return None;
    }
    let eq = piece.as_bytes().iter().position(|&b| b == b'=')?;
    let (n, v) = (piece.get(..eq)?, piece.get(eq + 1..)?);
    Some((trim_ows(n, false, true), trim_ows(v, true, false)))
}

/// The `(name, value)` pairs of a `Cookie` header, in order. Callers bound the header's length
/// first ([`MAX_COOKIE_HEADER_BYTES`]).
pub(crate) fn pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
    raw_pieces(header).filter_map(|(_, piece)| pair(piece))
}

/// What the `Cookie` header held for one name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    /// Not sent.
    Absent,
    /// Sent (once, or several times with the same value).
    Value(&'a str),
    /// Sent several times with different values.
    Conflict,
    /// The header is over [`MAX_COOKIE_HEADER_BYTES`].
    HeaderTooLarge,
}

/// Finds cookie `name`, the way mod_session_cookie reads it.
pub(crate) fn find<'a>(header: &'a str, name: &str) -> Found<'a> {
    find_seeing(header, name, |_| {})
}

/// [`find`], showing every cookie name of the header to `seen` on the way (one pass where the
/// loader also needs the other names: its chunk bookkeeping).
pub(crate) fn find_seeing<'a>(header: &'a str, name: &str, mut seen: impl FnMut(&str)) -> Found<'a> {
    if header.len() > MAX_COOKIE_HEADER_BYTES {
        return Found::HeaderTooLarge;
    }
    let mut found: Option<&str> = None;
    for (n, v) in pairs(header) {
        seen(n);
        if n != name {
            continue;
        }
        match found {
            Some(prev) if prev != v => return Found::Conflict,
            _ => found = Some(v),
        }
    }
    found.map_or(Found::Absent, Found::Value)
}

/// The value of cookie `name` in a `Cookie` header, read the way the session loader reads it:
/// `None` when it is absent, sent twice with different values, or the header is over
/// [`MAX_COOKIE_HEADER_BYTES`].
///
/// ```
/// assert_eq!(edge_session::wire::find_cookie("a=1; session=abc", "session"), Some("abc"));
/// assert_eq!(edge_session::wire::find_cookie("session=a; session=b", "session"), None);
/// // A `,` belongs to the value it stands in: no cookie hides inside another's value.
/// assert_eq!(edge_session::wire::find_cookie("prefs=dark,session=abc", "session"), None);
/// ```
pub fn find_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    match find(header, name) {
        Found::Value(v) => Some(v),
        _ => None,
    }
}

/// The header without the cookies whose name `drop` selects, every other piece kept as sent
/// (separators included); `None` when nothing remains. Not bounded: it is one linear pass, and
/// an oversized header must lose its session cookie too.
pub(crate) fn remove(header: &str, drop: impl Fn(&str) -> bool) -> Option<String> {
    let mut out = String::with_capacity(header.len());
    for (sep, piece) in raw_pieces(header) {
        if pair(piece).is_some_and(|(name, _)| drop(name)) {
            continue;
        }
        if out.is_empty() {
            out.push_str(piece.trim_start_matches([' ', '\t']));
        } else if let Some(sep) = sep {
            out.push(char::from(sep));
            out.push_str(piece);
        }
    }
    let kept = out.trim_end_matches([' ', '\t', ';']);
    (!kept.trim_start_matches([' ', '\t', ';']).is_empty()).then(|| kept.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cookie_among_others() {
        assert_eq!(find("a=1; session=abc; b=2", "session"), Found::Value("abc"));
        assert_eq!(find("a=1;session=abc", "session"), Found::Value("abc"));
        assert_eq!(find("$Version=1; session=x=y&z=1; $Path=/", "session"), Found::Value("x=y&z=1"));
        assert_eq!(find("sessions=1; xsession=2", "session"), Found::Absent);
        assert_eq!(find("", "session"), Found::Absent);
        assert_eq!(find("session", "session"), Found::Absent);
        assert_eq!(find("session=", "session"), Found::Value(""));
    }

    /// The word-at-a-time search finds what a byte-by-byte one finds, at every length and offset.
    #[test]
    fn separator_search() {
        for len in 0..40 {
            for at in 0..=len {
                for other in [b',', b':', b'='] {
                    let mut v: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                    if at < len {
                        v[at] = b';';
                    }
                    if at > 0 {
                        v[at - 1] = other;
                    }
                    let want = v.iter().position(|&b| b == b';');
                    assert_eq!(find_separator(&v), want, "len {len} at {at}");
                }
            }
        }
        // Bytes next to the separator (':' 0x3a, '<' 0x3c, ',' 0x2c) and high bytes.
        let v = b":<,+-\xff\x80;".to_vec();
        assert_eq!(find_separator(&v), Some(7));
    }

    /// Whitespace: around pieces and around `=` (space and tab only), never inside a value.
    #[test]
    fn optional_whitespace() {
        assert_eq!(pair(" \t session \t= \tv a\t "), Some(("session", "v a")));
        assert_eq!(pair("   "), None);
        assert_eq!(pair(" $Path=/"), None);
        assert_eq!(pair("=v"), Some(("", "v")));
        assert_eq!(pair("n= "), Some(("n", "")));
        assert_eq!(pair("ü=ö "), Some(("ü", "ö")));
        assert_eq!(trim_ows("\t\t", true, true), "");
        assert_eq!(trim_ows(" x ", false, true), " x");
        assert_eq!(trim_ows(" x ", true, false), "x ");
    }

    #[test]
    fn duplicates() {
        assert_eq!(find("session=a; session=a", "session"), Found::Value("a"));
        assert_eq!(find("session=a; session=b", "session"), Found::Conflict);
    }

    #[test]
    fn oversized_header() {
        let h = format!("session=a; pad={}", "x".repeat(MAX_COOKIE_HEADER_BYTES));
        assert_eq!(find(&h, "session"), Found::HeaderTooLarge);
    }

    /// Cookie tossing: a cookie set by a sibling subdomain (or any page that can set one cookie)
    /// whose value holds `,` and a session cookie is one cookie, never the session, and never a
    /// conflict with the real session cookie beside it.
    #[test]
    fn a_comma_never_separates_cookies() {
        let tossed = "prefs=dark,__Host-session=ATTACKERS";
        assert_eq!(find(tossed, "__Host-session"), Found::Absent);
        assert_eq!(find(tossed, "prefs"), Found::Value("dark,__Host-session=ATTACKERS"));
        let both = format!("{tossed}; __Host-session=REAL");
        assert_eq!(find(&both, "__Host-session"), Found::Value("REAL"));
        assert_eq!(find("a=1, session=abc", "session"), Found::Absent);
        assert_eq!(pairs("a=x,y; b=2").collect::<Vec<_>>(), [("a", "x,y"), ("b", "2")]);
    }

    #[test]
    fn remove_splits_like_the_reader() {
        let is = |n: &str| n == "session";
        // The remover splits exactly as the reader: what the reader would not take for the session
        // (a `,` inside another cookie's value) is another cookie's value, kept.
        assert_eq!(remove("a=1, session=TOKEN", is).as_deref(), Some("a=1, session=TOKEN"));
        assert_eq!(remove("a=1; session=TOKEN", is).as_deref(), Some("a=1"));
        assert_eq!(remove("a=1; session=x; b=2", is).as_deref(), Some("a=1; b=2"));
        assert_eq!(remove("a=x,y; session=T; b=2", is).as_deref(), Some("a=x,y; b=2"), "other values kept as sent");
        assert_eq!(remove(" session=x ", is), None);
        assert_eq!(remove("session=x; session=y", is), None);
        assert_eq!(remove("sessions=1;session=2", is).as_deref(), Some("sessions=1"));
        assert_eq!(remove("$Version=1; session=x", is).as_deref(), Some("$Version=1"));
    }
}
