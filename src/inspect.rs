//! Inspecting a cookie: which format it is, what it holds (when keys are given), and what is
//! risky about it. For the browser inspector and for debugging; never used to serve requests.
//!
//! ```
//! use edge_session::inspect::{InspectOptions, inspect};
//! let i = inspect("session=user=alice", &InspectOptions::default());
//! assert_eq!(i.session.map(|s| s.to_string()).as_deref(), Some("user=alice"));
//! ```

use core::fmt;

use std::borrow::Cow;

#[cfg(feature = "apache")]
use crate::apache::ApacheKeys;
use crate::apache_wire;
use crate::chunks;
use crate::codec;
use crate::cookie_header;
use crate::device_bound::{BOUND_SUFFIX, bound_cookie_expiry, thumbprint_of_stored};
use crate::format::{ApacheCipher, Format};
use crate::keys::{self, KeyRing};
use crate::limits::MAX_COOKIE_BYTES;
use crate::sealed;
use crate::session::Session;
use crate::set_cookie::SetCookie;
use crate::status::Rejection;
use crate::text;

/// A cookie above this many bytes is near the 4096-byte limit.
const NEAR_LIMIT_BYTES: usize = 3584;

/// What to inspect with.
///
/// ```
/// let mut o = edge_session::inspect::InspectOptions::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// o.now = 1_800_000_000_000_000;
/// assert_eq!(o.cookie_name, None);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct InspectOptions {
    /// Keys or passphrases to try (sealed keys, or Apache's `SessionCryptoPassphrase`s).
    pub keys: Vec<String>,
    /// The cookie to pick from a `Cookie` header (default: `session`, else the first that looks
    /// like a session).
    pub cookie_name: Option<String>,
    /// Now, in µs since the epoch (for the expiry warning).
    pub now: u64,
}

impl fmt::Debug for InspectOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InspectOptions")
            .field("keys", &format_args!("[{} redacted]", self.keys.len()))
            .field("cookie_name", &self.cookie_name)
            .field("now", &self.now)
            .finish()
    }
}

/// Something worth knowing about an inspected cookie.
///
/// ```
/// assert_eq!(edge_session::inspect::Warning::Unencrypted.code(), "unencrypted");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The `Set-Cookie` line has no `HttpOnly`: scripts can read the cookie.
    MissingHttpOnly,
    /// The `Set-Cookie` line has no `Secure`: it can travel over plain HTTP.
    MissingSecure,
    /// The `Set-Cookie` line has no `SameSite`.
    MissingSameSite,
    /// `SameSite=None` without `Secure`: browsers drop the cookie.
    SameSiteNoneWithoutSecure,
    /// The cookie is near the 4096-byte limit.
    NearSizeLimit(usize),
    /// The cookie is over the 4096-byte limit: browsers drop it.
    OverSizeLimit(usize),
    /// The session's expiry has passed.
    Expired,
    /// The `plain` format: anyone can read and forge it.
    Unencrypted,
    /// A pair like `k=a=b`: Apache 2.4.x reads `a=b`, httpd trunk reads `a`.
    AmbiguousParse(String),
    /// A given key cannot be used for the sealed format.
    UnusableKey(usize),
    /// Why the contents cannot be read ([`Inspection::problem`]): encrypted, and no key was given.
    NeedsKey,
    /// Why the contents cannot be read: encrypted, and none of the keys opens it.
    CannotOpen(Rejection),
    /// Why the contents cannot be read: encrypted, and none of the given keys is usable for its
    /// format.
    NoUsableKey,
    /// Why the contents cannot be read: decoded or opened, but not a valid session string.
    Undecodable,
    /// Why the contents cannot be read: not a cookie format edge-session knows.
    UnknownFormat,
    /// Why nothing was read: the input is a `Cookie` header without the cookie asked for by name
    /// ([`InspectOptions::cookie_name`]); the names it holds.
    NoCookieNamed(String, Vec<String>),
    /// Why the contents cannot be read: a format this build leaves out (the crate's `apache`
    /// feature; in the npm package, the `edge-session/full` entry).
    FormatUnavailable(Format),
}

