//! The session string: mod_session's application/x-www-form-urlencoded table.
//!
//! Wire layout (`../shared/spec/mod_session.md`, checked against Apache 2.4.71):
//!
//! ```text
//! session = pair *( "&" pair ) [ "&expiry=" 1*DIGIT ]     ; expiry: µs since the Unix epoch
//! pair    = escaped-key "=" escaped-value
//! escape  : A-Z a-z 0-9 . - * _ stay, SP -> "+", any other byte -> "%xx" (lowercase hex)
//! ```
//!
//! Reading follows released httpd 2.4.x (`session_identity_decode`): split on `&` (empty pieces
//! skipped), leading `=` of a piece skipped (Apache's `apr_strtok`), key up to the first `=`,
//! value = everything after it (`k=a=b` gives `a=b`; trunk would stop at the second `=`). `+` is a
//! space, `%XX` either case. A pair with a bad escape, a `%00` or (our addition, since keys and
//! values are JavaScript strings) bytes that are not UTF-8 is dropped. An empty or missing value
//! deletes the key. `expiry` is never an entry.
//!
//! Why not `form_urlencoded` / `serde_urlencoded`: they write uppercase hex (Apache writes and
//! compares lowercase) and they decode leniently (a bad `%` is kept, `%00` passes, bad UTF-8 is
//! replaced), which is exactly what this module must not do. So the ~60 lines are written here.

use crate::text;

/// The reserved key that carries the expiry in a session string.
pub(crate) const EXPIRY_KEY: &str = "expiry";

/// The reserved key by which a SessionHeader update asks for the session to be re-issued
/// ([`crate::Session::regenerate`]); never stored, and ignored in a cookie.
///
/// ```
/// assert_eq!(edge_session::wire::REGENERATE_KEY, "!regenerate");
/// ```
pub const REGENERATE_KEY: &str = "!regenerate";

/// The reserved key by which a SessionHeader update ends every entry before the rest of the
/// update applies (`!clear=1&user=bob`): a logout that lists no keys. Never stored, and ignored
/// in a cookie.
///
/// ```
/// let mut s = edge_session::Session::new();
/// s.apply_update("a=1&b=2").unwrap();
/// s.apply_update(&format!("{}=1&user=bob", edge_session::wire::CLEAR_KEY)).unwrap();
/// assert_eq!(s.to_string(), "user=bob");
/// ```
pub const CLEAR_KEY: &str = "!clear";

/// The reserved key that carries a session's own sliding lifetime in whole seconds ("remember
/// me", [`crate::Session::set_max_age`]): stored in the session string before `expiry`, set by a
/// SessionHeader update (`!maxage=2592000`), reset to the manager's `max_age` by `!maxage=0` or
/// `!maxage=`.
///
/// ```
/// let mut s = edge_session::Session::new();
/// s.apply_update("user=alice&!maxage=2592000").unwrap();
/// assert_eq!(s.max_age(), Some(2_592_000));
/// assert_eq!(s.to_string(), "user=alice&!maxage=2592000");
/// assert_eq!(edge_session::wire::MAX_AGE_KEY, "!maxage");
/// ```
pub const MAX_AGE_KEY: &str = "!maxage";

/// Whether a key is reserved: `expiry` and every key starting with `!` (the control keys).
pub(crate) fn reserved(key: &str) -> bool {
    key == EXPIRY_KEY || key.starts_with('!')
}

/// Bytes Apache's `ap_escape_urlencoded` leaves as they are.
/// A SessionHeader value (for an origin written in Rust) that sets each key to its value, an
/// empty value deleting the key, escaped the way mod_session escapes.
///
/// ```
/// let update = edge_session::wire::encode_update([("user", "alice smith"), ("cart", "")]);
/// assert_eq!(update, "user=alice+smith&cart=");
/// let mut s = edge_session::Session::new();
/// s.apply_update(&update).unwrap();
/// assert_eq!(s.get("user"), Some("alice smith"));
/// ```
pub fn encode_update<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    encode_into(&mut out, pairs);
    out
}

/// Appends `pairs` as [`encode_update`] writes them.
pub(crate) fn encode_into<'a>(out: &mut String, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) {
    for (i, (k, v)) in pairs.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        escape_into(out, k);
        out.push('=');
        escape_into(out, v);
    }
}

/// The decoded value of the first pair named `name` in an application/x-www-form-urlencoded
/// string (a URL's query, say) whose value is non-empty and validly escaped by this module's
/// rules; `None` when there is none. Pairs whose key does not decode are passed over.
///
/// ```
/// let query = "id=7f&user=alice+smith&bad=%zz";
/// assert_eq!(edge_session::wire::form_value(query, "user").as_deref(), Some("alice smith"));
/// assert_eq!(edge_session::wire::form_value(query, "bad"), None);
/// assert_eq!(edge_session::wire::form_value(query, "none"), None);
/// ```
pub fn form_value(form: &str, name: &str) -> Option<String> {
    form.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (unescape(key)? == name && !value.is_empty()).then(|| unescape(value)).flatten()
    })
}

