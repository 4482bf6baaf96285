//! Options, the session manager, and the load and save rules (with an injected clock).

use core::fmt;

use crate::apache::{ApacheCipher, ApacheKeys};
use crate::chunks;
use crate::cookie::{self, Attributes, CookieError, Found, Quoted, DEFAULT_ATTRIBUTES, MAX_COOKIE_BYTES};
use crate::keys::{self, KeyError, KeyRing};
use crate::sealed;
use crate::session::{LoadStatus, Rejection, Session};
#[cfg(any(test, feature = "worker"))]
use crate::store::{self, SessionId, StoreRef};

const MICROS_PER_SEC: u64 = 1_000_000;
/// Longest time setting accepted, in seconds (100 years): keeps µs arithmetic far from overflow.
pub const MAX_SECONDS: u64 = 100 * 366 * 24 * 3600;

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
    /// front proxy removes any client-sent copy). Default `X-Session`.
    pub env_header: String,
    /// `SessionCookieRemove`: strip the session cookie from the request the origin sees.
    pub cookie_remove: bool,
    /// The most cookies one `sealed` session may be split across when it would not fit in one
    /// (see [`SessionManager::save_all`]). Default 4, at most 16; 1 = never split. The `plain`
    /// and `apache` formats always write one cookie, as Apache does.
    pub max_chunks: usize,
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
            max_chunks: chunks::DEFAULT_MAX_CHUNKS,
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
            .finish()
    }
}

/// Options that cannot make a working manager.
///
/// ```
/// use edge_session::{ConfigError, Options, SessionManager};
/// assert_eq!(SessionManager::new(Options::default()).unwrap_err(), ConfigError::NoKeys);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The cookie name or attributes.
    Cookie(CookieError),
    /// The `sealed` and `apache` formats need at least one key.
    NoKeys,
    /// The `plain` format does not encrypt: keys given to it would protect nothing.
    KeysUnused,
    /// Key number `index` (from 0) cannot be used.
    Key {
        /// Position in the key list.
        index: usize,
        /// What is wrong with it.
        error: KeyError,
    },
    /// `header` or `env_header` is not an HTTP header name.
    InvalidHeaderName(String),
    /// `header` and `env_header` are the same header.
    SameHeader,
    /// An include / exclude prefix does not start with `/`.
    InvalidPathPrefix(String),
    /// A time setting is over [`MAX_SECONDS`].
    TimeOutOfRange(&'static str),
    /// `max_lifetime` needs a format that carries the issue time.
    LifetimeNeedsSealed,
    /// `max_chunks` must be from 1 to 16.
    ChunksOutOfRange(usize),
}

impl ConfigError {
    fn key(index: usize) -> impl FnOnce(KeyError) -> Self {
        move |error| Self::Key { index, error }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Cookie(e) => e.fmt(f),
            Self::NoKeys => {
                f.write_str("the sealed and apache formats need at least one key (run `edge-session keygen`)")
            }
            Self::KeysUnused => {
                f.write_str("the plain format does not encrypt: remove the keys or use format \"sealed\"")
            }
            Self::Key { index, error } => write!(f, "key #{index}: {error}"),
            Self::InvalidHeaderName(h) => write!(f, "invalid header name {}", Quoted(h)),
            Self::SameHeader => f.write_str("the session header and the session env header must differ"),
            Self::InvalidPathPrefix(p) => {
                write!(f, "path prefix {} must start with \"/\"", Quoted(p))
            }
            Self::TimeOutOfRange(name) => write!(f, "{name} is over {MAX_SECONDS} seconds"),
            Self::LifetimeNeedsSealed => f.write_str("maxLifetime needs the sealed format (it carries the issue time)"),
            Self::ChunksOutOfRange(n) => {
                write!(f, "maxChunks must be from 1 to {}, not {n}", chunks::MAX_CHUNKS_LIMIT)
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Cookie(e) => Some(e),
            Self::Key { error, .. } => Some(error),
            _ => None,
        }
    }
}

impl From<CookieError> for ConfigError {
    fn from(e: CookieError) -> Self {
        Self::Cookie(e)
    }
}

/// A session that cannot be written.
///
/// ```
/// use edge_session::{Options, SaveError, Session, SessionManager};
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// let m = SessionManager::new(o).unwrap();
/// let mut s = Session::new();
/// s.insert("big", &"x".repeat(5000)).unwrap();
/// assert!(matches!(m.save(&mut s, 0), Err(SaveError::CookieTooLarge { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SaveError {
    /// The `Set-Cookie` value (name + value + attributes) would pass `max` bytes.
    CookieTooLarge {
        /// Its length in bytes (a lower bound when the body alone is already too large).
        len: usize,
        /// The limit, 4096.
        max: usize,
    },
    /// The platform's random number generator failed, so nothing can be sealed.
    Random,
    /// Server-side store: the session's record would pass `max` bytes.
    RecordTooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Server-side store: it needs the `sealed` format (the cookie is a sealed token).
    NotSealed,
    /// The session would need more cookies than `max_chunks` allows.
    TooManyChunks {
        /// How many it would take.
        needed: usize,
        /// The configured `max_chunks`.
        max: usize,
    },
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CookieTooLarge { len, max } => {
                write!(f, "session cookie of {len} bytes exceeds the {max}-byte limit: store less in the session")
            }
            Self::Random => f.write_str("the platform's random number generator failed"),
            Self::RecordTooLarge { len, max } => {
                write!(
                    f,
                    "session record of {len} bytes exceeds the store's {max}-byte limit: store less in the session"
                )
            }
            Self::NotSealed => f.write_str("the server-side store needs the sealed format"),
            Self::TooManyChunks { needed, max } => write!(
                f,
                "session needs {needed} cookies of 4096 bytes, more than maxChunks ({max}): store less in the session"
            ),
        }
    }
}

impl std::error::Error for SaveError {}