impl Warning {
    /// A stable short code.
    ///
    /// ```
    /// assert_eq!(edge_session::inspect::Warning::MissingHttpOnly.code(), "missing-httponly");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHttpOnly => "missing-httponly",
            Self::MissingSecure => "missing-secure",
            Self::MissingSameSite => "missing-samesite",
            Self::SameSiteNoneWithoutSecure => "samesite-none-without-secure",
            Self::NearSizeLimit(_) => "near-size-limit",
            Self::OverSizeLimit(_) => "over-size-limit",
            Self::Expired => "expired",
            Self::Unencrypted => "unencrypted",
            Self::AmbiguousParse(_) => "ambiguous-parse",
            Self::NeedsKey => "needs-key",
            Self::CannotOpen(_) => "cannot-open",
            Self::UnusableKey(_) => "unusable-key",
            Self::NoUsableKey => "no-usable-key",
            Self::Undecodable => "undecodable",
            Self::UnknownFormat => "unknown-format",
            Self::FormatUnavailable(_) => "format-unavailable",
            Self::NoCookieNamed(..) => "no-such-cookie",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHttpOnly => f.write_str("no HttpOnly: page scripts can read the session cookie"),
            Self::MissingSecure => f.write_str("no Secure: the cookie can be sent over plain HTTP"),
            Self::MissingSameSite => f.write_str("no SameSite: set Lax or Strict against cross-site requests"),
            Self::SameSiteNoneWithoutSecure => f.write_str("SameSite=None without Secure: browsers drop this cookie"),
            Self::NearSizeLimit(n) => write!(f, "{n} bytes: near the {MAX_COOKIE_BYTES}-byte cookie limit"),
            Self::OverSizeLimit(n) => write!(f, "{n} bytes: over the {MAX_COOKIE_BYTES}-byte limit, browsers drop it"),
            Self::Expired => f.write_str("the session has expired"),
            Self::Unencrypted => f.write_str("not encrypted: anyone can read and forge this session"),
            Self::AmbiguousParse(k) => write!(
                f,
                "the value of \"{k}\" holds an unescaped \"=\": Apache 2.4.x and httpd trunk read it differently"
            ),
            Self::NeedsKey => f.write_str("encrypted: give the key (or passphrase) to see the entries"),
            Self::CannotOpen(why) => write!(f, "cannot be opened with the given keys ({})", why.as_str()),
            Self::UnusableKey(i) => write!(f, "key #{i} is not a usable sealed key (too short or weak)"),
            Self::NoUsableKey => f.write_str("encrypted, and none of the given keys can be used for its format"),
            Self::Undecodable => f.write_str("its contents are not a valid session string"),
            Self::UnknownFormat => f.write_str("not a sealed, apache or plain session cookie"),
            Self::FormatUnavailable(format) => write!(f, "the {} format is not in this build", format.as_str()),
            Self::NoCookieNamed(name, seen) => {
                write!(f, "no cookie named {} in the header; it holds: {}", text::Quoted(name), seen.join(", "))
            }
        }
    }
}

/// How an inspected cookie's contents were read ([`Inspection::reading`]): with
/// [`Inspection::problem`], the status every face (CLI, inspector page, DevTools panel) shows,
/// decided here once.
///
/// ```
/// use edge_session::inspect::{inspect, InspectOptions, Reading};
/// let i = inspect("session=user=alice", &InspectOptions::default());
/// assert_eq!(i.reading, Some(Reading::Decoded));
/// assert_eq!(Reading::Decoded.code(), "decoded");
/// assert_eq!(Reading::Opened.to_string(), "opened: the cookie is authentic");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reading {
    /// Encrypted (`sealed` or `apache`) and opened with a given key: authentic.
    Opened,
    /// Not encrypted (`plain`): decoded, and anyone could have written it.
    Decoded,
}

