//! The settings, named after Apache's directives, and their checks.

use core::fmt;

use crate::error::ConfigError;
use crate::format::{ApacheCipher, Format};
use crate::keys;
use crate::limits::DEFAULT_ATTRIBUTES;
use crate::limits::{DEFAULT_MAX_CHUNKS, DEFAULT_OPEN_CACHE, DEFAULT_OPEN_CACHE_BYTES};
use crate::option_table::{Opt, OptionValue};
use crate::set_cookie::{self, Attributes};
use crate::text;

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
    /// 4 MiB ([`DEFAULT_OPEN_CACHE_BYTES`](crate::limits::DEFAULT_OPEN_CACHE_BYTES)), at most 64 MiB; 0 = off.
    pub open_cache_bytes: usize,
    /// A secret shared with the origin (at least 32 characters): when set, every request the
    /// front proxy forwards carries a signature header (`X-Session-Signature` beside
    /// `X-Session`) over its time, method, path and query and SessionEnv value, which the origin
    /// checks with [`verify_signature`](crate::signature::verify_signature). Empty (the default) = off. A
    /// client's copy of the signature header is removed either way.
    pub origin_secret: String,
    /// Extra associated data for `sealed` tokens: a token made under one context never opens
    /// under another (nor as a plain session cookie). Empty (the default) for session cookies;
    /// the Worker's server-side store seals its reference cookies under `store`.
    pub token_context: String,
    /// Device-bound sessions (W3C DBSC): a new or regenerated session is offered a binding to a
    /// key the browser keeps on the device; once bound, the session counts only beside a
    /// short-lived bound cookie that only a proof signed with that key renews. Off by default;
    /// needs the crate's `dbsc` feature and the `sealed` format (see `device_bound`).
    pub device_bound: bool,
    /// The bound cookie's lifetime in seconds (10 to 86 400). Default 600.
    pub device_bound_max_age: u64,
    /// Where the registration and refresh endpoints are: `PATH/register`, `PATH/refresh`.
    /// Default `/__edge-session/dbsc`.
    pub device_bound_path: String,
    /// Soft binding, for browsers without device-bound sessions: a coarse client fingerprint
    /// (browser and OS families; in the Worker, the network's ASN and country) kept in the session,
    /// and a request from a client that differs reported to the origin (`!client=changed`) or
    /// also regenerated. Default off; needs the `dbsc` feature and the `sealed` format.
    pub client_binding: crate::client_binding::ClientBinding,
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
            expiry_update_interval: 60,
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
            device_bound: false,
            device_bound_max_age: 600,
            device_bound_path: "/__edge-session/dbsc".into(),
            client_binding: crate::client_binding::ClientBinding::Off,
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
            .field("device_bound", &self.device_bound)
            .field("device_bound_max_age", &self.device_bound_max_age)
            .field("device_bound_path", &self.device_bound_path)
            .field("client_binding", &self.client_binding)
            .finish()
    }
}

impl Options {
    /// Sets one option from a value a face read: the one place an option's name meets its field.
    /// A value of another kind, a choice it does not have or a number out of its bounds is an
    /// error naming the option.
    ///
    /// ```
    /// use edge_session::{ConfigError, Options};
    /// use edge_session::option_table::{Opt, OptionValue, Spelling};
    /// let mut o = Options::default();
    /// let e = o.set(Opt::MaxChunks, OptionValue::Number(17)).unwrap_err();
    /// assert_eq!(e.message(Spelling::Js), "maxChunks: must be from 1 to 16, not 17");
    /// let e = o.set(Opt::Format, OptionValue::Text("rot13".into())).unwrap_err();
    /// assert_eq!(e.message(Spelling::Env), r#"SESSION_FORMAT: must be "sealed", "plain", "apache", not "rot13""#);
    /// ```
    pub fn set(&mut self, option: Opt, value: OptionValue) -> Result<(), ConfigError> {
        use OptionValue as V;
        let invalid = |v: &V| ConfigError::InvalidValue { option, value: v.shown(option) };
        let number = |n: u64| {
            let (min, max) = option.bounds();
            if (min..=max).contains(&n) { Ok(n) } else { Err(ConfigError::OutOfRange { option, value: n }) }
        };
        let count = |n: u64| number(n).map(|n| usize::try_from(n).unwrap_or(usize::MAX));
        match (option, value) {
            (Opt::CookieName, V::Text(s)) => self.cookie_name = s,
            (Opt::CookieAttributes, V::Text(s)) => self.cookie_attributes = s,
            (Opt::Format, V::Text(s)) => self.format = Format::parse(&s).ok_or_else(|| invalid(&V::Text(s)))?,
            (Opt::Keys, V::Texts(v)) => self.keys = v,
            (Opt::Cipher, V::Text(s)) => self.cipher = ApacheCipher::parse(&s).ok_or_else(|| invalid(&V::Text(s)))?,
            (Opt::MaxAge, V::Number(n)) => self.max_age = number(n)?,
            (Opt::MaxLifetime, V::Number(n)) => self.max_lifetime = number(n)?,
            (Opt::ExpiryUpdateInterval, V::Number(n)) => self.expiry_update_interval = number(n)?,
            (Opt::Header, V::Text(s)) => self.header = s,
            (Opt::Include, V::Texts(v)) => self.include = v,
            (Opt::Exclude, V::Texts(v)) => self.exclude = v,
            (Opt::EnvHeader, V::Text(s)) => self.env_header = s,
            (Opt::CookieRemove, V::Flag(b)) => self.cookie_remove = b,
            (Opt::MaxChunks, V::Number(n)) => self.max_chunks = count(n)?,
            (Opt::OpenCache, V::Number(n)) => self.open_cache = count(n)?,
            (Opt::OpenCacheBytes, V::Number(n)) => self.open_cache_bytes = count(n)?,
            (Opt::AllowWeakPassphrases, V::Flag(b)) => self.allow_weak_passphrases = b,
            (Opt::OriginSecret, V::Text(s)) => self.origin_secret = s,
            (Opt::TokenContext, V::Text(s)) => self.token_context = s,
            // A build without device-bound sessions knows their options only to say where they are.
            (Opt::DeviceBound | Opt::DeviceBoundMaxAge | Opt::DeviceBoundPath | Opt::ClientBinding, _)
                if !cfg!(feature = "dbsc") =>
            {
                return Err(ConfigError::DeviceBoundUnavailable(option));
            }
            (Opt::DeviceBound, V::Flag(b)) => self.device_bound = b,
            (Opt::DeviceBoundMaxAge, V::Number(n)) => self.device_bound_max_age = number(n)?,
            (Opt::DeviceBoundPath, V::Text(s)) => self.device_bound_path = s,
            (Opt::ClientBinding, V::Text(s)) => {
                self.client_binding =
                    crate::client_binding::ClientBinding::parse(&s).ok_or_else(|| invalid(&V::Text(s)))?;
            }
            (_, v) => return Err(invalid(&v)),
        }
        Ok(())
    }

