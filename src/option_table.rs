//! Every option of a session manager in one table: its name in Rust ([`Options`](crate::Options)'
//! field), in JavaScript (the npm package's options object) and in the Worker (its variable), its
//! kind, default and bounds. The faces read options by this table, and errors carry an [`Opt`] that
//! each face spells its own way ([`Spelling`]): no face keeps a list of names of its own, and no
//! message is rewritten by string replacement.
//!
//! ```
//! use edge_session::option_table::{OPTIONS, Opt, Spelling};
//! let row = OPTIONS.iter().find(|o| o.env == "SESSION_MAX_AGE").unwrap();
//! assert_eq!((row.opt, row.js, row.default), (Opt::MaxAge, "maxAge", "0"));
//! assert_eq!(Opt::MaxAge.name(Spelling::Rust), "max_age");
//! ```

use crate::format::{ApacheCipher, Format};
#[cfg(test)]
use crate::limits::{DEFAULT_MAX_CHUNKS, DEFAULT_OPEN_CACHE, DEFAULT_OPEN_CACHE_BYTES};
use crate::limits::{MAX_CHUNKS_LIMIT, MAX_OPEN_CACHE, MAX_OPEN_CACHE_BYTES, MAX_SECONDS};

/// One option of a session manager.
///
/// ```
/// use edge_session::option_table::{Opt, Spelling};
/// assert_eq!(Opt::MaxAge.name(Spelling::Rust), "max_age");
/// assert_eq!(Opt::MaxAge.name(Spelling::Js), "maxAge");
/// assert_eq!(Opt::MaxAge.name(Spelling::Env), "SESSION_MAX_AGE");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Opt {
    /// `cookie_name`
    CookieName,
    /// `cookie_attributes`
    CookieAttributes,
    /// `format`
    Format,
    /// `keys`
    Keys,
    /// `cipher`
    Cipher,
    /// `allow_weak_passphrases`
    AllowWeakPassphrases,
    /// `max_age`
    MaxAge,
    /// `max_lifetime`
    MaxLifetime,
    /// `expiry_update_interval`
    ExpiryUpdateInterval,
    /// `header`
    Header,
    /// `include`
    Include,
    /// `exclude`
    Exclude,
    /// `env_header`
    EnvHeader,
    /// `cookie_remove`
    CookieRemove,
    /// `origin_secret`
    OriginSecret,
    /// `max_chunks`
    MaxChunks,
    /// `open_cache`
    OpenCache,
    /// `open_cache_bytes`
    OpenCacheBytes,
    /// `device_bound`
    DeviceBound,
    /// `device_bound_max_age`
    DeviceBoundMaxAge,
    /// `device_bound_path`
    DeviceBoundPath,
    /// `client_binding`
    ClientBinding,
    /// `token_context` (the Worker's own: neither a JavaScript option nor a variable)
    TokenContext,
}

/// Whose names a message uses.
///
/// ```
/// assert_eq!(edge_session::option_table::Opt::CookieRemove.name(edge_session::option_table::Spelling::Js), "cookieRemove");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Spelling {
    /// Rust's: [`Options`](crate::Options)' fields, the crate's methods (`save_all`).
    Rust,
    /// The npm package's: the options object's keys, its methods (`saveAll`).
    Js,
    /// The Worker's: its variables (`SESSION_MAX_AGE`).
    Env,
}

/// What an option holds, and the bounds a face checks before it reaches the core.
///
/// ```
/// use edge_session::option_table::{Kind, Opt};
/// assert_eq!(Opt::MaxChunks.spec().kind, Kind::Count { min: 1, max: 16 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Kind {
    /// A string.
    Text,
    /// A list of strings (the Worker: separated by spaces or commas).
    Texts,
    /// A secret string (never echoed).
    Secret,
    /// A list of secrets (the Worker: separated by spaces or new lines).
    Secrets,
    /// One of these strings.
    Choice(&'static [&'static str]),
    /// Whole seconds, from 0 to [`MAX_SECONDS`].
    Seconds,
    /// A whole number from `min` to `max`.
    Count {
        /// The least accepted.
        min: u64,
        /// The most accepted.
        max: u64,
    },
    /// True or false.
    Flag,
}

