//! The settings, named after Apache's directives, and their checks.

use core::fmt;

use crate::error::ConfigError;
use crate::keys;
use crate::limits::{
    DEFAULT_MAX_CHUNKS, DEFAULT_OPEN_CACHE, DEFAULT_OPEN_CACHE_BYTES, MAX_CHUNKS_LIMIT, MAX_OPEN_CACHE,
    MAX_OPEN_CACHE_BYTES, MAX_SECONDS,
};
use crate::set_cookie::{self, Attributes, DEFAULT_ATTRIBUTES};
use crate::text;

/// The cookie format.
///
/// ```
/// assert_eq!(edge_session::Format::default(), edge_session::Format::Sealed);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// AES-256-GCM sealed token (the default): confidential, tamper-proof, name-bound.
    #[default]
    Sealed,
    /// mod_session's unencrypted session string: readable and **forgeable** by the client. For
    /// interop with Apache (`SessionCryptoPassphrase` unset) and for testing only.
    Plain,
    /// mod_session_crypto's encrypted cookie (AES-CBC + SipHash MAC), byte-compatible with
    /// Apache httpd 2.4: `keys` are the `SessionCryptoPassphrase`s, `cipher` the
    /// `SessionCryptoCipher`.
    Apache,
}

impl Format {
    /// Parses `"sealed"`, `"plain"` or `"apache"`.
    ///
    /// ```
    /// assert_eq!(edge_session::Format::parse("plain"), Some(edge_session::Format::Plain));
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sealed" => Some(Self::Sealed),
            "plain" => Some(Self::Plain),
            "apache" => Some(Self::Apache),
            _ => None,
        }
    }

    /// `"sealed"`, `"plain"` or `"apache"`.
    ///
    /// ```
    /// assert_eq!(edge_session::Format::Apache.as_str(), "apache");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sealed => "sealed",
            Self::Plain => "plain",
            Self::Apache => "apache",
        }
    }
}

/// `SessionCryptoCipher`: the AES key size of the `apache` format.
///
/// ```
/// assert_eq!(edge_session::ApacheCipher::parse("aes128"), Some(edge_session::ApacheCipher::Aes128));
/// assert_eq!(edge_session::ApacheCipher::default(), edge_session::ApacheCipher::Aes256);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApacheCipher {
    /// `aes128`
    Aes128,
    /// `aes192`
    Aes192,
    /// `aes256`, Apache's default.
    #[default]
    Aes256,
}

impl ApacheCipher {
    /// Parses Apache's cipher names `aes128`, `aes192`, `aes256`.
    ///
    /// ```
    /// assert_eq!(edge_session::ApacheCipher::parse("3des192"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "aes128" => Some(Self::Aes128),
            "aes192" => Some(Self::Aes192),
            "aes256" => Some(Self::Aes256),
            _ => None,
        }
    }

    /// Apache's name: `aes128`, `aes192` or `aes256`.
    ///
    /// ```
    /// assert_eq!(edge_session::ApacheCipher::Aes192.as_str(), "aes192");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Aes128 => "aes128",
            Self::Aes192 => "aes192",
            Self::Aes256 => "aes256",
        }
    }
}