/// What a byte is to this module, one table load per byte (the chained range comparisons of a
/// `match`, compiled at opt-level "z", made decoding and encoding a third of a plain round trip).
const UNRESERVED: u8 = 1;
/// `&`: ends a pair.
const AMPERSAND: u8 = 2;
/// `=`: ends a key.
const EQUALS: u8 = 4;
/// `+`, `%` and NUL: what [`unescape`] has to look at.
const ESCAPED: u8 = 8;

// Built at compile time, where an index out of range fails the build rather than panicking.
#[allow(clippy::indexing_slicing)]
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'*' | b'_') {
            t[b] = UNRESERVED;
        }
        b += 1;
    }
    t[b'&' as usize] = AMPERSAND;
    t[b'=' as usize] = EQUALS;
    t[b'+' as usize] = ESCAPED;
    t[b'%' as usize] = ESCAPED;
    t[0] = ESCAPED;
    t
};

fn class(b: u8) -> u8 {
    // A u8 indexes 256 entries: the check is compiled away.
    CLASSES.get(usize::from(b)).copied().unwrap_or_default()
}

/// Appends `input` escaped the way Apache's `ap_escape_urlencoded` does.
pub(crate) fn escape_into(out: &mut String, input: &str) {
    out.reserve(input.len());
    // Unreserved runs are copied whole. A run starts and ends on ASCII bytes, so the slices are
    // character boundaries; an empty slice between two escaped bytes of one character is "".
    let mut run_start = 0;
    for (i, &b) in input.as_bytes().iter().enumerate() {
        if class(b) == UNRESERVED {
            continue;
        }
        out.push_str(input.get(run_start..i).unwrap_or_default());
        run_start = i + 1;
        if b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            text::push_hex_byte(out, b);
        }
    }
    out.push_str(input.get(run_start..).unwrap_or_default());
}

/// Decodes one escaped key or value; `None` for a bad escape, a NUL (raw or `%00`) or non-UTF-8.
pub(crate) fn unescape(input: &str) -> Option<String> {
    decode(input, input.bytes().any(|b| class(b) == ESCAPED))
}

/// [`unescape`], told whether `input` holds a `+`, `%` or NUL (the splitter saw it already).
fn decode(input: &str, escaped: bool) -> Option<String> {
    // Most keys and values have nothing to decode: one copy, no re-validation.
    if !escaped {
        return Some(input.to_owned());
    }
    let mut out = Vec::with_capacity(input.len());
    let mut bytes = input.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            // A raw NUL is refused like `%00`: Apache's C strings cannot hold one, and a value
            // that held one would be written as `%00` and dropped on the next read.
            b'\0' => return None,
            b'%' => {
                let hi = text::hex_digit(bytes.next()?)?;
                let lo = text::hex_digit(bytes.next()?)?;
                let decoded = (hi << 4) | lo;
                if decoded == 0 {
                    return None;
                }
                out.push(decoded);
            }
            _ => out.push(b),
        }
    }
    String::from_utf8(out).ok()
}

/// The reserved key of a device-bound session's state in the sealed session string
/// (`!device=ID` while offered, `!device=ID.N.KEY` once bound: see `device_bound.rs`). With the
/// `dbsc` feature it is read only from a cookie the manager opened (a SessionHeader's is ignored)
/// and kept out of the entries; a build without the feature keeps it as an entry, so that saving a
/// session there never unbinds it.
pub(crate) const DEVICE_KEY: &str = "!device";

/// The reserved key of a soft-bound session's client fingerprint (`client_fingerprint.rs`),
/// handled as `!device` is.
#[cfg(feature = "dbsc")]
pub(crate) const CLIENT_KEY: &str = "!fp";

/// Keys the proxy adds to the SessionEnv header for the origin (with `device_bound`): an origin
/// that sends them back in its SessionHeader changes nothing.
#[cfg(feature = "dbsc")]
pub(crate) const ORIGIN_ONLY_KEYS: [&str; 3] = ["!bound", "!issued", "!client"];