impl Reading {
    /// A stable short code: `opened` or `decoded`.
    ///
    /// ```
    /// assert_eq!(edge_session::inspect::Reading::Opened.code(), "opened");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::Decoded => "decoded",
        }
    }
}

impl fmt::Display for Reading {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Opened => "opened: the cookie is authentic",
            Self::Decoded => "decoded (not encrypted)",
        })
    }
}

/// What a cookie is and holds.
///
/// ```
/// use edge_session::Format;
/// use edge_session::inspect::{inspect, InspectOptions};
/// let i = inspect("session=user=alice&expiry=5; Path=/", &InspectOptions::default());
/// assert_eq!(i.format, Some(Format::Plain));
/// assert!(i.ok);
/// assert_eq!(i.reading, Some(edge_session::inspect::Reading::Decoded));
/// assert_eq!(i.session.unwrap().get("user"), Some("alice"));
/// assert!(i.warnings.iter().any(|w| w.code() == "missing-httponly"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Inspection {
    /// The cookie's name, when the input had one.
    pub cookie_name: Option<String>,
    /// The detected format.
    pub format: Option<Format>,
    /// Whether the contents could be read.
    pub ok: bool,
    /// The session, when it could be read.
    pub session: Option<Session>,
    /// Size in bytes: the whole `Set-Cookie` line, or `name=value`.
    pub bytes: usize,
    /// Sealed: the public key id (hex). Apache: which passphrase (from 0) opened it.
    pub key_id: Option<String>,
    /// Apache: the cipher that opened it.
    pub cipher: Option<ApacheCipher>,
    /// How the contents were read (`Some` exactly when [`ok`](Self::ok)): the status a face shows
    /// for a readable cookie.
    pub reading: Option<Reading>,
    /// Why the contents could not be read (`None` exactly when [`ok`](Self::ok)): the one thing a
    /// face shows as the status, decided here so that every face (CLI, inspector page, DevTools
    /// panel) says the same. Not repeated in `warnings`.
    pub problem: Option<Warning>,
    /// What is worth knowing besides: the cookie's attributes, size, expiry and format, and keys
    /// that cannot be used.
    pub warnings: Vec<Warning>,
    /// A device-bound session (DBSC): the RFC 7638 thumbprint of the device key it is bound to.
    pub device_key: Option<String>,
    /// A device-bound session's bound cookie (`NAME_bound`, when the input is a Cookie header that
    /// holds it and a given key opens it): when it expires, µs since the epoch.
    pub bound_expires: Option<u64>,
}

/// The pieces of the input: the cookie's name and value, and its attributes if a `Set-Cookie`.
struct Parsed<'a> {
    /// The cookie asked for by name is not there: the names the header holds.
    missing: Option<Vec<String>>,
    name: Option<&'a str>,
    value: Cow<'a, str>,
    attributes: Option<Vec<(String, Option<String>)>>,
    bytes: usize,
}

const ATTRIBUTES: [&str; 10] =
    ["path", "domain", "expires", "max-age", "secure", "httponly", "samesite", "partitioned", "priority", "version"];

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| s.get(prefix.len()..)).flatten()
}