/// Settings, named after Apache's directives. Start from [`Options::default`] and set fields.
///
/// ```
/// let mut o = edge_session::Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// o.max_age = 3600;
/// assert_eq!(o.cookie_name, "session");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// `SessionCookieName`: the cookie's name. Default `session`.
    pub cookie_name: String,
    /// The cookie's attributes, `;`-separated. Default `Path=/; HttpOnly; Secure; SameSite=Lax`.
    pub cookie_attributes: String,
    /// The cookie format. Default [`Format::Sealed`].
    pub format: Format,
    /// Sealing keys (or, for `apache`, `SessionCryptoPassphrase`s): the first seals, all open.
    /// Required for `sealed` and `apache`, refused for `plain`.
    pub keys: Vec<String>,
    /// `SessionCryptoCipher`, for the `apache` format. Default `aes256`.
    pub cipher: ApacheCipher,
    /// `SessionMaxAge` in seconds, sliding: every save sets `expiry = now + max_age`. 0 = none.
    pub max_age: u64,
    /// Absolute lifetime in seconds from when the session was issued, whatever its activity.
    /// 0 = none. Needs a format that carries the issue time (`sealed`).
    pub max_lifetime: u64,
    /// `SessionExpiryUpdateInterval` in seconds: an unmodified session is not written again
    /// until its expiry would move by at least this much. 0 = write on every save.
    pub expiry_update_interval: u64,
    /// `SessionHeader`: the response header the origin updates the session with.
    /// Default `X-Replace-Session`.
    pub header: String,
    /// `SessionInclude`: path prefixes where sessions apply. Empty = everywhere.
    pub include: Vec<String>,
    /// `SessionExclude`: path prefixes where sessions do not apply.
    pub exclude: Vec<String>,
    /// `SessionEnv`: the request header that carries the plain session to the origin (the
    /// front proxy removes any client-sent copy, in every spelling). Default `X-Session`.
    pub env_header: String,
    /// `SessionCookieRemove`: strip the session cookie from the request the origin sees.
    pub cookie_remove: bool,
    /// The most cookies one `sealed` session may be split across when it would not fit in one
    /// (see [`SessionManager::save_all`](crate::SessionManager::save_all)). Default 4, at most
    /// 16; 1 = never split. The `plain` and `apache` formats always write one cookie, as Apache
    /// does.
    pub max_chunks: usize,
    /// Admits passphrases below the strength rule (fewer than 32 characters or too few distinct
    /// ones), for the `apache` format only: to share cookies both ways with a live httpd whose
    /// `SessionCryptoPassphrase` is short. Off by default; [`SessionManager::weak_keys`]
    /// lists them (warn at start-up) and sessions they open report
    /// [`Session::weak_key`](crate::Session::weak_key). Refused for the other formats.
    ///
    /// [`SessionManager::weak_keys`]: crate::SessionManager::weak_keys
    pub allow_weak_passphrases: bool,
    /// How many opened cookies this manager keeps, so that a cookie sent again is not decrypted
    /// again (the `sealed` and `apache` formats; the common request only reads its session). A
    /// `sealed` cookie this manager writes is kept too: the next request sends it. An entry is
    /// found only by the whole cookie value, holds the session exactly as decrypting gives it, and
    /// is subject to every check a decrypted one is (expiry, lifetime, and the caller's
    /// revocation); the least recently used is dropped first. Each entry holds at most a 4 KiB
    /// value and its session; together they are also bounded in bytes (`open_cache_bytes`).
    /// Default 256, at most 4096; 0 = off.
    pub open_cache: usize,
    /// The most bytes the open cache holds (cookie values and their sessions, as counted by the
    /// cache), whatever `open_cache` allows: past it the least recently used go first. Default
    /// 4 MiB ([`DEFAULT_OPEN_CACHE_BYTES`](crate::DEFAULT_OPEN_CACHE_BYTES)), at most 64 MiB; 0 = off.
    pub open_cache_bytes: usize,
    /// A secret shared with the origin (at least 32 characters): when set, every request the
    /// front proxy forwards carries a signature header (`X-Session-Signature` beside
    /// `X-Session`) over its time, method, path and query and SessionEnv value, which the origin
    /// checks with [`verify_signature`](crate::verify_signature). Empty (the default) = off. A
    /// client's copy of the signature header is removed either way.
    pub origin_secret: String,
    /// Extra associated data for `sealed` tokens: a token made under one context never opens
    /// under another (nor as a plain session cookie). Empty (the default) for session cookies;
    /// the Worker's server-side store seals its reference cookies under `store`.
    pub token_context: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            cookie_name: "session".into(),
            cookie_attributes: DEFAULT_ATTRIBUTES.into(),
            format: Format::Sealed,
            keys: Vec::new(),
            cipher: ApacheCipher::Aes256,
            max_age: 0,
            max_lifetime: 0,
            expiry_update_interval: 0,
            header: "X-Replace-Session".into(),
            include: Vec::new(),
            exclude: Vec::new(),
            env_header: "X-Session".into(),
            cookie_remove: false,
            max_chunks: DEFAULT_MAX_CHUNKS,
            allow_weak_passphrases: false,
            open_cache: DEFAULT_OPEN_CACHE,
            open_cache_bytes: DEFAULT_OPEN_CACHE_BYTES,
            origin_secret: String::new(),
            token_context: String::new(),
        }
    }
}