/// Parses an `expiry` (µs) or `!maxage` (s) value: decimal digits; `0` means none. Anything else is invalid.
fn parse_number(value: &str) -> Option<u64> {
    if value.is_empty() || value.len() > 20 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// One decoded piece of a session string, in order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Piece {
    /// `key=value` with a non-empty value.
    Set(String, String),
    /// `key=` or a bare `key`: delete the key.
    Delete(String),
    /// `expiry=N` (`None` for `expiry=0`).
    Expiry(Option<u64>),
    /// `!regenerate=<anything>`: re-issue the session.
    Regenerate,
    /// `!clear=<anything>`: end every entry.
    Clear,
    /// `!maxage=N` (`None` for `!maxage=0` or `!maxage=`): the session's own max age, seconds.
    MaxAge(Option<u64>),
    /// `!device=STATE`: a device-bound session's state (kept only from a sealed cookie).
    #[cfg(feature = "dbsc")]
    Device(String),
    /// `!fp=HEX`: a soft-bound session's client fingerprint (kept only from a sealed cookie).
    #[cfg(feature = "dbsc")]
    Client(String),
}

/// Splits a session string into pieces, dropping invalid pairs. Callers bound `input` first.
pub(crate) fn pieces(input: &str) -> impl Iterator<Item = Piece> + '_ {
    let bytes = input.as_bytes();
    let mut start = 0;
    core::iter::from_fn(move || {
        while start <= bytes.len() {
            // One pass over the pair: its end, where its key starts (Apache's `apr_strtok` skips
            // leading `=`) and ends, and whether the key or the value has anything to decode. The
            // separators are ASCII, so every cut falls on a character boundary.
            let (mut key_start, mut equals, mut end) = (start, None, bytes.len());
            let (mut key_escaped, mut value_escaped) = (false, false);
            for (i, &b) in (start..).zip(bytes.get(start..).unwrap_or_default()) {
                match class(b) {
                    AMPERSAND => {
                        end = i;
                        break;
                    }
                    EQUALS if i == key_start => key_start = i + 1,
                    EQUALS if equals.is_none() => equals = Some(i),
                    ESCAPED if equals.is_none() => key_escaped = true,
                    ESCAPED => value_escaped = true,
                    _ => {}
                }
            }
            start = end + 1;
            if key_start >= end {
                continue;
            }
            let (key_end, value_start) = equals.map_or((end, end), |e| (e, e + 1));
            let raw_key = input.get(key_start..key_end).unwrap_or_default();
            let raw_value = input.get(value_start..end).unwrap_or_default();
            if let Some(piece) = piece(decode(raw_key, key_escaped), raw_value, value_escaped) {
                return Some(piece);
            }
        }
        None
    })
}