    /// Checks everything but the keys (the format's own business) and returns the cookie's
    /// canonical attributes.
    pub(crate) fn check(&self) -> Result<Attributes, ConfigError> {
        set_cookie::validate_name(&self.cookie_name)?;
        let attributes = Attributes::parse(&self.cookie_attributes, &self.cookie_name)?;
        for (opt, h) in [(Opt::Header, &self.header), (Opt::EnvHeader, &self.env_header)] {
            if !set_cookie::is_token(h) {
                return Err(ConfigError::InvalidHeaderName(opt, h.clone()));
            }
        }
        for (opt, h) in [(Opt::Header, &self.header), (Opt::EnvHeader, &self.env_header)] {
            if PROTECTED_HEADERS.iter().any(|p| text::same_header(p, h)) {
                return Err(ConfigError::ProtectedHeader(opt, h.clone()));
            }
        }
        if text::same_header(&self.header, &self.env_header) {
            return Err(ConfigError::SameHeader);
        }
        for (opt, prefixes) in [(Opt::Include, &self.include), (Opt::Exclude, &self.exclude)] {
            if let Some(p) = prefixes.iter().find(|p| !p.starts_with('/')) {
                return Err(ConfigError::InvalidPathPrefix(opt, p.clone()));
            }
        }
        // Every number against the bounds the option table gives it.
        for (option, value) in [
            (Opt::MaxAge, self.max_age),
            (Opt::MaxLifetime, self.max_lifetime),
            (Opt::ExpiryUpdateInterval, self.expiry_update_interval),
            (Opt::MaxChunks, self.max_chunks as u64),
            (Opt::OpenCache, self.open_cache as u64),
            (Opt::OpenCacheBytes, self.open_cache_bytes as u64),
            (Opt::DeviceBoundMaxAge, self.device_bound_max_age),
        ] {
            let (min, max) = option.bounds();
            if !(min..=max).contains(&value) {
                return Err(ConfigError::OutOfRange { option, value });
            }
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
        // The endpoints' path (only a build with device-bound sessions has them).
        #[cfg(feature = "dbsc")]
        let path = &self.device_bound_path;
        #[cfg(feature = "dbsc")]
        if !path.starts_with('/') || path.ends_with('/') || !path.bytes().all(|b| b.is_ascii_graphic() && b != b'"') {
            return Err(ConfigError::InvalidPathPrefix(Opt::DeviceBoundPath, path.clone()));
        }
        let soft = self.client_binding != crate::client_binding::ClientBinding::Off;
        for (option, on) in [(Opt::DeviceBound, self.device_bound), (Opt::ClientBinding, soft)] {
            if on && !cfg!(feature = "dbsc") {
                return Err(ConfigError::DeviceBoundUnavailable(option));
            }
            if on && (self.format != Format::Sealed || !self.token_context.is_empty()) {
                return Err(ConfigError::DeviceBoundNeedsSealed(option));
            }
        }
        Ok(attributes)
    }
}

/// Headers a session proxy must never take over as its SessionHeader or SessionEnv header: the
/// cookies themselves, routing and authentication, message framing, caching and redirects.
pub(crate) const PROTECTED_HEADERS: [&str; 24] = [
    "Cookie",
    "Set-Cookie",
    "Set-Cookie2",
    "Host",
    "Authorization",
    "Proxy-Authorization",
    "Proxy-Authenticate",
    "WWW-Authenticate",
    "Content-Length",
    "Content-Type",
    "Content-Encoding",
    "Transfer-Encoding",
    "Connection",
    "Keep-Alive",
    "Upgrade",
    "TE",
    "Trailer",
    "Expect",
    "Location",
    "Cache-Control",
    "Vary",
    "Origin",
    "Forwarded",
    "X-Forwarded-For",
];