impl fmt::Debug for Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("cookie_name", &self.cookie_name)
            .field("cookie_attributes", &self.cookie_attributes)
            .field("format", &self.format)
            .field("keys", &format_args!("[{} redacted]", self.keys.len()))
            .field("cipher", &self.cipher)
            .field("max_age", &self.max_age)
            .field("max_lifetime", &self.max_lifetime)
            .field("expiry_update_interval", &self.expiry_update_interval)
            .field("header", &self.header)
            .field("include", &self.include)
            .field("exclude", &self.exclude)
            .field("env_header", &self.env_header)
            .field("cookie_remove", &self.cookie_remove)
            .field("max_chunks", &self.max_chunks)
            .field("allow_weak_passphrases", &self.allow_weak_passphrases)
            .field("open_cache", &self.open_cache)
            .field("open_cache_bytes", &self.open_cache_bytes)
            .field("origin_secret", &if self.origin_secret.is_empty() { "" } else { "[redacted]" })
            .field("token_context", &self.token_context)
            .finish()
    }
}

impl Options {
    /// Checks everything but the keys (the format's own business) and returns the cookie's
    /// canonical attributes.
    pub(crate) fn check(&self) -> Result<Attributes, ConfigError> {
        set_cookie::validate_name(&self.cookie_name)?;
        let attributes = Attributes::parse(&self.cookie_attributes, &self.cookie_name)?;
        if let Some(h) = [&self.header, &self.env_header].into_iter().find(|h| !set_cookie::is_token(h)) {
            return Err(ConfigError::InvalidHeaderName(h.clone()));
        }
        if text::same_header(&self.header, &self.env_header) {
            return Err(ConfigError::SameHeader);
        }
        if let Some(p) = self.include.iter().chain(&self.exclude).find(|p| !p.starts_with('/')) {
            return Err(ConfigError::InvalidPathPrefix(p.clone()));
        }
        for (name, v) in [
            ("max_age", self.max_age),
            ("max_lifetime", self.max_lifetime),
            ("expiry_update_interval", self.expiry_update_interval),
        ] {
            if v > MAX_SECONDS {
                return Err(ConfigError::TimeOutOfRange(name));
            }
        }
        if self.max_chunks == 0 || self.max_chunks > MAX_CHUNKS_LIMIT {
            return Err(ConfigError::ChunksOutOfRange(self.max_chunks));
        }
        if self.open_cache > MAX_OPEN_CACHE {
            return Err(ConfigError::OpenCacheOutOfRange(self.open_cache));
        }
        if self.open_cache_bytes > MAX_OPEN_CACHE_BYTES {
            return Err(ConfigError::OpenCacheBytesOutOfRange(self.open_cache_bytes));
        }
        if self.max_lifetime > 0 && self.format != Format::Sealed {
            return Err(ConfigError::LifetimeNeedsSealed);
        }
        if !self.origin_secret.is_empty() {
            keys::check_passphrase(&self.origin_secret).map_err(ConfigError::OriginSecret)?;
        }
        if self.allow_weak_passphrases && self.format != Format::Apache {
            return Err(ConfigError::WeakNeedsApache);
        }
        if !self.token_context.is_empty() && self.format != Format::Sealed {
            return Err(ConfigError::ContextNeedsSealed);
        }
        Ok(attributes)
    }
}