impl Kind {
    /// The least and the most a number of this kind may be; `None` for a kind that is not a number.
    ///
    /// ```
    /// use edge_session::option_table::Kind;
    /// assert_eq!(Kind::Count { min: 1, max: 16 }.bounds(), Some((1, 16)));
    /// assert_eq!(Kind::Flag.bounds(), None);
    /// ```
    pub fn bounds(self) -> Option<(u64, u64)> {
        match self {
            Self::Seconds => Some((0, MAX_SECONDS)),
            Self::Count { min, max } => Some((min, max)),
            _ => None,
        }
    }

    /// What a value of this kind is, for a message: `a whole number from 1 to 16`.
    ///
    /// ```
    /// assert_eq!(edge_session::option_table::Kind::Flag.describe(), "true or false");
    /// ```
    pub fn describe(self) -> String {
        match self {
            Self::Text | Self::Secret => "a string".to_owned(),
            Self::Texts | Self::Secrets => "a list of strings".to_owned(),
            Self::Choice(choices) => {
                let list: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
                format!("one of {}", list.join(", "))
            }
            Self::Seconds => format!("a whole number of seconds from 0 to {MAX_SECONDS}"),
            Self::Count { min, max } => format!("a whole number from {min} to {max}"),
            Self::Flag => "true or false".to_owned(),
        }
    }
}

/// One row of the table.
///
/// ```
/// let spec = edge_session::option_table::Opt::OpenCache.spec();
/// assert_eq!((spec.js, spec.env, spec.default), ("openCache", "SESSION_OPEN_CACHE", "256"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OptionSpec {
    /// The option.
    pub opt: Opt,
    /// [`Options`](crate::Options)' field.
    pub rust: &'static str,
    /// The key of the npm package's options object (empty: not a JavaScript option).
    pub js: &'static str,
    /// The Worker's variable (empty: not a variable).
    pub env: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Its default, as written in the docs (empty: none).
    pub default: &'static str,
}

const FORMATS: &[&str] = &[Format::Sealed.as_str(), Format::Plain.as_str(), Format::Apache.as_str()];
const CLIENT_BINDINGS: &[&str] = &[
    crate::client_binding::ClientBinding::Off.as_str(),
    crate::client_binding::ClientBinding::Report.as_str(),
    crate::client_binding::ClientBinding::Regenerate.as_str(),
];
const CIPHERS: &[&str] = &[ApacheCipher::Aes128.as_str(), ApacheCipher::Aes192.as_str(), ApacheCipher::Aes256.as_str()];

const fn row(
    opt: Opt,
    rust: &'static str,
    js: &'static str,
    env: &'static str,
    kind: Kind,
    default: &'static str,
) -> OptionSpec {
    OptionSpec { opt, rust, js, env, kind, default }
}

const fn count(min: usize, max: usize) -> Kind {
    Kind::Count { min: min as u64, max: max as u64 }
}

