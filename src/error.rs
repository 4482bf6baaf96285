//! The manager's errors: options that cannot work ([`ConfigError`]) and a session that cannot be
//! written ([`SaveError`]). A bad cookie is never an error (it is an empty session).

use core::fmt;

use crate::keys::KeyError;
use crate::limits::{MAX_CHUNKS_LIMIT, MAX_OPEN_CACHE, MAX_OPEN_CACHE_BYTES, MAX_SECONDS};
use crate::options::Format;
use crate::set_cookie::CookieError;
use crate::text::Quoted;

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
    /// A time setting (named) is over [`MAX_SECONDS`].
    TimeOutOfRange(&'static str),
    /// `max_lifetime` needs a format that carries the issue time (`sealed`).
    LifetimeNeedsSealed,
    /// `allow_weak_passphrases` is for the `apache` format only.
    WeakNeedsApache,
    /// `origin_secret` is too short or too uniform (the rule of passphrases).
    OriginSecret(KeyError),
    /// `token_context` needs the `sealed` format (the others have no associated data).
    ContextNeedsSealed,
    /// `max_chunks` must be from 1 to [`MAX_CHUNKS_LIMIT`].
    ChunksOutOfRange(usize),
    /// `open_cache` must be at most [`MAX_OPEN_CACHE`].
    OpenCacheOutOfRange(usize),
    /// `open_cache_bytes` must be at most [`MAX_OPEN_CACHE_BYTES`].
    OpenCacheBytesOutOfRange(usize),
    /// The format is left out of this build: the `apache` format needs the crate's `apache`
    /// feature (on by default; the npm package's default entry leaves it out).
    FormatUnavailable(Format),
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
            Self::InvalidPathPrefix(p) => write!(f, "path prefix {} must start with \"/\"", Quoted(p)),
            Self::TimeOutOfRange(name) => write!(f, "{name} is over {MAX_SECONDS} seconds"),
            Self::OriginSecret(e) => write!(f, "origin_secret: {e}"),
            Self::WeakNeedsApache => {
                f.write_str("allow_weak_passphrases is for the apache format only (other formats take strong keys)")
            }
            Self::LifetimeNeedsSealed => {
                f.write_str("max_lifetime needs the sealed format (it carries the issue time)")
            }
            Self::ContextNeedsSealed => f.write_str("token_context needs the sealed format"),
            Self::ChunksOutOfRange(n) => write!(f, "max_chunks must be from 1 to {MAX_CHUNKS_LIMIT}, not {n}"),
            Self::OpenCacheOutOfRange(n) => write!(f, "open_cache must be from 0 to {MAX_OPEN_CACHE}, not {n}"),
            Self::OpenCacheBytesOutOfRange(n) => {
                write!(f, "open_cache_bytes must be from 0 to {MAX_OPEN_CACHE_BYTES}, not {n}")
            }
            Self::FormatUnavailable(format) => {
                let name = format.as_str();
                write!(f, "the {name} format is not in this build (the crate's \"{name}\" feature)")
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
/// o.max_chunks = 1;
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
    /// [`save`](crate::SessionManager::save) writes one cookie, but the browser holds chunks of
    /// this session, or it needs more than one cookie: use
    /// [`save_all`](crate::SessionManager::save_all), which writes and removes every chunk.
    ChunkedSession,
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
            Self::ChunkedSession => f.write_str(
                "the session is split across several cookies (or must be): save it with save_all, which writes and removes every chunk",
            ),
            Self::TooManyChunks { needed, max } => write!(
                f,
                "session needs {needed} cookies of 4096 bytes, more than max_chunks ({max}): store less in the session"
            ),
        }
    }
}

impl std::error::Error for SaveError {}
