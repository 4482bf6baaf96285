//! Reading the session cookie from a `Cookie` header and writing `Set-Cookie` values.
//!
//! ```text
//! Cookie     : split on ";" and ","; names starting with "$" skipped (RFC 2965 attributes);
//!              the session cookie sent twice with different values gives no session.
//! Set-Cookie : NAME=VALUE[; Max-Age=N]; ATTRIBUTES          (removal: NAME=; Max-Age=0; ATTRIBUTES)
//! ```

use core::fmt;

/// Largest `Set-Cookie` value written: name + value + attributes (browsers keep 4096 bytes).
pub const MAX_COOKIE_BYTES: usize = 4096;
/// Longest `Cookie` header scanned; past it the session is read as absent-and-rejected.
pub const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;

/// The default cookie attributes.
pub const DEFAULT_ATTRIBUTES: &str = "Path=/; HttpOnly; Secure; SameSite=Lax";

/// A cookie name or attribute that cannot be used.
///
/// ```
/// use edge_session::{CookieError, Options, SessionManager, ConfigError};
/// let mut o = Options::default();
/// o.cookie_name = "__Host-s".into();
/// o.cookie_attributes = "Path=/app; Secure".into();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// assert!(matches!(SessionManager::new(o), Err(ConfigError::Cookie(CookieError::PrefixRule { .. }))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CookieError {
    /// The name is empty or has characters outside an RFC 6265 token.
    InvalidName(String),
    /// An attribute is unknown, malformed, or carries characters that could inject others.
    InvalidAttribute(String),
    /// `Max-Age` / `Expires` are written from the session's expiry: set `max_age` instead.
    ManagedAttribute(String),
    /// A `__Host-` / `__Secure-` name without the attributes its prefix requires.
    PrefixRule {
        /// The prefix.
        prefix: &'static str,
        /// What it needs.
        needs: &'static str,
    },
    /// `SameSite=None` without `Secure` (browsers drop such cookies).
    SameSiteNoneWithoutSecure,
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidName(n) => {
                write!(f, "invalid cookie name {}: use letters, digits and !#$%&'*+-.^_`|~", Quoted(n))
            }
            Self::InvalidAttribute(a) => write!(f, "invalid cookie attribute {}", Quoted(a)),
            Self::ManagedAttribute(a) => {
                write!(f, "cookie attribute {} is set from the session expiry: use maxAge instead", Quoted(a))
            }
            Self::PrefixRule { prefix, needs } => write!(f, "a {prefix} cookie needs {needs}"),
            Self::SameSiteNoneWithoutSecure => f.write_str("SameSite=None needs Secure"),
        }
    }
}

impl std::error::Error for CookieError {}

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

/// A non-empty RFC 7230 token: what cookie names and header names are made of.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Checks a cookie name (RFC 6265 token).
pub(crate) fn validate_name(name: &str) -> Result<(), CookieError> {
    if name.len() > 256 || !is_token(name) {
        return Err(CookieError::InvalidName(name.to_owned()));
    }
    Ok(())
}

/// An attribute value may not carry controls, `;` or `,` (CVE-2024-47764: attribute injection).
fn safe_value(v: &str) -> bool {
    !v.is_empty() && v.bytes().all(|b| (0x21..0x7f).contains(&b) && b != b';' && b != b',')
}

/// Validated, canonicalised cookie attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attributes {
    rendered: String,
}

impl Attributes {
    /// Parses `Path=/; HttpOnly; …` and checks it against the cookie name's prefix rules.
    pub(crate) fn parse(input: &str, cookie_name: &str) -> Result<Self, CookieError> {
        let (mut secure, mut path_root, mut domain, mut same_site_none) = (false, false, false, false);
        let mut parts: Vec<String> = Vec::new();
        for raw in input.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = match raw.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (raw, None),
            };
            let bad = || CookieError::InvalidAttribute(raw.to_owned());
            let canonical = match (name.to_ascii_lowercase().as_str(), value) {
                ("secure", None) => {
                    secure = true;
                    "Secure".to_owned()
                }
                ("httponly", None) => "HttpOnly".to_owned(),
                ("partitioned", None) => "Partitioned".to_owned(),
                ("path", Some(v)) if v.starts_with('/') && safe_value(v) => {
                    path_root = v == "/";
                    format!("Path={v}")
                }
                ("domain", Some(v))
                    if safe_value(v) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-') =>
                {
                    domain = true;
                    format!("Domain={v}")
                }
                ("samesite", Some(v)) => match v.to_ascii_lowercase().as_str() {
                    "strict" => "SameSite=Strict".to_owned(),
                    "lax" => "SameSite=Lax".to_owned(),
                    "none" => {
                        same_site_none = true;
                        "SameSite=None".to_owned()
                    }
                    _ => return Err(bad()),
                },
                ("priority", Some(v)) => match v.to_ascii_lowercase().as_str() {
                    "low" => "Priority=Low".to_owned(),
                    "medium" => "Priority=Medium".to_owned(),
                    "high" => "Priority=High".to_owned(),
                    _ => return Err(bad()),
                },
                ("max-age" | "expires", _) => return Err(CookieError::ManagedAttribute(raw.to_owned())),
                _ => return Err(bad()),
            };
            parts.push(canonical);
        }
        if same_site_none && !secure {
            return Err(CookieError::SameSiteNoneWithoutSecure);
        }
        let lower = cookie_name.to_ascii_lowercase();
        if lower.starts_with("__secure-") && !secure {
            return Err(CookieError::PrefixRule { prefix: "__Secure-", needs: "Secure" });
        }
        if lower.starts_with("__host-") && !(secure && path_root && !domain) {
            return Err(CookieError::PrefixRule { prefix: "__Host-", needs: "Secure, Path=/ and no Domain" });
        }
        Ok(Self { rendered: parts.join("; ") })
    }

    /// `NAME=VALUE[; Max-Age=N][; attributes]`, refused past [`MAX_COOKIE_BYTES`].
    pub(crate) fn set_cookie(&self, name: &str, value: &str, max_age: Option<u64>) -> Result<String, usize> {
        let mut out = String::with_capacity(name.len() + value.len() + self.rendered.len() + 24);
        out.push_str(name);
        out.push('=');
        out.push_str(value);
        if let Some(secs) = max_age {
            out.push_str("; Max-Age=");
            out.push_str(&secs.to_string());
        }
        if !self.rendered.is_empty() {
            out.push_str("; ");
            out.push_str(&self.rendered);
        }
        if out.len() > MAX_COOKIE_BYTES {
            return Err(out.len());
        }
        Ok(out)
    }
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