/// Loads sessions from `Cookie` headers and saves them as `Set-Cookie` values.
///
/// Build one per process (key schedules and passphrase stretching happen here) and share it.
/// Times are microseconds since the Unix epoch, passed in by the caller.
///
/// ```
/// use edge_session::{Options, SessionManager};
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// o.max_age = 3600;
/// let manager = SessionManager::new(o).unwrap();
/// let now = 1_800_000_000_000_000;
///
/// let mut session = manager.load(None, now);
/// session.insert("user", "alice").unwrap();
/// let set_cookie = manager.save(&mut session, now).unwrap().unwrap();
///
/// let cookie = set_cookie.split(';').next().unwrap();
/// let again = manager.load(Some(cookie), now + 1);
/// assert_eq!(again.get("user"), Some("alice"));
/// ```
pub struct SessionManager {
    options: Options,
    attributes: Attributes,
    codec: Codec,
}

/// What a save writes.
enum Write {
    /// Nothing to send.
    Nothing,
    /// Delete the session cookie.
    Remove,
    /// This cookie value, with its Max-Age.
    Value { value: String, max_age: Option<u64>, expiry: Option<u64>, issued: u64 },
}

/// What the save rules decide, before any encoding.
enum Decision {
    Nothing,
    Remove,
    Write { expiry: Option<u64>, issued: u64 },
}

/// How cookie values are made, with what each format needs.
#[derive(Debug)]
enum Codec {
    Sealed(Box<KeyRing>),
    Plain,
    Apache(ApacheKeys),
}

impl fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionManager").field("options", &self.options).field("codec", &self.codec).finish()
    }
}

impl SessionManager {
    /// Checks the options and prepares the keys.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// assert!(edge_session::SessionManager::new(o).is_ok());
    /// ```
    pub fn new(options: Options) -> Result<Self, ConfigError> {
        cookie::validate_name(&options.cookie_name)?;
        let attributes = Attributes::parse(&options.cookie_attributes, &options.cookie_name)?;
        if let Some(h) = [&options.header, &options.env_header].into_iter().find(|h| !cookie::is_token(h)) {
            return Err(ConfigError::InvalidHeaderName(h.clone()));
        }
        if options.header.eq_ignore_ascii_case(&options.env_header) {
            return Err(ConfigError::SameHeader);
        }
        if let Some(p) = options.include.iter().chain(&options.exclude).find(|p| !p.starts_with('/')) {
            return Err(ConfigError::InvalidPathPrefix(p.clone()));
        }
        for (name, v) in [
            ("maxAge", options.max_age),
            ("maxLifetime", options.max_lifetime),
            ("expiryUpdateInterval", options.expiry_update_interval),
        ] {
            if v > MAX_SECONDS {
                return Err(ConfigError::TimeOutOfRange(name));
            }
        }
        if options.max_chunks == 0 || options.max_chunks > chunks::MAX_CHUNKS_LIMIT {
            return Err(ConfigError::ChunksOutOfRange(options.max_chunks));
        }
        let codec = match options.format {
            Format::Sealed => {
                let ring = KeyRing::new(&options.keys).map_err(|(index, error)| ConfigError::Key { index, error })?;
                Codec::Sealed(Box::new(ring.ok_or(ConfigError::NoKeys)?))
            }
            Format::Plain => {
                if !options.keys.is_empty() {
                    return Err(ConfigError::KeysUnused);
                }
                Codec::Plain
            }
            Format::Apache => {
                // The encrypting passphrase must be strong; older ones only open cookies (so a
                // site can move off Apache's old passphrase without logging anyone out).
                let first = options.keys.first().ok_or(ConfigError::NoKeys)?;
                keys::check_passphrase(first).map_err(ConfigError::key(0))?;
                if let Some(index) = options.keys.iter().position(String::is_empty) {
                    return Err(ConfigError::Key { index, error: KeyError::TooShort });
                }
                let repeated =
                    options.keys.iter().enumerate().find(|(i, k)| options.keys.iter().take(*i).any(|o| o == *k));
                if let Some((index, _)) = repeated {
                    return Err(ConfigError::Key { index, error: KeyError::Duplicate });
                }
                Codec::Apache(ApacheKeys::new(options.cipher, &options.keys).ok_or(ConfigError::NoKeys)?)
            }
        };
        if options.max_lifetime > 0 && options.format != Format::Sealed {
            return Err(ConfigError::LifetimeNeedsSealed);
        }
        Ok(Self { options, attributes, codec })
    }

    /// The options this manager runs with.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert_eq!(m.options().header, "X-Replace-Session");
    /// ```
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Whether sessions apply to a request path (`SessionInclude` / `SessionExclude`).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// o.include = vec!["/app".into()];
    /// o.exclude = vec!["/app/static".into()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert!(m.applies_to("/app/x") && !m.applies_to("/app/static/a.css") && !m.applies_to("/"));
    /// ```
    pub fn applies_to(&self, path: &str) -> bool {
        let o = &self.options;
        (o.include.is_empty() || o.include.iter().any(|p| path.starts_with(p.as_str())))
            && !o.exclude.iter().any(|p| path.starts_with(p.as_str()))
    }

    /// Loads the session from a `Cookie` header at time `now` (µs). Never fails: a missing,
    /// bad, tampered or expired cookie gives an empty session whose [`Session::status`] says why.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert!(m.load(Some("session=garbage; other=1"), 0).is_empty());
    /// ```
    pub fn load(&self, cookie_header: Option<&str>, now: u64) -> Session {
        self.load_as(cookie_header, now, &self.options.cookie_name)
    }

    /// [`load`](Self::load), opening sealed tokens under the AAD name `aad_name`.
    fn load_as(&self, cookie_header: Option<&str>, now: u64, aad_name: &str) -> Session {
        let name = &self.options.cookie_name;
        let sent = cookie_header.map(|h| chunks::sent(h, name)).unwrap_or_default();
        let mut session = match cookie_header.map(|h| cookie::find(h, name)) {
            None => Session::new(),
            Some(Found::Absent) => match cookie_header.filter(|_| self.chunking() && sent.chunks & 1 == 1) {
                None => Session::new(),
                Some(h) => match chunks::reassemble(h, name, self.options.max_chunks) {
                    Some(Ok(token)) => self.open(&token, now, self.options.max_chunks * MAX_COOKIE_BYTES, aad_name),
                    Some(Err(why)) => rejected(why),
                    None => Session::new(),
                },
            },
            Some(Found::Conflict) => rejected(Rejection::Duplicate),
            Some(Found::HeaderTooLarge) => rejected(Rejection::TooLarge),
            Some(Found::Value(value)) => self.open(value, now, MAX_COOKIE_BYTES, aad_name),
        };
        session.sent = sent;
        if self.options.max_age > 0 && session.expiry().is_none() {
            session.set_expiry(Some(now.saturating_add(self.options.max_age * MICROS_PER_SEC)));
        }
        session.loaded_expiry = session.expiry();
        session.clean();
        session
    }