fn parse_input<'a>(input: &'a str, cookie_name: Option<&'a str>) -> Parsed<'a> {
    let mut s = input.trim();
    let mut set_cookie = false;
    if let Some(rest) = strip_prefix_ci(s, "set-cookie:") {
        s = rest.trim();
        set_cookie = true;
    } else if let Some(rest) = strip_prefix_ci(s, "cookie:") {
        s = rest.trim();
    }
    // A Set-Cookie line: said so, or everything after the first `;` is a cookie attribute.
    let line = SetCookie::parse(s);
    let tail_is_attributes = line.is_some_and(|l| {
        let mut attrs = l.attributes().peekable();
        attrs.peek().is_some() && attrs.all(|(n, _)| ATTRIBUTES.contains(&n.as_str()))
    });
    if set_cookie || tail_is_attributes {
        let attributes = line.map(|l| l.attributes().map(|(n, v)| (n, v.map(str::to_owned))).collect());
        let (name, value) = match line {
            Some(l) => (Some(l.name), l.value),
            None => (None, s.split(';').next().unwrap_or_default().trim()),
        };
        return Parsed {
            missing: None,
            name,
            value: value.into(),
            attributes: Some(attributes.unwrap_or_default()),
            bytes: s.len(),
        };
    }
    let pairs: Vec<(&str, &str)> = cookie_header::pairs(s).collect();
    if pairs.len() > 1 {
        // A Cookie header: the named cookie, else `session`, else the first that looks encrypted.
        let wanted = cookie_name.unwrap_or("session");
        if !pairs.iter().any(|(n, _)| *n == wanted) {
            // A chunked session (`NAME.0`, `NAME.1`, …): the whole token, reassembled.
            if let Some(Ok(token)) = chunks::reassemble(s, wanted, chunks::MAX_CHUNKS_LIMIT) {
                // Size checks apply per cookie: the largest chunk's `name=value`.
                let bytes = pairs
                    .iter()
                    .filter(|(n, _)| chunks::is_session_cookie(n, wanted))
                    .map(|(n, v)| n.len() + 1 + v.len())
                    .max()
                    .unwrap_or_default();
                return Parsed { missing: None, name: Some(wanted), value: token.into(), attributes: None, bytes };
            }
        }
        if cookie_name.is_some() && !pairs.iter().any(|(n, _)| *n == wanted) {
            let seen = pairs.iter().map(|(n, _)| (*n).to_owned()).collect();
            return Parsed { missing: Some(seen), name: None, value: "".into(), attributes: None, bytes: s.len() };
        }
        let pick = pairs
            .iter()
            .find(|(n, _)| *n == wanted)
            .or_else(|| pairs.iter().find(|(_, v)| matches!(detect(v), Some(Format::Sealed | Format::Apache))))
            .or_else(|| pairs.first());
        if let Some((n, v)) = pick {
            return Parsed {
                missing: None,
                name: Some(n),
                value: (*v).into(),
                attributes: None,
                bytes: n.len() + 1 + v.len(),
            };
        }
    }
    // One `name=value`, or a bare value (a plain session value has `=` in it too).
    if let Some((n, v)) = s.split_once('=') {
        let named = cookie_name.map_or(n == "session", |c| c == n);
        if named || matches!(detect(v), Some(Format::Sealed | Format::Apache)) {
            return Parsed { missing: None, name: Some(n), value: v.into(), attributes: None, bytes: s.len() };
        }
    }
    Parsed { missing: None, name: None, value: s.into(), attributes: None, bytes: s.len() }
}

/// Guesses the format of a cookie value without keys.
fn detect(value: &str) -> Option<Format> {
    let b64url = value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let b64std = value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
    if b64url
        && !value.is_empty()
        && let Some(raw) = sealed::decode_token(value)
        && raw.first() == Some(&sealed::VERSION)
        && raw.len() >= sealed::MIN_TOKEN_BYTES
    {
        return Some(Format::Sealed);
    }
    if b64std
        && !value.is_empty()
        && let Some(raw) = apache_wire::decode(value)
        && apache_wire::has_layout(&raw)
    {
        return Some(Format::Apache);
    }
    if value.contains('=') && codec::pieces(value).next().is_some() {
        return Some(Format::Plain);
    }
    None
}

/// Pairs whose raw value holds an `=` (read differently by httpd 2.4.x and trunk).
fn ambiguous_keys(session_string: &str) -> Vec<String> {
    session_string
        .split('&')
        .filter_map(|p| p.trim_start_matches('=').split_once('='))
        .filter(|(_, v)| v.contains('='))
        .filter_map(|(k, _)| codec::unescape(k))
        .collect()
}