/// Every option, in the order the docs list them.
///
/// ```
/// let names: Vec<&str> = edge_session::option_table::OPTIONS.iter().map(|o| o.js).filter(|n| !n.is_empty()).collect();
/// assert!(names.contains(&"cookieName") && names.contains(&"openCacheBytes"));
/// ```
pub const OPTIONS: [OptionSpec; 23] = [
    row(Opt::CookieName, "cookie_name", "cookieName", "SESSION_COOKIE_NAME", Kind::Text, "session"),
    row(
        Opt::CookieAttributes,
        "cookie_attributes",
        "cookieAttributes",
        "SESSION_COOKIE_ATTRIBUTES",
        Kind::Text,
        crate::limits::DEFAULT_ATTRIBUTES,
    ),
    row(Opt::Format, "format", "format", "SESSION_FORMAT", Kind::Choice(FORMATS), "sealed"),
    row(Opt::Keys, "keys", "keys", "SESSION_KEYS", Kind::Secrets, ""),
    row(Opt::Cipher, "cipher", "cipher", "SESSION_CIPHER", Kind::Choice(CIPHERS), "aes256"),
    row(
        Opt::AllowWeakPassphrases,
        "allow_weak_passphrases",
        "allowWeakPassphrases",
        "SESSION_ALLOW_WEAK_PASSPHRASES",
        Kind::Flag,
        "false",
    ),
    row(Opt::MaxAge, "max_age", "maxAge", "SESSION_MAX_AGE", Kind::Seconds, "0"),
    row(Opt::MaxLifetime, "max_lifetime", "maxLifetime", "SESSION_MAX_LIFETIME", Kind::Seconds, "0"),
    row(
        Opt::ExpiryUpdateInterval,
        "expiry_update_interval",
        "expiryUpdateInterval",
        "SESSION_EXPIRY_UPDATE_INTERVAL",
        Kind::Seconds,
        "60",
    ),
    row(Opt::Header, "header", "header", "SESSION_HEADER", Kind::Text, "X-Replace-Session"),
    row(Opt::Include, "include", "include", "SESSION_INCLUDE", Kind::Texts, ""),
    row(Opt::Exclude, "exclude", "exclude", "SESSION_EXCLUDE", Kind::Texts, ""),
    row(Opt::EnvHeader, "env_header", "envHeader", "SESSION_ENV_HEADER", Kind::Text, "X-Session"),
    row(Opt::CookieRemove, "cookie_remove", "cookieRemove", "SESSION_COOKIE_REMOVE", Kind::Flag, "false"),
    row(Opt::OriginSecret, "origin_secret", "originSecret", "SESSION_ORIGIN_SECRET", Kind::Secret, ""),
    row(Opt::MaxChunks, "max_chunks", "maxChunks", "SESSION_MAX_CHUNKS", count(1, MAX_CHUNKS_LIMIT), "4"),
    row(Opt::OpenCache, "open_cache", "openCache", "SESSION_OPEN_CACHE", count(0, MAX_OPEN_CACHE), "256"),
    row(
        Opt::OpenCacheBytes,
        "open_cache_bytes",
        "openCacheBytes",
        "SESSION_OPEN_CACHE_BYTES",
        count(0, MAX_OPEN_CACHE_BYTES),
        "4194304",
    ),
    row(Opt::DeviceBound, "device_bound", "deviceBound", "SESSION_DEVICE_BOUND", Kind::Flag, "false"),
    row(
        Opt::DeviceBoundMaxAge,
        "device_bound_max_age",
        "deviceBoundMaxAge",
        "SESSION_DEVICE_BOUND_MAX_AGE",
        count(10, 86_400),
        "600",
    ),
    row(
        Opt::DeviceBoundPath,
        "device_bound_path",
        "deviceBoundPath",
        "SESSION_DEVICE_BOUND_PATH",
        Kind::Text,
        "/__edge-session/dbsc",
    ),
    row(
        Opt::ClientBinding,
        "client_binding",
        "clientBinding",
        "SESSION_CLIENT_BINDING",
        Kind::Choice(CLIENT_BINDINGS),
        "off",
    ),
    row(Opt::TokenContext, "token_context", "", "", Kind::Text, ""),
];

/// A value a face read for one option (its [`Kind`]), for [`Options::set`](crate::Options::set): text for
/// strings and choices, a list of strings, a whole number, or a flag.
///
/// ```
/// use edge_session::Options;
/// use edge_session::option_table::{Opt, OptionValue};
/// let mut o = Options::default();
/// o.set(Opt::MaxAge, OptionValue::Number(3600)).unwrap();
/// o.set(Opt::Format, OptionValue::Text("plain".into())).unwrap();
/// assert_eq!((o.max_age, o.format), (3600, edge_session::Format::Plain));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionValue {
    /// A string, or one of a choice's strings.
    Text(String),
    /// A list of strings.
    Texts(Vec<String>),
    /// A whole number.
    Number(u64),
    /// True or false.
    Flag(bool),
}

impl OptionValue {
    /// What was given, for a message (a secret is not repeated).
    pub(crate) fn shown(&self, option: Opt) -> String {
        match (self, option.spec().kind) {
            (_, Kind::Secret | Kind::Secrets) => "[redacted]".to_owned(),
            (Self::Text(s), _) => s.clone(),
            (Self::Texts(v), _) => format!("a list of {}", v.len()),
            (Self::Number(n), _) => n.to_string(),
            (Self::Flag(b), _) => b.to_string(),
        }
    }
}