    /// Whether sessions may be split across cookies (`sealed` only).
    fn chunking(&self) -> bool {
        matches!(self.codec, Codec::Sealed(_)) && self.options.max_chunks > 1
    }

    fn open(&self, value: &str, now: u64, limit: usize, aad_name: &str) -> Session {
        if value.len() > limit {
            return rejected(Rejection::TooLarge);
        }
        let decoded = match &self.codec {
            Codec::Sealed(keys) => sealed::open(keys, aad_name, value).and_then(sealed::Opened::into_session),
            Codec::Plain => Session::decode(value).map_err(|_| Rejection::Malformed),
            Codec::Apache(keys) => keys.open(value).and_then(|o| {
                let mut s = Session::decode(&o.plaintext).map_err(|_| Rejection::Malformed)?;
                s.reseal = o.reseal;
                Ok(s)
            }),
        };
        let mut session = match decoded {
            Ok(s) => s,
            Err(why) => return rejected(why),
        };
        let lifetime_end = match (self.options.max_lifetime, session.issued) {
            (0, _) | (_, None) => None,
            (life, Some(issued)) => Some(issued.saturating_add(life * MICROS_PER_SEC)),
        };
        let expired = |t: Option<u64>| t.is_some_and(|t| t <= now);
        if expired(session.expiry()) || expired(lifetime_end) {
            let mut gone = Session::new();
            gone.status = Some(LoadStatus::Expired);
            return gone;
        }
        session.status = Some(LoadStatus::Loaded);
        session
    }

    /// Ends `session` if it was issued before `not_before` (µs): a revocation ("log out
    /// everywhere") for its user or for everyone, looked up by the caller. The session becomes
    /// empty with [`Rejection::Revoked`], so the next save removes the cookie. Sessions without
    /// an issue time (the `plain` and `apache` formats carry none) are ended too: a revocation
    /// cannot tell them apart. Returns whether it was ended.
    ///
    /// ```
    /// use edge_session::{LoadStatus, Rejection};
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = m.load(None, 1_000);
    /// s.insert("user", "alice").unwrap();
    /// let cookie = m.save(&mut s, 1_000).unwrap().unwrap();
    /// let mut s = m.load(Some(cookie.split(';').next().unwrap()), 2_000);
    /// assert!(!m.revoke_if_issued_before(&mut s, 1_000), "issued at the not-before time: kept");
    /// assert!(m.revoke_if_issued_before(&mut s, 1_500));
    /// assert_eq!(s.status(), LoadStatus::Rejected(Rejection::Revoked));
    /// assert!(m.save(&mut s, 2_000).unwrap().unwrap().contains("Max-Age=0"));
    /// ```
    pub fn revoke_if_issued_before(&self, session: &mut Session, not_before: u64) -> bool {
        if session.status() != LoadStatus::Loaded || session.issued.is_some_and(|i| i >= not_before) {
            return false;
        }
        reject(session, Rejection::Revoked);
        true
    }

    /// Saves `session` at time `now` (µs): the `Set-Cookie` value to send, or `None` when
    /// nothing needs sending. The rules, after mod_session:
    ///
    /// - an empty session is a removal cookie if the client sent one, else nothing;
    /// - with `max_age`, the expiry slides to `now + max_age`, capped by `max_lifetime`;
    /// - an unmodified session is written only when its expiry moved by at least
    ///   `expiry_update_interval` (every time when 0; never without `max_age`), or when it was
    ///   opened with an older key (re-sealed with the first);
    /// - a session past its expiry or lifetime is not saved (a removal cookie if one was sent).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = m.load(None, 0);
    /// assert_eq!(m.save(&mut s, 0).unwrap(), None);
    /// ```
    pub fn save(&self, session: &mut Session, now: u64) -> Result<Option<String>, SaveError> {
        match self.prepare(session, now)? {
            Write::Nothing => Ok(None),
            Write::Remove => Ok(Some(self.removal_cookie())),
            Write::Value { value, max_age, expiry, issued } => {
                let line = self
                    .attributes
                    .set_cookie(&self.options.cookie_name, &value, max_age)
                    .map_err(|len| SaveError::CookieTooLarge { len, max: MAX_COOKIE_BYTES })?;
                self.saved(session, expiry, issued, chunks::Sent { whole: true, chunks: session.sent.chunks });
                Ok(Some(line))
            }
        }
    }

    /// Saves `session` like [`save`](Self::save), as every `Set-Cookie` line to send (none when
    /// nothing needs sending). A `sealed` session too long for one cookie is split across
    /// `NAME.0`, `NAME.1`, … (at most `max_chunks`); the lines also remove whatever form of the
    /// session cookie the browser holds and no longer needs (the whole cookie, stale chunks).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = m.load(None, 0);
    /// s.insert("big", &"x".repeat(5000)).unwrap();
    /// let lines = m.save_all(&mut s, 0).unwrap();
    /// assert_eq!(lines.len(), 2);
    /// assert!(lines[0].starts_with("session.0=2*") && lines[1].starts_with("session.1="));
    /// let header: Vec<&str> = lines.iter().map(|l| l.split(';').next().unwrap()).collect();
    /// assert_eq!(m.load(Some(&header.join("; ")), 1).get("big").map(str::len), Some(5000));
    /// ```
    pub fn save_all(&self, session: &mut Session, now: u64) -> Result<Vec<String>, SaveError> {
        let name = &self.options.cookie_name;
        let sent = session.sent;
        match self.prepare(session, now)? {
            Write::Nothing => Ok(Vec::new()),
            Write::Remove => Ok(self.removals(session)),
            Write::Value { value, max_age, expiry, issued } => {
                if let Ok(line) = self.attributes.set_cookie(name, &value, max_age) {
                    let mut lines = vec![line];
                    lines.extend(self.stale_chunks(sent, 0));
                    self.saved(session, expiry, issued, chunks::Sent { whole: true, chunks: 0 });
                    return Ok(lines);
                }
                if !self.chunking() {
                    let len = name.len() + 1 + value.len();
                    return Err(SaveError::CookieTooLarge { len, max: MAX_COOKIE_BYTES });
                }
                let max = self.options.max_chunks;
                let mut lines = chunks::split(&self.attributes, name, &value, max_age, max)
                    .map_err(|needed| SaveError::TooManyChunks { needed, max })?;
                let n = lines.len();
                if sent.whole {
                    lines.push(self.removal_cookie());
                }
                lines.extend(self.stale_chunks(sent, n));
                let written = u16::try_from((1u32 << n) - 1).unwrap_or(u16::MAX);
                self.saved(session, expiry, issued, chunks::Sent { whole: false, chunks: written });
                Ok(lines)
            }
        }
    }