/// Inspects a cookie value, a `Cookie` header or a whole `Set-Cookie` line.
///
/// ```
/// use edge_session::inspect::{inspect, InspectOptions};
/// let i = inspect("session=AQID", &InspectOptions::default());
/// assert!(!i.ok);
/// ```
pub fn inspect(input: &str, options: &InspectOptions) -> Inspection {
    let parsed = parse_input(input, options.cookie_name.as_deref());
    let mut warnings = Vec::new();
    if let Some(attrs) = &parsed.attributes {
        let has = |n: &str| attrs.iter().any(|(a, _)| a == n);
        let secure = has("secure");
        if !has("httponly") {
            warnings.push(Warning::MissingHttpOnly);
        }
        if !secure {
            warnings.push(Warning::MissingSecure);
        }
        match attrs.iter().find(|(a, _)| a == "samesite").and_then(|(_, v)| v.as_deref()) {
            None => warnings.push(Warning::MissingSameSite),
            Some(v) if v.eq_ignore_ascii_case("none") && !secure => warnings.push(Warning::SameSiteNoneWithoutSecure),
            Some(_) => {}
        }
    }
    if parsed.bytes > MAX_COOKIE_BYTES {
        warnings.push(Warning::OverSizeLimit(parsed.bytes));
    } else if parsed.bytes > NEAR_LIMIT_BYTES {
        warnings.push(Warning::NearSizeLimit(parsed.bytes));
    }
    // A cookie asked for by name that the header lacks: nothing to read, and the problem says so.
    let missing = parsed.missing.clone().zip(options.cookie_name.clone());
    let cookie_name = parsed.name.map(str::to_owned);
    let name = parsed.name.unwrap_or("session");
    let mut out = Inspection {
        cookie_name,
        format: if missing.is_some() { None } else { detect(&parsed.value) },
        ok: false,
        session: None,
        bytes: parsed.bytes,
        key_id: None,
        cipher: None,
        reading: None,
        problem: None,
        warnings: Vec::new(),
        device_key: None,
        bound_expires: None,
    };
    if let Some((seen, wanted)) = missing {
        out.problem = Some(Warning::NoCookieNamed(wanted, seen));
        return out;
    }
    let mut session_string = None;
    match out.format {
        Some(Format::Plain) => {
            warnings.push(Warning::Unencrypted);
            out.session = Session::decode(&parsed.value).ok();
            session_string = Some(parsed.value.to_string());
        }
        Some(Format::Sealed) => {
            let ring = open_sealed(&mut out, &mut warnings, name, &parsed.value, &options.keys);
            out.device_key = out.session.as_ref().and_then(|s| s.device_key()).and_then(thumbprint_of_stored);
            if let (Some(ring), Some(_)) = (ring, &out.device_key) {
                let header = strip_prefix_ci(input.trim(), "cookie:").unwrap_or(input);
                out.bound_expires = cookie_header::find_cookie(header, &format!("{name}{BOUND_SUFFIX}"))
                    .and_then(|token| bound_cookie_expiry(&ring, name, token));
            }
        }
        Some(Format::Apache) => session_string = open_apache(&mut out, &parsed.value, &options.keys),
        _ => out.problem = Some(Warning::UnknownFormat),
    }
    out.ok = out.session.is_some();
    if out.ok {
        out.reading = Some(if out.format == Some(Format::Plain) { Reading::Decoded } else { Reading::Opened });
    } else if out.problem.is_none() {
        out.problem = Some(Warning::Undecodable);
    }
    if let Some(s) = session_string {
        warnings.extend(ambiguous_keys(&s).into_iter().map(Warning::AmbiguousParse));
    }
    if out.session.as_ref().and_then(Session::expiry).is_some_and(|e| e <= options.now) {
        warnings.push(Warning::Expired);
    }
    out.warnings = warnings;
    out
}

