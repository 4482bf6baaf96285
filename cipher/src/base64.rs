//! Base64 (RFC 4648): the standard alphabet (§4) and the URL-safe one (§5), strict on read.
//!
//! ```text
//! encode  : each 3 bytes -> 4 symbols; a last 1 or 2 bytes -> 2 or 3 symbols, then "==" / "="
//!           when padding is written
//! decode  : symbols of the one alphabet only; "=" only at the end of the last quad, after at
//!           least 2 symbols, at most 2 of them; a lone last symbol (length 1 mod 4) is invalid;
//!           the bits a last symbol carries beyond the last byte must be zero (one encoding per
//!           byte string, as an AEAD tag or a cache key wants)
//! padding : Canonical  the last quad complete ("xx==", "xxx=")       sealed keys, Apache
//!           None       no "=" at all                                 tokens, signatures
//!           Optional   either, or a partial "xx=" (what Apache's apr_base64_decode takes)
//! ```
//!
//! These are the rules of the `base64` crate's strict engines (trailing bits refused; padding
//! `RequireCanonical`, `RequireNone`, `Indifferent`), which this module replaced (5 KB of wasm
//! for four fixed configurations); a test holds the two to the same answers. It lives in this
//! crate, compiled for speed, because a sealed token is encoded on every write and decoded on
//! every open: at the core's opt-level "z" it made a 10-key write in workerd 5-16 % slower.
//!
//! ```
//! use edge_session_cipher::base64::{decode, encode, Alphabet, Padding};
//! let token = encode(b"\xfb\xffhi", Alphabet::UrlSafe, false);
//! assert_eq!(token, "-_9oaQ");
//! assert_eq!(decode(&token, Alphabet::UrlSafe, Padding::None).as_deref(), Some(&b"\xfb\xffhi"[..]));
//! assert_eq!(decode("-_9oaQ==", Alphabet::UrlSafe, Padding::None), None);
//! ```

use alloc::string::String;
use alloc::vec::Vec;

/// The 64 symbols of an alphabet, in value order.
///
/// ```
/// use edge_session_cipher::base64::{encode, Alphabet};
/// assert_eq!(encode(&[0xff], Alphabet::Standard, false), "/w");
/// assert_eq!(encode(&[0xff], Alphabet::UrlSafe, false), "_w");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alphabet {
    /// `A-Z a-z 0-9 + /`
    Standard,
    /// `A-Z a-z 0-9 - _`
    UrlSafe,
}

/// What a decoder accepts of `=` padding.
///
/// ```
/// use edge_session_cipher::base64::{decode, Alphabet, Padding};
/// assert!(decode("Zg==", Alphabet::Standard, Padding::Canonical).is_some());
/// assert!(decode("Zg", Alphabet::Standard, Padding::Canonical).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// Required: the input is whole quads.
    Canonical,
    /// Refused.
    None,
    /// Accepted, complete or partial, or absent.
    Optional,
}

const STANDARD_SYMBOLS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE_SYMBOLS: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const PAD: u8 = b'=';
/// Not a symbol (its top bits set, which no 6-bit value has).
const INVALID: u8 = 0xff;

/// The value of each byte as a symbol of `symbols`, [`INVALID`] for the rest. Evaluated at compile
/// time: an index out of bounds here would be a build error, not a panic.
#[allow(clippy::indexing_slicing)]
const fn values(symbols: &[u8; 64]) -> [u8; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 64 {
        table[symbols[i] as usize] = i as u8;
        i += 1;
    }
    table
}
static STANDARD_VALUES: [u8; 256] = values(STANDARD_SYMBOLS);
static URL_SAFE_VALUES: [u8; 256] = values(URL_SAFE_SYMBOLS);

impl Alphabet {
    fn symbols(self) -> &'static [u8; 64] {
        match self {
            Self::Standard => STANDARD_SYMBOLS,
            Self::UrlSafe => URL_SAFE_SYMBOLS,
        }
    }

    fn values(self) -> &'static [u8; 256] {
        match self {
            Self::Standard => &STANDARD_VALUES,
            Self::UrlSafe => &URL_SAFE_VALUES,
        }
    }
}