    /// Decides what a save writes (shared by `save` and `save_all`).
    fn prepare(&self, session: &Session, now: u64) -> Result<Write, SaveError> {
        let (expiry, issued) = match self.decide(session, now) {
            Decision::Nothing => return Ok(Write::Nothing),
            Decision::Remove => return Ok(Write::Remove),
            Decision::Write { expiry, issued } => (expiry, issued),
        };
        let o = &self.options;
        let value = match &self.codec {
            Codec::Sealed(keys) => {
                let limit = o.max_chunks * MAX_COOKIE_BYTES;
                let body = session.encode_entries();
                if body.len() > limit {
                    // Base64 alone makes it longer than every allowed chunk together.
                    return Err(if self.chunking() {
                        let needed = (body.len() * 4 / 3).div_ceil(MAX_COOKIE_BYTES - 64);
                        SaveError::TooManyChunks { needed, max: o.max_chunks }
                    } else {
                        SaveError::CookieTooLarge { len: body.len(), max: MAX_COOKIE_BYTES }
                    });
                }
                sealed::seal(&keys.current, &o.cookie_name, expiry, Some(issued), &body)?
            }
            Codec::Plain => session.encode(expiry),
            Codec::Apache(keys) => keys.seal(&session.encode(expiry))?,
        };
        let max_age = expiry.map(|e| e.saturating_sub(now).div_ceil(MICROS_PER_SEC));
        Ok(Write::Value { value, max_age, expiry, issued })
    }

    /// The mod_session rules of a save, whatever the format: write (with this expiry and issue
    /// time), remove, or nothing.
    fn decide(&self, session: &Session, now: u64) -> Decision {
        let o = &self.options;
        let had_cookie = session.status() != LoadStatus::New;
        let issued = session.issued.unwrap_or(now);
        let lifetime_end = (o.max_lifetime > 0).then(|| issued.saturating_add(o.max_lifetime * MICROS_PER_SEC));
        let sliding = (o.max_age > 0).then(|| now.saturating_add(o.max_age * MICROS_PER_SEC));
        let expiry = match (sliding.or(session.expiry()), lifetime_end) {
            (Some(e), Some(end)) => Some(e.min(end)),
            (e, end) => e.or(end),
        };
        if session.is_empty() || expiry.is_some_and(|e| e <= now) {
            return if had_cookie { Decision::Remove } else { Decision::Nothing };
        }
        if !session.is_modified() && !session.reseal && session.status() == LoadStatus::Loaded {
            let moved = match (expiry, session.loaded_expiry) {
                (Some(new), Some(old)) => new.saturating_sub(old),
                _ => 0,
            };
            if o.max_age == 0 || moved < o.expiry_update_interval * MICROS_PER_SEC {
                return Decision::Nothing;
            }
        }
        Decision::Write { expiry, issued }
    }

    fn saved(&self, session: &mut Session, expiry: Option<u64>, issued: u64, sent: chunks::Sent) {
        session.mark_saved(expiry, issued);
        session.status = Some(LoadStatus::Loaded);
        session.sent = sent;
    }

    /// The `Set-Cookie` lines that delete every form of the session cookie the browser holds.
    fn removals(&self, session: &mut Session) -> Vec<String> {
        let sent = session.sent;
        let mut lines: Vec<String> =
            (sent.whole || sent.chunks == 0).then(|| self.removal_cookie()).into_iter().collect();
        lines.extend(self.stale_chunks(sent, 0));
        session.sent = chunks::Sent::default();
        lines
    }

    /// Removals of the chunk cookies from `from` on that the browser holds.
    fn stale_chunks(&self, sent: chunks::Sent, from: usize) -> impl Iterator<Item = String> + '_ {
        let name = &self.options.cookie_name;
        (from..chunks::MAX_CHUNKS_LIMIT)
            .filter(move |i| sent.chunks & (1 << i) != 0)
            .map(move |i| self.attributes.set_cookie(&chunks::chunk_name(name, i), "", Some(0)).unwrap_or_default())
    }

    /// The `Set-Cookie` value that deletes the session cookie.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert_eq!(m.removal_cookie(), "session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax");
    /// ```
    pub fn removal_cookie(&self) -> String {
        // Name and attributes were validated and are far below the size limit.
        self.attributes.set_cookie(&self.options.cookie_name, "", Some(0)).unwrap_or_default()
    }
}

/// What a save writes with a server-side store (see `store.rs`).
#[cfg(any(test, feature = "worker"))]
#[derive(Debug)]
pub(crate) enum StoreWrite {
    /// Nothing to store or send.
    Nothing,
    /// Delete the record of `old` (if any); send `cookies` (removals).
    Remove { old: Option<StoreRef>, cookies: Vec<String> },
    /// Store `record` under `new` until `expiry` (µs); delete `old`'s record when `reissued`
    /// (a new id); send `cookies`.
    Put {
        new: StoreRef,
        old: Option<StoreRef>,
        record: String,
        expiry: Option<u64>,
        cookies: Vec<String>,
        reissued: bool,
    },
}