/// The piece a pair makes: `None` for a key or value that does not decode, or a reserved key
/// used in a way that means nothing.
fn piece(key: Option<String>, raw_value: &str, value_escaped: bool) -> Option<Piece> {
    let key = key?;
    #[cfg(feature = "dbsc")]
    if ORIGIN_ONLY_KEYS.contains(&key.as_str()) {
        return None;
    }
    if raw_value.is_empty() {
        // Apache: `apr_table_unset` on an empty value. An `expiry=`, `!regenerate=` or `!clear=`
        // deletes nothing; `!maxage=` resets the session's own max age.
        return match key.as_str() {
            MAX_AGE_KEY => Some(Piece::MaxAge(None)),
            EXPIRY_KEY | REGENERATE_KEY | CLEAR_KEY => None,
            #[cfg(feature = "dbsc")]
            DEVICE_KEY | CLIENT_KEY => None,
            _ => Some(Piece::Delete(key)),
        };
    }
    let value = decode(raw_value, value_escaped)?;
    match key.as_str() {
        REGENERATE_KEY => return Some(Piece::Regenerate),
        CLEAR_KEY => return Some(Piece::Clear),
        #[cfg(feature = "dbsc")]
        DEVICE_KEY => return Some(Piece::Device(value)),
        #[cfg(feature = "dbsc")]
        CLIENT_KEY => return Some(Piece::Client(value)),
        MAX_AGE_KEY => {
            let seconds = parse_number(&value).filter(|&s| s <= crate::limits::MAX_SECONDS)?;
            return Some(Piece::MaxAge((seconds != 0).then_some(seconds)));
        }
        _ => {}
    }
    if key == EXPIRY_KEY {
        let micros = parse_number(&value)?;
        return Some(Piece::Expiry((micros != 0).then_some(micros)));
    }
    Some(Piece::Set(key, value))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// 20,000 strings of up to `max - 1` symbols drawn from `alphabet` (xorshift from `seed`),
    /// joined by `separator`: the generated inputs of the tests that hold a parser to a reference.
    pub(crate) fn random_strings(seed: u64, max: u64, alphabet: &[&str], separator: &str) -> Vec<String> {
        let mut x = seed;
        (0..20_000)
            .map(|_| {
                let count = x % max;
                let symbols: Vec<&str> = (0..count)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        alphabet[(x % alphabet.len() as u64) as usize]
                    })
                    .collect();
                symbols.join(separator)
            })
            .collect()
    }

    fn esc(s: &str) -> String {
        let mut out = String::new();
        escape_into(&mut out, s);
        out
    }

    #[test]
    fn form_value_finds_the_first_named_pair() {
        assert_eq!(form_value("a=1&b=x%2By+z&a=2", "a").as_deref(), Some("1"));
        assert_eq!(form_value("a=1&b=x%2By+z", "b").as_deref(), Some("x+y z"));
        assert_eq!(form_value("%61=1", "a").as_deref(), Some("1"));
        // Absent, empty, bare, badly escaped: none. A key that does not decode is passed over.
        assert_eq!(form_value("", "a"), None);
        assert_eq!(form_value("a=&b=2", "a"), None);
        assert_eq!(form_value("a", "a"), None);
        assert_eq!(form_value("a=%g1", "a"), None);
        assert_eq!(form_value("a=%00", "a"), None);
        assert_eq!(form_value("%zz=1&a=2", "a").as_deref(), Some("2"));
    }

    #[test]
    fn escapes_like_apache() {
        assert_eq!(esc("aZ09.-*_"), "aZ09.-*_");
        assert_eq!(esc("a b"), "a+b");
        assert_eq!(esc("~&=%+/"), "%7e%26%3d%25%2b%2f");
        assert_eq!(esc("é😀"), "%c3%a9%f0%9f%98%80");
        assert_eq!(esc("\t"), "%09");
        // Unreserved runs around escaped multi-byte characters, at both ends.
        assert_eq!(esc("aé b😀c"), "a%c3%a9+b%f0%9f%98%80c");
        assert_eq!(esc("éa"), "%c3%a9a");
        assert_eq!(esc(""), "");
    }

    #[test]
    fn unescapes_both_cases_and_plus() {
        assert_eq!(unescape("a+b%2B%2b%C3%a9").as_deref(), Some("a b++é"));
        assert_eq!(unescape(""), Some(String::new()));
        assert_eq!(unescape("plain-é").as_deref(), Some("plain-é"), "the no-escape fast path");
        assert_eq!(unescape("a\0b"), None, "the fast path still refuses a raw NUL");
    }

    #[test]
    fn rejects_bad_escapes_nul_and_non_utf8() {
        for bad in ["%", "%4", "%zz", "a%0", "%00", "x%00y", "%ff", "%c3", "a\0b"] {
            assert_eq!(unescape(bad), None, "{bad}");
        }
    }

    #[test]
    fn pieces_follow_released_2_4() {
        let got: Vec<Piece> = pieces("a=1&&b=x=y&=c=2&d=&e&expiry=5&expiry=&f=%zz&expiry=0").collect();
        assert_eq!(
            got,
            vec![
                Piece::Set("a".into(), "1".into()),
                Piece::Set("b".into(), "x=y".into()),
                Piece::Set("c".into(), "2".into()),
                Piece::Delete("d".into()),
                Piece::Delete("e".into()),
                Piece::Expiry(Some(5)),
                Piece::Expiry(None),
            ]
        );
    }

    /// The splitter as released httpd 2.4.x reads a session string, written the obvious way.
    fn reference_pieces(input: &str) -> Vec<Piece> {
        input
            .split('&')
            .filter_map(|raw| {
                let pair = raw.trim_start_matches('=');
                if pair.is_empty() {
                    return None;
                }
                let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
                piece(unescape(raw_key), raw_value, true)
            })
            .collect()
    }

    #[test]
    fn the_one_pass_splitter_matches_the_reference() {
        // Every string of up to 4 symbols from an alphabet of separators, escapes and text,
        // then longer pseudo-random ones.
        const ALPHABET: [&str; 12] = ["a", "=", "&", "%", "+", "0", "2", "f", "\0", "é", "expiry", "!regenerate"];
        let mut inputs = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..4 {
            let next: Vec<String> =
                frontier.iter().flat_map(|s| ALPHABET.iter().map(move |c| format!("{s}{c}"))).collect();
            inputs.extend(next.iter().cloned());
            frontier = next;
        }
        inputs.extend(random_strings(0x9e37_79b9_7f4a_7c15, 40, &ALPHABET, ""));
        for input in &inputs {
            assert_eq!(pieces(input).collect::<Vec<_>>(), reference_pieces(input), "{input:?}");
        }
    }

    #[test]
    fn cve_2021_26690_shapes_decode_to_nothing() {
        for s in ["&=", "=", "&&", "", "==", "&=&=&", "%", "%00=%00"] {
            assert_eq!(pieces(s).count(), 0, "{s:?}");
        }
    }

    #[test]
    fn invalid_expiry_is_dropped() {
        for s in ["expiry=-1", "expiry=1e5", "expiry=99999999999999999999999", "expiry=+1"] {
            assert_eq!(pieces(s).count(), 0, "{s:?}");
        }
    }
}