/// `bytes` in base64, `=`-padded to whole quads when `pad`.
///
/// ```
/// use edge_session_cipher::base64::{encode, Alphabet};
/// assert_eq!(encode(b"fo", Alphabet::Standard, true), "Zm8=");
/// ```
pub fn encode(bytes: &[u8], alphabet: Alphabet, pad: bool) -> String {
    let symbols = alphabet.symbols();
    let symbol = |group: u32, shift: u32| symbols.get(((group >> shift) & 63) as usize).copied().unwrap_or(PAD);
    let triples = bytes.chunks_exact(3);
    let rest = triples.remainder();
    // Whole quads are written in place (no capacity check per quad), the last one pushed.
    let last = match (rest.len(), pad) {
        (0, _) => 0,
        (_, true) => 4,
        (n, false) => n + 1,
    };
    let mut out = Vec::with_capacity(bytes.len() / 3 * 4 + last);
    out.resize(bytes.len() / 3 * 4, 0);
    for (triple, quad) in triples.zip(out.chunks_exact_mut(4)) {
        if let ([a, b, c], [w, x, y, z]) = (triple, quad) {
            let group = (u32::from(*a) << 16) | (u32::from(*b) << 8) | u32::from(*c);
            (*w, *x, *y, *z) = (symbol(group, 18), symbol(group, 12), symbol(group, 6), symbol(group, 0));
        }
    }
    match *rest {
        [a] => {
            let group = u32::from(a) << 16;
            out.extend_from_slice(&[symbol(group, 18), symbol(group, 12)]);
            if pad {
                out.extend_from_slice(&[PAD, PAD]);
            }
        }
        [a, b] => {
            let group = (u32::from(a) << 16) | (u32::from(b) << 8);
            out.extend_from_slice(&[symbol(group, 18), symbol(group, 12), symbol(group, 6)]);
            if pad {
                out.push(PAD);
            }
        }
        _ => {}
    }
    // Every byte is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// The bytes `text` encodes, or `None` when it breaks a rule of the module's layout.
///
/// ```
/// use edge_session_cipher::base64::{decode, Alphabet, Padding};
/// assert_eq!(decode("Zm8", Alphabet::Standard, Padding::Optional).as_deref(), Some(&b"fo"[..]));
/// assert_eq!(decode("Zm9", Alphabet::Standard, Padding::Optional), None); // bits past the last byte
/// ```
pub fn decode(text: &str, alphabet: Alphabet, padding: Padding) -> Option<Vec<u8>> {
    let input = text.as_bytes();
    let values = alphabet.values();
    let value = |b: u8| values.get(usize::from(b)).copied().unwrap_or(INVALID);
    // The last quad (or the 1 to 3 symbols after the last whole one) is checked on its own.
    let tail_len = match input.len() % 4 {
        0 => input.len().min(4),
        r => r,
    };
    let (body, tail) = input.split_at(input.len() - tail_len);
    // Whole quads are read into place (no capacity check per triple), the last one pushed.
    let mut out = Vec::with_capacity(body.len() / 4 * 3 + 3);
    out.resize(body.len() / 4 * 3, 0);
    for (quad, triple) in body.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        if let ([a, b, c, d], [x, y, z]) = (quad, triple) {
            let (a, b, c, d) = (value(*a), value(*b), value(*c), value(*d));
            if (a | b | c | d) & 0xc0 != 0 {
                return None;
            }
            let group = (u32::from(a) << 18) | (u32::from(b) << 12) | (u32::from(c) << 6) | u32::from(d);
            (*x, *y, *z) = ((group >> 16) as u8, (group >> 8) as u8, group as u8);
        }
    }
    let pads = tail.iter().rev().take_while(|&&b| b == PAD).count();
    let symbols = tail.get(..tail.len() - pads)?;
    // A "=" before the last two places, or a lone symbol, encodes nothing whole.
    if !tail.is_empty() && (symbols.len() < 2 || pads > 2) {
        return None;
    }
    let padding_ok = match padding {
        Padding::Canonical => (symbols.len() + pads) % 4 == 0,
        Padding::None => pads == 0,
        Padding::Optional => true,
    };
    if !padding_ok {
        return None;
    }
    let mut group = 0u32;
    for &b in symbols {
        let v = value(b);
        if v == INVALID {
            return None;
        }
        group = (group << 6) | u32::from(v);
    }
    let bits = 6 * symbols.len();
    let whole = bits / 8;
    let spare = bits - 8 * whole;
    // The bits past the last whole byte must be zero.
    if group & ((1u32 << spare) - 1) != 0 {
        return None;
    }
    for i in (0..whole).rev() {
        out.push((group >> (spare + 8 * i)) as u8);
    }
    Some(out)
}