#[cfg(any(test, feature = "worker"))]
impl SessionManager {
    /// The sealing key (the server-side store needs the sealed format).
    pub(crate) fn seal_key(&self) -> Option<&keys::SealKey> {
        match &self.codec {
            Codec::Sealed(keys) => Some(&keys.current),
            _ => None,
        }
    }

    fn store_aad_name(&self) -> String {
        format!("{}{}", self.options.cookie_name, store::AAD_SUFFIX)
    }

    /// Server-side store: opens the cookie's store token. The session returned holds no entries
    /// yet (but its status, expiry and issue time); the reference says which record to read.
    /// A token that opens but names no valid id is malformed.
    pub(crate) fn load_store_ref(&self, cookie_header: Option<&str>, now: u64) -> (Session, Option<StoreRef>) {
        let token = self.load_as(cookie_header, now, &self.store_aad_name());
        if token.status() != LoadStatus::Loaded {
            return (token, None);
        }
        let sref = StoreRef::parse(&token.encode_entries());
        let mut session = token;
        match &sref {
            // Its status, expiry, issue time and cookie bookkeeping stay; the entries come from
            // the record.
            Some(_) => {
                session.clear();
                session.clean();
            }
            None => reject(&mut session, Rejection::Malformed),
        }
        (session, sref)
    }

    /// Server-side store: fills a session from `load_store_ref` with the entries of its record
    /// (`None`: the store holds none, and the session ends as [`Rejection::NotStored`]).
    pub(crate) fn attach_record(&self, session: &mut Session, record: Option<&str>) {
        let decoded = record.and_then(store::record_body).map(Session::decode);
        match decoded {
            Some(Ok(entries)) => {
                for (k, v) in entries.iter() {
                    // Within MAX_ENTRIES: the record decoded under the same cap.
                    let _ = session.insert(k, v);
                }
                session.clean();
            }
            _ => reject(session, Rejection::NotStored),
        }
    }

    /// Server-side store: saves `session` (loaded from `current`) under the save rules of
    /// [`save`](Self::save). A modified, regenerated or new session gets a new id (the old
    /// record is deleted); a save that only slides the expiry keeps it. `homes` selects Durable
    /// Object homes, with the session key that names the user.
    pub(crate) fn save_store(
        &self,
        session: &mut Session,
        current: Option<&StoreRef>,
        homes: Option<&str>,
        now: u64,
    ) -> Result<StoreWrite, SaveError> {
        let key = self.seal_key().ok_or(SaveError::NotSealed)?;
        let sent = session.sent;
        let (expiry, issued) = match self.decide(session, now) {
            Decision::Nothing => return Ok(StoreWrite::Nothing),
            Decision::Remove => {
                return Ok(StoreWrite::Remove { old: current.cloned(), cookies: self.removals(session) })
            }
            Decision::Write { expiry, issued } => (expiry, issued),
        };
        let body = session.encode_entries();
        if body.len() > store::MAX_RECORD_BYTES {
            return Err(SaveError::RecordTooLarge { len: body.len(), max: store::MAX_RECORD_BYTES });
        }
        let id = match current {
            Some(c) if !session.is_modified() && !session.reseal && session.status() == LoadStatus::Loaded => {
                c.id.clone()
            }
            _ => SessionId::generate().map_err(|_| SaveError::Random)?,
        };
        let home = homes.map(|user_key| store::home_for(key, session.get(user_key), &id));
        let new = StoreRef { id, home };
        let token = sealed::seal(key, &self.store_aad_name(), expiry, Some(issued), &new.body())?;
        let max_age = expiry.map(|e| e.saturating_sub(now).div_ceil(MICROS_PER_SEC));
        let line = self
            .attributes
            .set_cookie(&self.options.cookie_name, &token, max_age)
            .map_err(|len| SaveError::CookieTooLarge { len, max: MAX_COOKIE_BYTES })?;
        let mut cookies = vec![line];
        cookies.extend(self.stale_chunks(sent, 0));
        self.saved(session, expiry, issued, chunks::Sent { whole: true, chunks: 0 });
        let reissued = current.map_or(true, |c| !c.id.same(&new.id));
        Ok(StoreWrite::Put { new, old: current.cloned(), record: store::record(&body), expiry, cookies, reissued })
    }
}

/// Ends a loaded session as rejected, keeping what the browser holds (so a save removes it).
fn reject(session: &mut Session, why: Rejection) {
    let sent = session.sent;
    *session = rejected(why);
    session.sent = sent;
}

fn rejected(why: Rejection) -> Session {
    let mut s = Session::new();
    s.status = Some(LoadStatus::Rejected(why));
    s
}

