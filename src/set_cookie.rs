//! The `Set-Cookie` response header: validated attributes, writing lines, and reading them back.
//!
//! ```text
//! Set-Cookie : NAME=VALUE[; Max-Age=N]; ATTRIBUTES          (removal: NAME=; Max-Age=0; ATTRIBUTES)
//! ```

use core::fmt;

use crate::limits::MAX_COOKIE_BYTES;
use crate::option_table::{Opt, Spelling};
use crate::text::{self, Quoted};

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
    /// `Partitioned` without `Secure` (CHIPS: browsers refuse such a cookie).
    PartitionedWithoutSecure,
}

impl CookieError {
    /// The message, with option names in `spelling`.
    ///
    /// ```
    /// use edge_session::CookieError;
    /// use edge_session::option_table::Spelling;
    /// let e = CookieError::ManagedAttribute("Max-Age=5".into());
    /// assert!(e.message(Spelling::Js).ends_with("use maxAge instead"));
    /// ```
    pub fn message(&self, spelling: Spelling) -> String {
        match self {
            Self::InvalidName(n) => {
                format!("invalid cookie name {}: use letters, digits and !#$%&'*+-.^_`|~", Quoted(n))
            }
            Self::InvalidAttribute(a) => format!("invalid cookie attribute {}", Quoted(a)),
            Self::ManagedAttribute(a) => format!(
                "cookie attribute {} is set from the session expiry: use {} instead",
                Quoted(a),
                Opt::MaxAge.name(spelling)
            ),
            Self::PrefixRule { prefix, needs } => format!("a {prefix} cookie needs {needs}"),
            Self::SameSiteNoneWithoutSecure => "SameSite=None needs Secure".to_owned(),
            Self::PartitionedWithoutSecure => {
                "Partitioned needs Secure (browsers drop the cookie otherwise)".to_owned()
            }
        }
    }
}

impl fmt::Display for CookieError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Spelling::Rust))
    }
}

impl std::error::Error for CookieError {}

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
        let mut partitioned = false;
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
                ("partitioned", None) => {
                    partitioned = true;
                    "Partitioned".to_owned()
                }
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
        if partitioned && !secure {
            return Err(CookieError::PartitionedWithoutSecure);
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

    /// `NAME=VALUE[; Max-Age=N][; attributes]`, refused past [`MAX_COOKIE_BYTES`] (the length).
    pub(crate) fn line(&self, name: &str, value: &str, max_age: Option<u64>) -> Result<String, usize> {
        let mut out = String::with_capacity(name.len() + value.len() + self.rendered.len() + 24);
        out.push_str(name);
        out.push('=');
        out.push_str(value);
        if let Some(secs) = max_age {
            out.push_str("; Max-Age=");
            text::push_decimal(&mut out, secs);
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

    /// The line that deletes cookie `name` (names are validated and far below the limit).
    /// The attributes as a `Set-Cookie` line writes them after the value (`Path=/; Secure; …`).
    #[cfg(feature = "dbsc")]
    pub(crate) fn rendered(&self) -> &str {
        &self.rendered
    }

    pub(crate) fn removal(&self, name: &str) -> String {
        self.line(name, "", Some(0)).unwrap_or_default()
    }
}

/// A `Set-Cookie` line read back: its cookie and its attributes (for inspection and logs).
///
/// ```
/// let line = edge_session::wire::SetCookie::parse("session=abc; Max-Age=0; Path=/; HttpOnly").unwrap();
/// assert_eq!((line.name, line.value), ("session", "abc"));
/// assert!(line.has("httponly") && !line.has("secure"));
/// assert!(line.is_removal());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetCookie<'a> {
    /// The cookie's name.
    pub name: &'a str,
    /// The cookie's value.
    pub value: &'a str,
    attributes: &'a str,
}

impl<'a> SetCookie<'a> {
    /// Reads `NAME=VALUE; attributes` (an optional `Set-Cookie:` prefix is skipped); `None`
    /// without a `=` in the first piece.
    ///
    /// ```
    /// assert!(edge_session::wire::SetCookie::parse("novalue; Path=/").is_none());
    /// ```
    pub fn parse(line: &'a str) -> Option<Self> {
        let line = line.trim();
        let line = match line.get(..11) {
            Some(head) if head.eq_ignore_ascii_case("set-cookie:") => line.get(11..).unwrap_or_default().trim(),
            _ => line,
        };
        let (pair, attributes) = line.split_once(';').unwrap_or((line, ""));
        let (name, value) = pair.split_once('=')?;
        Some(Self { name: name.trim(), value: value.trim(), attributes })
    }

    /// The attributes, names lowercased, in order.
    ///
    /// ```
    /// let line = edge_session::wire::SetCookie::parse("s=1; SameSite=Lax").unwrap();
    /// assert_eq!(line.attributes().collect::<Vec<_>>(), [("samesite".to_owned(), Some("Lax"))]);
    /// ```
    pub fn attributes(&self) -> impl Iterator<Item = (String, Option<&'a str>)> {
        self.attributes.split(';').map(str::trim).filter(|p| !p.is_empty()).map(|p| match p.split_once('=') {
            Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(v.trim())),
            None => (p.to_ascii_lowercase(), None),
        })
    }

    /// Whether attribute `name` (lowercase) is present.
    ///
    /// ```
    /// assert!(edge_session::wire::SetCookie::parse("s=1; Secure").unwrap().has("secure"));
    /// ```
    pub fn has(&self, name: &str) -> bool {
        self.attributes().any(|(n, _)| n == name)
    }

    /// Whether the line deletes its cookie (`Max-Age=0`, or an empty value).
    ///
    /// ```
    /// assert!(edge_session::wire::SetCookie::parse("s=; Path=/").unwrap().is_removal());
    /// ```
    pub fn is_removal(&self) -> bool {
        self.value.is_empty() || self.attributes().any(|(n, v)| n == "max-age" && v == Some("0"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::DEFAULT_ATTRIBUTES;

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
    fn lines_and_size_limit() {
        let a = Attributes::parse(DEFAULT_ATTRIBUTES, "s").unwrap();
        assert_eq!(a.line("s", "v", Some(60)).unwrap(), "s=v; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax");
        let exact = MAX_COOKIE_BYTES - "s=; Path=/; HttpOnly; Secure; SameSite=Lax".len();
        assert_eq!(a.line("s", &"v".repeat(exact), None).map(|c| c.len()), Ok(MAX_COOKIE_BYTES));
        assert_eq!(a.line("s", &"v".repeat(exact + 1), None), Err(MAX_COOKIE_BYTES + 1));
        let removal = a.removal("s");
        assert_eq!(removal, "s=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax");
        let back = SetCookie::parse(&removal).unwrap();
        assert!(back.is_removal() && back.has("secure") && back.name == "s");
    }

    #[test]
    fn reads_lines_back() {
        let l = SetCookie::parse("Set-Cookie: a = b=c ; Path=/x;Secure").unwrap();
        assert_eq!((l.name, l.value), ("a", "b=c"));
        assert_eq!(l.attributes().collect::<Vec<_>>(), [("path".to_owned(), Some("/x")), ("secure".to_owned(), None)]);
        assert!(!l.is_removal());
    }
}