/// Finds cookie `name` in a `Cookie` header, the way mod_session_cookie reads it.
pub(crate) fn find<'a>(header: &'a str, name: &str) -> Found<'a> {
    if header.len() > MAX_COOKIE_HEADER_BYTES {
        return Found::HeaderTooLarge;
    }
    let mut found: Option<&str> = None;
    for (n, v) in pairs(header) {
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

/// The `(name, value)` pairs of a `Cookie` header, as mod_session_cookie reads them: split on
/// `;` and `,`, blanks trimmed, `$` attributes and pieces without `=` skipped. Callers bound the
/// header's length first.
pub(crate) fn pairs(header: &str) -> impl Iterator<Item = (&str, &str)> {
    // Byte-wise split: both separators are ASCII, so every piece is still a `str` (the char-wise
    // `split([';', ','])` decoded each character and was a tenth of a round trip in wasm).
    header.as_bytes().split(|&b| b == b';' || b == b',').filter_map(|p| core::str::from_utf8(p).ok()).filter_map(
        |part| {
            let part = part.trim_matches([' ', '\t']);
            if part.starts_with('$') {
                return None;
            }
            let (n, v) = part.split_once('=')?;
            Some((n.trim_end_matches([' ', '\t']), v.trim_start_matches([' ', '\t'])))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_cookie_among_others() {
        assert_eq!(find("a=1; session=abc; b=2", "session"), Found::Value("abc"));
        assert_eq!(find("a=1,session=abc", "session"), Found::Value("abc"));
        assert_eq!(find("$Version=1; session=x=y&z=1; $Path=/", "session"), Found::Value("x=y&z=1"));
        assert_eq!(find("sessions=1; xsession=2", "session"), Found::Absent);
        assert_eq!(find("", "session"), Found::Absent);
        assert_eq!(find("session", "session"), Found::Absent);
        assert_eq!(find("session=", "session"), Found::Value(""));
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

    #[test]
    fn quoted_escapes_controls() {
        assert_eq!(Quoted("a\r\nb\"é").to_string(), r#""a\u{d}\u{a}b\"\u{e9}""#);
    }

    #[test]
    fn names() {
        for ok in ["session", "__Host-s", "a.b-c_d"] {
            assert!(validate_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "a=b", "a;b", "a,b", "é", "a\nb", "(x)"] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn attributes_are_canonicalised() {
        let a = Attributes::parse(" path=/app ;secure; HTTPONLY;samesite=strict ", "s").unwrap();
        assert_eq!(a.rendered, "Path=/app; Secure; HttpOnly; SameSite=Strict");
        let d = Attributes::parse(DEFAULT_ATTRIBUTES, "s").unwrap();
        assert_eq!(d.rendered, DEFAULT_ATTRIBUTES);
    }

    #[test]
    fn injection_and_unknown_attributes_refused() {
        for bad in [
            "Path=/\r\nSet-Cookie: x=1",
            "Path=/a,b",
            "Domain=evil.com/x",
            "Domain=a b",
            "HtpOnly",
            "SameSite=Sometimes",
            "Secure=yes",
            "Path=relative",
            "Path=",
        ] {
            assert!(matches!(Attributes::parse(bad, "s"), Err(CookieError::InvalidAttribute(_))), "{bad:?}");
        }
        assert!(matches!(Attributes::parse("Max-Age=5", "s"), Err(CookieError::ManagedAttribute(_))));
        assert_eq!(Attributes::parse("SameSite=None", "s"), Err(CookieError::SameSiteNoneWithoutSecure));
    }

    #[test]
    fn prefix_rules() {
        assert!(Attributes::parse("Path=/; Secure", "__Host-s").is_ok());
        assert!(Attributes::parse("Path=/", "__Host-s").is_err());
        assert!(Attributes::parse("Path=/x; Secure", "__Host-s").is_err());
        assert!(Attributes::parse("Path=/; Secure; Domain=example.com", "__host-s").is_err());
        assert!(Attributes::parse("Path=/x; Secure; Domain=example.com", "__Secure-s").is_ok());
        assert!(Attributes::parse("Path=/", "__Secure-s").is_err());
    }

    #[test]
    fn set_cookie_and_size_limit() {
        let a = Attributes::parse(DEFAULT_ATTRIBUTES, "s").unwrap();
        assert_eq!(
            a.set_cookie("s", "v", Some(60)).unwrap(),
            "s=v; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax"
        );
        let exact = MAX_COOKIE_BYTES - "s=; Path=/; HttpOnly; Secure; SameSite=Lax".len();
        assert_eq!(a.set_cookie("s", &"v".repeat(exact), None).map(|c| c.len()), Ok(MAX_COOKIE_BYTES));
        assert_eq!(a.set_cookie("s", &"v".repeat(exact + 1), None), Err(MAX_COOKIE_BYTES + 1));
    }
}