/// [`decode`] into `out`, which must have room for every byte: how many were written. (Keys pass
/// through here: the intermediate copy is wiped.)
///
/// ```
/// use edge_session_cipher::base64::{decode_into, Alphabet, Padding};
/// let mut tag = [0u8; 2];
/// assert_eq!(decode_into("Zm8", Alphabet::UrlSafe, Padding::None, &mut tag), Some(2));
/// assert_eq!(decode_into("Zm9v", Alphabet::UrlSafe, Padding::None, &mut tag), None); // no room
/// ```
pub fn decode_into(text: &str, alphabet: Alphabet, padding: Padding, out: &mut [u8]) -> Option<usize> {
    let bytes = zeroize::Zeroizing::new(decode(text, alphabet, padding)?);
    out.get_mut(..bytes.len())?.copy_from_slice(&bytes);
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use ::base64::Engine as _;
    use ::base64::engine::DecodePaddingMode;
    use ::base64::engine::general_purpose::{
        GeneralPurpose, GeneralPurposeConfig, STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD,
    };
    use alloc::format;
    use alloc::vec;

    #[test]
    fn rfc_4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes(), Alphabet::Standard, true), enc);
            assert_eq!(encode(plain.as_bytes(), Alphabet::Standard, false), enc.trim_end_matches('='));
            assert_eq!(decode(enc, Alphabet::Standard, Padding::Canonical).as_deref(), Some(plain.as_bytes()));
            assert_eq!(
                decode(enc.trim_end_matches('='), Alphabet::UrlSafe, Padding::None).as_deref(),
                Some(plain.as_bytes())
            );
        }
        assert_eq!(encode(&[0xfb, 0xff], Alphabet::Standard, true), "+/8=");
        assert_eq!(encode(&[0xfb, 0xff], Alphabet::UrlSafe, false), "-_8");
    }

    #[test]
    fn strict_reading() {
        let d = |s: &str, p| decode(s, Alphabet::Standard, p);
        assert_eq!(d("Zg", Padding::Canonical), None, "padding required");
        assert_eq!(d("Zg==", Padding::None), None, "padding refused");
        assert_eq!(d("Zg=", Padding::Optional).as_deref(), Some(&b"f"[..]), "partial padding, as Apache reads it");
        assert_eq!(d("Zg=", Padding::Canonical), None);
        assert_eq!(d("Zh==", Padding::Canonical), None, "bits past the last byte");
        assert_eq!(d("Zm9=", Padding::Canonical), None);
        for bad in ["Z", "Zm9vY", "Z===", "=", "Zg==Zg==", "Zm=v", "Zm9v\n", "Zm 9v", "Zm-v", "Zg==="] {
            assert_eq!(d(bad, Padding::Optional), None, "{bad:?}");
        }
        assert_eq!(decode("Zm_v", Alphabet::Standard, Padding::None), None, "URL-safe symbol in the standard alphabet");
        let mut small = [0u8; 2];
        assert_eq!(decode_into("Zm9v", Alphabet::UrlSafe, Padding::None, &mut small), None, "no room");
        let mut room = [0u8; 4];
        assert_eq!(decode_into("Zm9v", Alphabet::UrlSafe, Padding::None, &mut room), Some(3));
        assert_eq!(&room[..3], b"foo");
    }

    /// The same answers as the `base64` crate's engines that this module replaced, on every
    /// short string over a small alphabet of interesting symbols and on every length of bytes.
    #[test]
    fn same_answers_as_the_base64_crate() {
        let indifferent = GeneralPurpose::new(
            &::base64::alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
        );
        let engines: [(&GeneralPurpose, Alphabet, Padding); 4] = [
            (&STANDARD, Alphabet::Standard, Padding::Canonical),
            (&STANDARD_NO_PAD, Alphabet::Standard, Padding::None),
            (&URL_SAFE_NO_PAD, Alphabet::UrlSafe, Padding::None),
            (&indifferent, Alphabet::Standard, Padding::Optional),
        ];
        let symbols = b"AQgw/+_-=z9!";
        let mut inputs = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last.iter().flat_map(|s| symbols.iter().map(move |&c| format!("{s}{}", char::from(c)))).collect();
            inputs.extend(last.iter().cloned());
        }
        for (engine, alphabet, padding) in engines {
            for s in &inputs {
                assert_eq!(decode(s, alphabet, padding), engine.decode(s).ok(), "{s:?} {alphabet:?} {padding:?}");
            }
            for n in 0..70u8 {
                let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37).wrapping_add(n)).collect();
                let pad = padding != Padding::None;
                assert_eq!(encode(&bytes, alphabet, pad), engine.encode(&bytes));
                assert_eq!(decode(&engine.encode(&bytes), alphabet, padding), Some(bytes));
            }
        }
    }
}