#[cfg(test)]
// Options is #[non_exhaustive]: callers outside the crate build it this way, so the tests do too.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000_000_000;
    const SEC: u64 = MICROS_PER_SEC;

    fn manager(f: impl FnOnce(&mut Options)) -> SessionManager {
        let mut o = Options::default();
        o.keys = vec![crate::generate_key().unwrap()];
        f(&mut o);
        SessionManager::new(o).unwrap()
    }

    fn cookie_of(set_cookie: &str) -> &str {
        set_cookie.split(';').next().unwrap()
    }

    fn login(m: &SessionManager, now: u64) -> String {
        let mut s = m.load(None, now);
        s.insert("user", "alice").unwrap();
        cookie_of(&m.save(&mut s, now).unwrap().unwrap()).to_owned()
    }

    #[test]
    fn anonymous_visitors_get_no_cookie() {
        let m = manager(|o| o.max_age = 60);
        let mut s = m.load(Some("other=1"), T0);
        assert_eq!(s.status(), LoadStatus::New);
        assert_eq!(m.save(&mut s, T0).unwrap(), None);
    }

    #[test]
    fn sliding_max_age() {
        let m = manager(|o| o.max_age = 60);
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 30 * SEC);
        assert_eq!(s.get("user"), Some("alice"));
        assert_eq!(s.expiry(), Some(T0 + 60 * SEC));
        let renewed = m.save(&mut s, T0 + 30 * SEC).unwrap().unwrap();
        assert!(renewed.contains("; Max-Age=60;"), "{renewed}");
        assert_eq!(s.expiry(), Some(T0 + 90 * SEC));
        let s = m.load(Some(cookie_of(&renewed)), T0 + 89 * SEC);
        assert_eq!(s.status(), LoadStatus::Loaded);
        let s = m.load(Some(cookie_of(&renewed)), T0 + 90 * SEC);
        assert_eq!(s.status(), LoadStatus::Expired);
        assert!(s.is_empty());
    }

    #[test]
    fn expired_session_is_not_saved_and_cookie_removed() {
        let m = manager(|o| o.max_age = 60);
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 61 * SEC);
        assert!(s.is_empty());
        assert_eq!(m.save(&mut s, T0 + 61 * SEC).unwrap(), Some(m.removal_cookie()));
    }

    #[test]
    fn absolute_lifetime_caps_sliding_expiry() {
        let m = manager(|o| {
            o.max_age = 60;
            o.max_lifetime = 100;
        });
        let mut c = login(&m, T0);
        let mut now = T0;
        for _ in 0..3 {
            now += 30 * SEC;
            let mut s = m.load(Some(&c), now);
            assert_eq!(s.get("user"), Some("alice"), "at {}", (now - T0) / SEC);
            let set = m.save(&mut s, now).unwrap().unwrap();
            assert!(s.expiry().unwrap() <= T0 + 100 * SEC);
            c = cookie_of(&set).to_owned();
        }
        // at t=90 the expiry was capped to t=100 (Max-Age=10): at t=100 it is gone.
        assert_eq!(m.load(Some(&c), T0 + 99 * SEC).status(), LoadStatus::Loaded);
        assert_eq!(m.load(Some(&c), T0 + 100 * SEC).status(), LoadStatus::Expired);
    }

    #[test]
    fn lifetime_without_max_age() {
        let m = manager(|o| o.max_lifetime = 10);
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 5 * SEC);
        assert_eq!(s.get("user"), Some("alice"));
        assert_eq!(m.save(&mut s, T0 + 5 * SEC).unwrap(), None, "unmodified, no max age: no write");
        assert!(m.load(Some(&c), T0 + 10 * SEC).is_empty());
    }

    #[test]
    fn lifetime_shortened_by_config_applies_to_old_cookies() {
        let long = manager(|o| o.max_lifetime = 1000);
        let c = login(&long, T0);
        let mut o = long.options().clone();
        o.max_lifetime = 10;
        let short = SessionManager::new(o).unwrap();
        assert_eq!(short.load(Some(&c), T0 + 11 * SEC).status(), LoadStatus::Expired);
    }

    #[test]
    fn expiry_update_interval() {
        let m = manager(|o| {
            o.max_age = 600;
            o.expiry_update_interval = 60;
        });
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 59 * SEC);
        assert_eq!(m.save(&mut s, T0 + 59 * SEC).unwrap(), None, "moved 59 s < 60 s");
        let mut s = m.load(Some(&c), T0 + 60 * SEC);
        assert!(m.save(&mut s, T0 + 60 * SEC).unwrap().is_some(), "moved 60 s");
        let mut s = m.load(Some(&c), T0 + SEC);
        s.insert("k", "v").unwrap();
        assert!(m.save(&mut s, T0 + SEC).unwrap().is_some(), "modified: always written");
    }

    #[test]
    fn no_max_age_unmodified_is_not_rewritten() {
        let m = manager(|_| {});
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + SEC);
        assert_eq!(m.save(&mut s, T0 + SEC).unwrap(), None);
        assert_eq!(s.expiry(), None);
    }

    #[test]
    fn zero_interval_writes_every_time_with_max_age() {
        let m = manager(|o| o.max_age = 600);
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0);
        assert!(m.save(&mut s, T0).unwrap().is_some());
    }

    #[test]
    fn clear_sends_removal_cookie() {
        let m = manager(|_| {});
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0);
        s.clear();
        assert_eq!(m.save(&mut s, T0).unwrap().unwrap(), format!("session=; Max-Age=0; {DEFAULT_ATTRIBUTES}"));
    }

    #[test]
    fn rotation_reseals_with_the_first_key() {
        let old = crate::generate_key().unwrap();
        let new = crate::generate_key().unwrap();
        let m_old = manager(|o| o.keys = vec![old.clone()]);
        let c = login(&m_old, T0);
        let m = manager(|o| o.keys = vec![new.clone(), old.clone()]);
        let mut s = m.load(Some(&c), T0);
        assert_eq!(s.get("user"), Some("alice"));
        let resealed = m.save(&mut s, T0).unwrap().expect("opened with an old key: written again");
        let only_new = manager(|o| o.keys = vec![new.clone()]);
        assert_eq!(only_new.load(Some(cookie_of(&resealed)), T0).get("user"), Some("alice"));
        assert_eq!(
            only_new.load(Some(&c), T0).status(),
            LoadStatus::Rejected(Rejection::UnknownKey),
            "the old cookie needs the old key"
        );
        let mut again = m.load(Some(cookie_of(&resealed)), T0);
        assert_eq!(m.save(&mut again, T0).unwrap(), None, "current key: no rewrite");
    }

    #[test]
    fn issued_is_kept_across_saves() {
        let m = manager(|o| o.max_age = 60);
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 10 * SEC);
        assert_eq!(s.issued(), Some(T0));
        s.insert("x", "1").unwrap();
        let c2 = m.save(&mut s, T0 + 10 * SEC).unwrap().unwrap();
        assert_eq!(m.load(Some(cookie_of(&c2)), T0 + 20 * SEC).issued(), Some(T0));
    }

    #[test]
    fn duplicate_and_garbage_cookies_are_empty_sessions() {
        let m = manager(|_| {});
        let c = login(&m, T0);
        let other = login(&m, T0);
        let s = m.load(Some(&format!("{c}; {other}")), T0);
        assert_eq!(s.status(), LoadStatus::Rejected(Rejection::Duplicate));
        assert_eq!(m.load(Some(&format!("{c}; {c}")), T0).get("user"), Some("alice"));
        for junk in ["session=%%%", "session=\u{0}\u{1}", "session===", "session=AAAA"] {
            assert!(m.load(Some(junk), T0).is_empty(), "{junk:?}");
        }
        let big = format!("session={}", "A".repeat(MAX_COOKIE_BYTES + 1));
        assert_eq!(m.load(Some(&big), T0).status(), LoadStatus::Rejected(Rejection::TooLarge));
    }

    #[test]
    fn regenerate_reissues_and_restarts_the_lifetime() {
        let m = manager(|o| {
            o.max_age = 0;
            o.max_lifetime = 100;
        });
        let c = login(&m, T0);
        // 90 s later the origin logs in again and asks for a new session.
        let mut s = m.load(Some(&c), T0 + 90 * SEC);
        assert_eq!(s.issued(), Some(T0));
        s.apply_update("role=admin&!regenerate=1").unwrap();
        let fresh = cookie_of(&m.save(&mut s, T0 + 90 * SEC).unwrap().unwrap()).to_owned();
        assert_ne!(fresh, c);
        let s = m.load(Some(&fresh), T0 + 150 * SEC);
        assert_eq!((s.get("user"), s.get("role"), s.issued()), (Some("alice"), Some("admin"), Some(T0 + 90 * SEC)));
        assert!(m.load(Some(&c), T0 + 150 * SEC).is_empty(), "the old one ended with its own lifetime");
        assert!(s.iter().all(|(k, _)| k != crate::REGENERATE_KEY), "never stored");
        // Reserved for the session API, and ignored inside a stored session.
        let mut s = m.load(None, T0);
        assert_eq!(s.insert(crate::REGENERATE_KEY, "1"), Err(crate::SessionError::ReservedKey));
        let plain = manager(|o| {
            o.format = Format::Plain;
            o.keys.clear();
        });
        let s = plain.load(Some("session=user=bob&%21regenerate=1"), T0);
        assert_eq!((s.to_string().as_str(), s.is_modified()), ("user=bob", false));
    }

    #[test]
    fn plain_format_matches_apache() {
        let mut o = Options::default();
        o.format = Format::Plain;
        o.max_age = 3600;
        let m = SessionManager::new(o).unwrap();
        let mut s = m.load(None, T0);
        s.apply_update("user=alice&role=admin").unwrap();
        let set = m.save(&mut s, T0).unwrap().unwrap();
        assert_eq!(
            set,
            format!("session=user=alice&role=admin&expiry={}; Max-Age=3600; {DEFAULT_ATTRIBUTES}", T0 + 3600 * SEC)
        );
        let s = m.load(Some(cookie_of(&set)), T0 + SEC);
        assert_eq!(s.to_string(), format!("user=alice&role=admin&expiry={}", T0 + 3600 * SEC));
    }

    #[test]
    fn config_errors() {
        let err = |f: &dyn Fn(&mut Options)| {
            let mut o = Options::default();
            o.keys = vec![crate::generate_key().unwrap()];
            f(&mut o);
            SessionManager::new(o).unwrap_err()
        };
        assert_eq!(err(&|o| o.keys.clear()), ConfigError::NoKeys);
        assert!(matches!(err(&|o| o.cookie_name = "a b".into()), ConfigError::Cookie(CookieError::InvalidName(_))));
        assert_eq!(err(&|o| o.header = "X Bad".into()), ConfigError::InvalidHeaderName("X Bad".into()));
        assert_eq!(err(&|o| o.include = vec!["app".into()]), ConfigError::InvalidPathPrefix("app".into()));
        assert_eq!(err(&|o| o.max_age = MAX_SECONDS + 1), ConfigError::TimeOutOfRange("maxAge"));
        assert_eq!(err(&|o| o.format = Format::Plain), ConfigError::KeysUnused);
        assert_eq!(
            err(&|o| {
                o.keys.clear();
                o.format = Format::Plain;
                o.max_lifetime = 5;
            }),
            ConfigError::LifetimeNeedsSealed
        );
        let dup = crate::generate_key().unwrap();
        assert_eq!(
            err(&|o| o.keys = vec![dup.clone(), dup.clone()]),
            ConfigError::Key { index: 1, error: KeyError::Duplicate }
        );
    }

    /// One request through a store held in `db` (id hex -> record): load, update, save.
    fn store_request(
        m: &SessionManager,
        db: &mut std::collections::HashMap<String, String>,
        cookie: Option<&str>,
        update: Option<&str>,
        homes: Option<&str>,
        now: u64,
    ) -> (Session, StoreWrite) {
        let (mut s, r) = m.load_store_ref(cookie, now);
        if let Some(r) = &r {
            m.attach_record(&mut s, db.get(&r.id.hex()).map(String::as_str));
        }
        let loaded = s.clone();
        if let Some(u) = update {
            s.apply_update(u).unwrap();
        }
        let w = m.save_store(&mut s, r.as_ref(), homes, now).unwrap();
        match &w {
            StoreWrite::Put { new, old, record, reissued, .. } => {
                if *reissued {
                    old.iter().for_each(|o| drop(db.remove(&o.id.hex())));
                }
                db.insert(new.id.hex(), record.clone());
            }
            StoreWrite::Remove { old, .. } => old.iter().for_each(|o| drop(db.remove(&o.id.hex()))),
            StoreWrite::Nothing => {}
        }
        (loaded, w)
    }

    fn cookie_line(w: &StoreWrite) -> String {
        match w {
            StoreWrite::Put { cookies, .. } | StoreWrite::Remove { cookies, .. } => cookie_of(&cookies[0]).to_owned(),
            StoreWrite::Nothing => panic!("nothing written"),
        }
    }

    #[test]
    fn store_sessions_live_in_the_record_and_ids_are_reissued_on_change() {
        let m = manager(|o| {
            o.max_age = 600;
            o.expiry_update_interval = 60;
        });
        let mut db = std::collections::HashMap::new();
        let t = 1_800_000_000_000_000;
        let (_, w) = store_request(&m, &mut db, None, Some("user=alice&role=admin"), None, t);
        let c1 = cookie_line(&w);
        assert!(!c1.contains("alice") && c1.len() < 150, "the cookie holds only the sealed id: {c1}");
        assert_eq!(db.values().collect::<Vec<_>>(), ["1:user=alice&role=admin"]);

        // Read without change, within the update interval: nothing written, same id.
        let (s, w) = store_request(&m, &mut db, Some(&c1), None, None, t + 1_000_000);
        assert_eq!((s.get("user"), s.status()), (Some("alice"), LoadStatus::Loaded));
        assert!(matches!(w, StoreWrite::Nothing));

        // The expiry slides past the interval: rewritten under the same id (as Apache does).
        let (_, w) = store_request(&m, &mut db, Some(&c1), None, None, t + 120_000_000);
        let StoreWrite::Put { reissued: false, ref new, expiry, .. } = w else { panic!("{w:?}") };
        assert_eq!(expiry, Some(t + 720_000_000));
        let first_id = new.id.hex();
        let c2 = cookie_line(&w);

        // A change re-issues the id; the old record is gone, the old cookie finds nothing.
        let (_, w) = store_request(&m, &mut db, Some(&c2), Some("cart=3"), None, t + 130_000_000);
        let StoreWrite::Put { reissued: true, ref new, .. } = w else { panic!("{w:?}") };
        assert_ne!(new.id.hex(), first_id);
        assert_eq!(db.len(), 1);
        let c3 = cookie_line(&w);
        let (s, _) = store_request(&m, &mut db, Some(&c2), None, None, t + 131_000_000);
        assert_eq!(s.status(), LoadStatus::Rejected(Rejection::NotStored));
        let (s, _) = store_request(&m, &mut db, Some(&c3), None, None, t + 132_000_000);
        assert_eq!(s.to_string(), format!("user=alice&role=admin&cart=3&expiry={}", t + 730_000_000));

        // Emptied: the record is deleted and the cookie removed.
        let (_, w) = store_request(&m, &mut db, Some(&c3), Some("user=&role=&cart="), None, t + 133_000_000);
        assert!(matches!(w, StoreWrite::Remove { old: Some(_), .. }), "{w:?}");
        assert!(cookie_line(&w).starts_with("session="));
        assert!(db.is_empty());
    }

    #[test]
    fn store_tokens_and_cookie_tokens_do_not_open_as_each_other() {
        let m = manager(|o| o.max_age = 600);
        let mut db = std::collections::HashMap::new();
        // A cookie-format session whose entries look like a store token.
        let mut s = m.load(None, 0);
        s.insert("sid", &"ab".repeat(16)).unwrap();
        let cookie_format = cookie_of(&m.save(&mut s, 0).unwrap().unwrap()).to_owned();
        let (s, r) = m.load_store_ref(Some(&cookie_format), 1);
        assert_eq!((s.status(), r), (LoadStatus::Rejected(Rejection::Tampered), None));
        // And a store token is not a cookie-format session.
        let (_, w) = store_request(&m, &mut db, None, Some("user=bob"), None, 0);
        let store_cookie = cookie_line(&w);
        assert_eq!(m.load(Some(&store_cookie), 1).status(), LoadStatus::Rejected(Rejection::Tampered));
        // A record that does not decode is no session.
        let (mut s, r) = m.load_store_ref(Some(&store_cookie), 1);
        m.attach_record(&mut s, Some("9:user=bob"));
        assert_eq!((s.status(), s.is_empty(), r.is_some()), (LoadStatus::Rejected(Rejection::NotStored), true, true));
    }

    #[test]
    fn store_homes_follow_the_user_and_regenerate_reissues() {
        let m = manager(|o| o.max_age = 600);
        let mut db = std::collections::HashMap::new();
        let (_, w) = store_request(&m, &mut db, None, Some("cart=1"), Some("user"), 0);
        let StoreWrite::Put { ref new, .. } = w else { panic!() };
        let anon_home = new.home.clone().unwrap();
        assert_eq!(anon_home, format!("a{}", new.id.hex()), "anonymous: an object of its own");
        let c = cookie_line(&w);
        let (_, w) = store_request(&m, &mut db, Some(&c), Some("!regenerate=1&user=alice"), Some("user"), 1);
        let StoreWrite::Put { ref new, ref old, reissued: true, .. } = w else { panic!() };
        assert_eq!(old.as_ref().and_then(|o| o.home.clone()), Some(anon_home));
        let alice_home = new.home.clone().unwrap();
        assert!(alice_home.starts_with('u') && !alice_home.contains("alice"));
        let c = cookie_line(&w);
        let (s, w) = store_request(&m, &mut db, Some(&c), Some("theme=dark"), Some("user"), 2);
        assert_eq!(s.get("cart"), Some("1"));
        let StoreWrite::Put { ref new, .. } = w else { panic!() };
        assert_eq!(new.home.as_deref(), Some(alice_home.as_str()), "a user's sessions share one object");
    }

    #[test]
    fn store_save_needs_the_sealed_format_and_caps_records() {
        let plain = manager(|o| {
            o.format = Format::Plain;
            o.keys.clear();
        });
        let mut s = Session::new();
        s.insert("k", "v").unwrap();
        assert_eq!(plain.save_store(&mut s, None, None, 0).unwrap_err(), SaveError::NotSealed);
        let m = manager(|_| {});
        let mut s = Session::new();
        for i in 0..5 {
            s.insert(&format!("k{i}"), &"x".repeat(15_000)).unwrap();
        }
        assert!(matches!(m.save_store(&mut s, None, None, 0), Err(SaveError::RecordTooLarge { .. })));
        s.remove("k0");
        assert!(matches!(m.save_store(&mut s, None, None, 0), Ok(StoreWrite::Put { .. })), "60 KB fits a store");
    }

    #[test]
    fn secrets_never_reach_debug_output() {
        let key = crate::generate_key().unwrap();
        let pass = "a passphrase that is long enough to be accepted".to_owned();
        let m = manager(|o| o.keys = vec![key.clone(), pass.clone()]);
        let dbg = format!("{m:?} {:?}", m.options());
        assert!(!dbg.contains(&key) && !dbg.contains(&pass), "{dbg}");
        assert!(dbg.contains("redacted"));
    }
}