/// Opens a sealed cookie into `out`; the key ring that opened it.
fn open_sealed(
    out: &mut Inspection,
    warnings: &mut Vec<Warning>,
    name: &str,
    value: &str,
    keys: &[String],
) -> Option<KeyRing> {
    out.key_id = sealed::Unsealed::key_id_of(value).map(|id| text::hex(&id));
    if keys.is_empty() {
        out.problem = Some(Warning::NeedsKey);
        return None;
    }
    let mut usable = Vec::new();
    for (i, k) in keys.iter().enumerate() {
        if keys::material(k).is_ok() {
            if !usable.contains(k) {
                usable.push(k.clone());
            }
        } else if ApacheCipher::parse(k).is_none() {
            warnings.push(Warning::UnusableKey(i));
        }
    }
    let Ok(Some(ring)) = KeyRing::new(&usable) else {
        out.problem = Some(Warning::NoUsableKey);
        return None;
    };
    match sealed::open(&ring, name, value).and_then(sealed::Unsealed::into_session) {
        Ok(s) => {
            out.session = Some(s);
            Some(ring)
        }
        Err(why) => {
            out.problem = Some(Warning::CannotOpen(why));
            None
        }
    }
}

#[cfg(feature = "apache")]
fn open_apache(out: &mut Inspection, value: &str, keys: &[String]) -> Option<String> {
    if keys.is_empty() {
        out.problem = Some(Warning::NeedsKey);
        return None;
    }
    let mut last = Rejection::Tampered;
    for cipher in [ApacheCipher::Aes256, ApacheCipher::Aes128, ApacheCipher::Aes192] {
        let Some(k) = ApacheKeys::new(cipher, keys) else {
            out.problem = Some(Warning::NoUsableKey);
            return None;
        };
        match k.open(value) {
            Ok(o) => {
                out.session = Session::decode(&o.plaintext).ok();
                out.cipher = Some(cipher);
                out.key_id = Some(format!("passphrase #{}", o.passphrase));
                return Some(o.plaintext.to_string());
            }
            // A bad MAC fails the same for every cipher: stop there.
            Err(Rejection::Tampered) => {
                last = Rejection::Tampered;
                break;
            }
            Err(why) => last = why,
        }
    }
    out.problem = Some(Warning::CannotOpen(last));
    None
}