impl Opt {
    /// Its row of [`OPTIONS`].
    ///
    /// ```
    /// assert_eq!(edge_session::option_table::Opt::Keys.spec().env, "SESSION_KEYS");
    /// ```
    pub fn spec(self) -> &'static OptionSpec {
        // The table lists every option once, in the enum's order (a test holds it so).
        let i = self as usize;
        OPTIONS.get(i).filter(|s| s.opt == self).unwrap_or(&OPTIONS[0])
    }

    /// Its name in `spelling`; an option a face does not have is named as in Rust.
    ///
    /// ```
    /// use edge_session::option_table::{Opt, Spelling};
    /// assert_eq!(Opt::TokenContext.name(Spelling::Js), "token_context");
    /// ```
    pub fn name(self, spelling: Spelling) -> &'static str {
        let spec = self.spec();
        let name = match spelling {
            Spelling::Rust => spec.rust,
            Spelling::Js => spec.js,
            Spelling::Env => spec.env,
        };
        if name.is_empty() { spec.rust } else { name }
    }

    /// The bounds of a number (`Seconds`, `Count`), for its checks and messages.
    pub(crate) fn bounds(self) -> (u64, u64) {
        self.spec().kind.bounds().unwrap_or((0, MAX_SECONDS))
    }
}

/// A name that is not an option's, spelled by each face: the core's methods that messages point
/// to (`save_all`, `weak_key`).
pub(crate) fn method(rust: &'static str, spelling: Spelling) -> &'static str {
    match (rust, spelling) {
        ("save_all", Spelling::Js) => "saveAll",
        ("weak_key", Spelling::Js) => "weakKey",
        (name, _) => name,
    }
}

/// The defaults the table states are the defaults `Options` has (a test holds them together).
#[cfg(test)]
pub(crate) const DEFAULT_NUMBERS: [(Opt, usize); 3] = [
    (Opt::MaxChunks, DEFAULT_MAX_CHUNKS),
    (Opt::OpenCache, DEFAULT_OPEN_CACHE),
    (Opt::OpenCacheBytes, DEFAULT_OPEN_CACHE_BYTES),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_option_in_the_enums_order_and_names_unique() {
        for (i, spec) in OPTIONS.iter().enumerate() {
            assert_eq!(spec.opt as usize, i, "{}", spec.rust);
            assert_eq!(spec.opt.spec(), spec);
        }
        for spelling in [Spelling::Rust, Spelling::Js, Spelling::Env] {
            let names: Vec<&str> = OPTIONS.iter().map(|s| s.opt.name(spelling)).collect();
            let mut unique = names.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), names.len(), "{spelling:?}");
        }
        for spec in OPTIONS.iter().filter(|s| !s.env.is_empty()) {
            assert!(spec.env.starts_with("SESSION_") && spec.env == spec.env.to_ascii_uppercase(), "{}", spec.env);
        }
    }

    #[test]
    fn the_stated_defaults_are_the_defaults() {
        let o = crate::Options::default();
        for (opt, n) in DEFAULT_NUMBERS {
            assert_eq!(opt.spec().default, n.to_string(), "{opt:?}");
        }
        assert_eq!(Opt::CookieName.spec().default, o.cookie_name);
        assert_eq!(Opt::CookieAttributes.spec().default, o.cookie_attributes);
        assert_eq!(Opt::Header.spec().default, o.header);
        assert_eq!(Opt::EnvHeader.spec().default, o.env_header);
        assert_eq!(Opt::Format.spec().default, o.format.as_str());
        assert_eq!(Opt::Cipher.spec().default, o.cipher.as_str());
        assert_eq!((o.max_age, o.max_lifetime, o.expiry_update_interval), (0, 0, 60));
        assert_eq!(Opt::ExpiryUpdateInterval.spec().default, o.expiry_update_interval.to_string());
        assert_eq!(o.max_chunks, DEFAULT_MAX_CHUNKS);
    }
}