/// Without the `apache` feature the format is recognised but not opened.
#[cfg(not(feature = "apache"))]
fn open_apache(out: &mut Inspection, _value: &str, _keys: &[String]) -> Option<String> {
    out.problem = Some(Warning::FormatUnavailable(Format::Apache));
    None
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::{Options, SessionManager};

    const NOW: u64 = 1_795_000_000_000_000;

    fn opts(keys: &[&str]) -> InspectOptions {
        InspectOptions { keys: keys.iter().map(|k| k.to_string()).collect(), cookie_name: None, now: NOW }
    }

    fn sealed_cookie(key: &str) -> String {
        let mut o = Options::default();
        o.keys = vec![key.to_owned()];
        o.max_age = 60;
        let m = SessionManager::new(o).unwrap();
        let mut s = m.load(None, NOW);
        s.insert("user", "alice").unwrap();
        m.save(&mut s, NOW).unwrap().unwrap()
    }

    #[test]
    fn chunked_sessions_are_reassembled() {
        let key = crate::generate_key().unwrap();
        let mut o = Options::default();
        o.keys = vec![key.clone()];
        let m = SessionManager::new(o).unwrap();
        let mut s = m.load(None, NOW);
        s.insert("notes", &"n".repeat(6000)).unwrap();
        let lines = m.save_all(&mut s, NOW).unwrap();
        let header: Vec<&str> = lines.iter().map(|l| l.split(';').next().unwrap()).collect();
        let i = inspect(&format!("theme=dark; {}", header.join("; ")), &opts(&[&key]));
        assert!(i.ok, "{:?}", i.warnings);
        assert_eq!((i.format, i.cookie_name.as_deref()), (Some(Format::Sealed), Some("session")));
        assert_eq!(i.session.as_ref().and_then(|s| s.get("notes")).map(str::len), Some(6000));
        // The size checks are per cookie: every chunk is within the limit.
        assert!(i.bytes <= MAX_COOKIE_BYTES && i.bytes > MAX_COOKIE_BYTES / 2, "{}", i.bytes);
        assert!(!i.warnings.iter().any(|w| matches!(w, Warning::OverSizeLimit(_))));
    }

    #[test]
    fn sealed_with_and_without_key() {
        let key = crate::generate_key().unwrap();
        let line = sealed_cookie(&key);
        let i = inspect(&line, &opts(&[&key]));
        assert_eq!((i.format, i.ok), (Some(Format::Sealed), true));
        assert_eq!(i.session.as_ref().unwrap().get("user"), Some("alice"));
        assert_eq!(i.session.as_ref().unwrap().issued(), Some(NOW));
        assert_eq!(i.key_id.as_ref().map(String::len), Some(8));
        assert!(i.warnings.is_empty(), "{:?}", i.warnings);
        let i = inspect(&line, &opts(&[]));
        assert!(!i.ok && i.problem == Some(Warning::NeedsKey));
        let other = crate::generate_key().unwrap();
        let i = inspect(&line, &opts(&[&other]));
        assert_eq!(i.problem, Some(Warning::CannotOpen(Rejection::UnknownKey)));
    }

    /// Every face shows `reading` or `problem` as the status: exactly one is there (`problem`
    /// exactly when the contents could not be read), the problem never repeated among the
    /// warnings, and advice stays advice.
    #[test]
    fn the_problem_is_set_exactly_when_unread() {
        let key = crate::generate_key().unwrap();
        let line = sealed_cookie(&key);
        let too_many: String = (0..=crate::limits::MAX_ENTRIES).map(|n| format!("k{n}=v&")).collect();
        let too_many = format!("session={too_many}");
        let cases: [(&str, &[&str], Result<Reading, Warning>); 7] = [
            (&line, &[&key], Ok(Reading::Opened)),
            (&line, &[], Err(Warning::NeedsKey)),
            (&line, &["short"], Err(Warning::NoUsableKey)),
            (&too_many, &[], Err(Warning::Undecodable)),
            ("session=AQID", &[], Err(Warning::UnknownFormat)),
            ("session=user=alice", &[], Ok(Reading::Decoded)),
            // An unusable key beside the one that opens it: advice, not the status.
            (&line, &["short", &key], Ok(Reading::Opened)),
        ];
        for (input, keys, status) in cases {
            let i = inspect(input, &opts(keys));
            let problem = status.clone().err();
            assert_eq!(i.reading, status.ok(), "{input} with {keys:?}");
            assert_eq!(i.problem, problem, "{input} with {keys:?}");
            assert_eq!(i.ok, problem.is_none(), "{input}");
            for w in &i.warnings {
                assert!(
                    !matches!(
                        w,
                        Warning::NeedsKey
                            | Warning::CannotOpen(_)
                            | Warning::NoUsableKey
                            | Warning::Undecodable
                            | Warning::UnknownFormat
                    ),
                    "{input}: {w:?} among the warnings"
                );
            }
        }
        let i = inspect(&line, &opts(&["short", &key]));
        assert_eq!(i.warnings, [Warning::UnusableKey(0)]);
    }

    #[test]
    fn tampered_sealed_cookie_cannot_be_opened() {
        let key = crate::generate_key().unwrap();
        let line = sealed_cookie(&key);
        let value = line.split(';').next().unwrap().split_once('=').unwrap().1;
        let mut chars: Vec<char> = value.chars().collect();
        let last = chars.len() - 3;
        chars[last] = if chars[last] == 'A' { 'B' } else { 'A' };
        let bad: String = chars.into_iter().collect();
        let i = inspect(&bad, &opts(&[&key]));
        assert_eq!(i.format, Some(Format::Sealed));
        assert!(!i.ok && i.problem == Some(Warning::CannotOpen(Rejection::Tampered)));
    }

    #[test]
    fn set_cookie_attribute_warnings() {
        let i = inspect("Set-Cookie: s=user=a; Path=/; SameSite=None", &opts(&[]));
        let codes: Vec<&str> = i.warnings.iter().map(Warning::code).collect();
        assert!(codes.contains(&"missing-httponly") && codes.contains(&"missing-secure"));
        assert!(codes.contains(&"samesite-none-without-secure") && codes.contains(&"unencrypted"));
        assert_eq!(i.cookie_name.as_deref(), Some("s"));
    }

    #[test]
    fn apache_vectors_open_and_report_cipher() {
        let file: serde_json::Value =
            serde_json::from_str(include_str!("../tests/vectors/apache-2.4.71.json")).unwrap();
        for v in file["vectors"].as_array().unwrap() {
            let pass: Vec<&str> =
                v["SessionCryptoPassphrase"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
            let i = inspect(v["set_cookie"].as_str().unwrap(), &opts(&pass));
            if pass.is_empty() {
                assert!(i.ok, "{}: {:?}", v["name"], i.warnings);
                assert_eq!(i.format, Some(Format::Plain));
                assert_eq!(i.reading, Some(Reading::Decoded));
            } else if cfg!(not(feature = "apache")) {
                // Recognised, not opened, and the problem says why.
                assert_eq!(i.format, Some(Format::Apache), "{}", v["name"]);
                assert_eq!(i.problem, Some(Warning::FormatUnavailable(Format::Apache)));
                assert_eq!(i.problem.as_ref().map(Warning::code), Some("format-unavailable"));
            } else {
                assert!(i.ok, "{}: {:?}", v["name"], i.warnings);
                assert_eq!(i.format, Some(Format::Apache), "{}", v["name"]);
                assert_eq!(i.reading, Some(Reading::Opened));
                assert_eq!(i.cipher, ApacheCipher::parse(v["SessionCryptoCipher"].as_str().unwrap()), "{}", v["name"]);
                assert_eq!(i.key_id.as_deref(), Some("passphrase #0"));
            }
        }
    }

    #[test]
    fn ambiguous_parse_and_size() {
        let i = inspect("session=k=a=b&x=1", &opts(&[]));
        assert!(i.warnings.contains(&Warning::AmbiguousParse("k".into())));
        let big = format!("session=k={}", "v".repeat(4000));
        assert!(inspect(&big, &opts(&[])).warnings.iter().any(|w| w.code() == "near-size-limit"));
        let huge = format!("session=k={}", "v".repeat(5000));
        assert!(inspect(&huge, &opts(&[])).warnings.iter().any(|w| w.code() == "over-size-limit"));
    }

    #[test]
    fn picks_the_session_from_a_cookie_header_and_flags_expiry() {
        let i = inspect("Cookie: theme=dark; session=user=bob&expiry=5; x=1", &opts(&[]));
        assert_eq!(i.cookie_name.as_deref(), Some("session"));
        assert!(i.warnings.contains(&Warning::Expired));
        assert!(!inspect("hello", &opts(&[])).ok);
        assert_eq!(inspect("", &opts(&[])).problem, Some(Warning::UnknownFormat));
    }

    #[test]
    fn a_cookie_asked_for_by_name_that_is_not_there_is_said_so() {
        let mut o = opts(&[]);
        o.cookie_name = Some("sid".into());
        let i = inspect("session=AQID; theme=dark", &o);
        assert_eq!(i.problem, Some(Warning::NoCookieNamed("sid".into(), vec!["session".into(), "theme".into()])));
        assert!(!i.ok && i.format.is_none() && i.cookie_name.is_none());
        assert_eq!(i.problem.as_ref().map(Warning::code), Some("no-such-cookie"));
        assert!(i.problem.unwrap().to_string().contains("session, theme"));
        // Without a name asked for, the header's session cookie is still found.
        assert_eq!(inspect("session=AQID; theme=dark", &opts(&[])).cookie_name.as_deref(), Some("session"));
    }
}
