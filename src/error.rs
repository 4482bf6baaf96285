//! The manager's errors: options that cannot work ([`ConfigError`]) and a session that cannot be
//! written ([`SaveError`]). A bad cookie is never an error (it is an empty session). Each error
//! names the option it is about ([`Opt`]), and renders its message in a face's spelling
//! ([`Spelling`]): `maxAge` in JavaScript, `SESSION_MAX_AGE` in the Worker, `max_age` in Rust
//! (`Display`).

use core::fmt;

use crate::format::Format;
use crate::keys::KeyError;
use crate::option_table::{self, Kind, Opt, Spelling};
use crate::set_cookie::CookieError;
use crate::text::Quoted;

/// Options that cannot make a working manager.
///
/// ```
/// use edge_session::{ConfigError, Options, SessionManager};
/// use edge_session::option_table::{Opt, Spelling};
/// assert_eq!(SessionManager::new(Options::default()).unwrap_err(), ConfigError::NoKeys);
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// o.max_chunks = 0;
/// let e = SessionManager::new(o).unwrap_err();
/// assert_eq!(e.option(), Some(Opt::MaxChunks));
/// assert_eq!(e.message(Spelling::Js), "maxChunks: must be from 1 to 16, not 0");
/// assert_eq!(e.message(Spelling::Env), "SESSION_MAX_CHUNKS: must be from 1 to 16, not 0");
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
    /// `header` or `env_header` (the option) is not an HTTP header name.
    InvalidHeaderName(Opt, String),
    /// `header` or `env_header` names a header a proxy must not take over (`Cookie`, `Host`,
    /// `Authorization`, `Content-Length`, …).
    ProtectedHeader(Opt, String),
    /// `header` and `env_header` are the same header.
    SameHeader,
    /// An `include` / `exclude` prefix (the option) does not start with `/`.
    InvalidPathPrefix(Opt, String),
    /// A number (time, count, size) outside the option's bounds ([`Opt::spec`]'s kind).
    OutOfRange {
        /// The option.
        option: Opt,
        /// What it was given.
        value: u64,
    },
    /// A value the option cannot take: not one of its choices, or not of its kind.
    InvalidValue {
        /// The option.
        option: Opt,
        /// What it was given, as text.
        value: String,
    },
    /// `max_lifetime` needs a format that carries the issue time (`sealed`).
    LifetimeNeedsSealed,
    /// `allow_weak_passphrases` is for the `apache` format only.
    WeakNeedsApache,
    /// `origin_secret` is too short or too uniform (the rule of passphrases).
    OriginSecret(KeyError),
    /// `token_context` needs the `sealed` format (the others have no associated data).
    ContextNeedsSealed,
    /// The format is left out of this build: the `apache` format needs the crate's `apache`
    /// feature (on by default; the npm package's default entry leaves it out).
    FormatUnavailable(Format),
    /// `device_bound` needs the crate's `dbsc` feature (the npm package's `edge-session/device-bound`
    /// entry, the Worker built with its `dbsc` feature).
    /// (`client_binding` too.)
    DeviceBoundUnavailable(Opt),
    /// `device_bound` needs the `sealed` format (its challenges and bound cookies are sealed tokens)
    /// and cookie sessions (not a server-side store's); `client_binding` too.
    DeviceBoundNeedsSealed(Opt),
}

impl ConfigError {
    /// The option the error is about.
    ///
    /// ```
    /// assert_eq!(edge_session::ConfigError::NoKeys.option(), Some(edge_session::option_table::Opt::Keys));
    /// ```
    pub fn option(&self) -> Option<Opt> {
        Some(match self {
            Self::Cookie(CookieError::InvalidName(_)) => Opt::CookieName,
            Self::Cookie(_) => Opt::CookieAttributes,
            Self::NoKeys | Self::KeysUnused | Self::Key { .. } => Opt::Keys,
            Self::InvalidHeaderName(opt, _) | Self::ProtectedHeader(opt, _) | Self::InvalidPathPrefix(opt, _) => *opt,
            Self::OutOfRange { option, .. } | Self::InvalidValue { option, .. } => *option,
            Self::SameHeader => Opt::EnvHeader,
            Self::LifetimeNeedsSealed => Opt::MaxLifetime,
            Self::WeakNeedsApache => Opt::AllowWeakPassphrases,
            Self::OriginSecret(_) => Opt::OriginSecret,
            Self::ContextNeedsSealed => Opt::TokenContext,
            Self::FormatUnavailable(_) => Opt::Format,
            Self::DeviceBoundUnavailable(opt) | Self::DeviceBoundNeedsSealed(opt) => *opt,
        })
    }

    /// The message: the option's name in `spelling`, then what is wrong with it.
    ///
    /// ```
    /// use edge_session::ConfigError;
    /// use edge_session::option_table::{Opt, Spelling};
    /// let e = ConfigError::OutOfRange { option: Opt::MaxAge, value: u64::MAX };
    /// assert!(e.message(Spelling::Js).starts_with("maxAge: must be from 0 to "));
    /// assert!(e.message(Spelling::Env).starts_with("SESSION_MAX_AGE: must be from 0 to "));
    /// ```
    pub fn message(&self, spelling: Spelling) -> String {
        match self.option() {
            Some(opt) => format!("{}: {}", opt.name(spelling), self.reason(spelling)),
            None => self.reason(spelling),
        }
    }

    /// What is wrong, without the option's name (other options it mentions in `spelling`).
    ///
    /// ```
    /// use edge_session::ConfigError;
    /// use edge_session::option_table::Spelling;
    /// assert_eq!(ConfigError::SameHeader.reason(Spelling::Js), "must be a header other than header");
    /// ```
    pub fn reason(&self, spelling: Spelling) -> String {
        let name = |o: Opt| o.name(spelling);
        match self {
            Self::Cookie(e) => e.message(spelling),
            Self::NoKeys => {
                "the sealed and apache formats need at least one key (run `edge-session keygen`)".to_owned()
            }
            Self::KeysUnused => {
                format!("the plain format does not encrypt: remove the keys or set {} to \"sealed\"", name(Opt::Format))
            }
            Self::Key { index, error } => format!("key #{index}: {error}"),
            Self::InvalidHeaderName(_, h) => format!("invalid header name {}", Quoted(h)),
            Self::ProtectedHeader(_, h) => {
                format!(
                    "{} is a header the proxy must leave alone (cookies, routing, framing, caching): pick another name",
                    Quoted(h)
                )
            }
            Self::SameHeader => format!("must be a header other than {}", name(Opt::Header)),
            Self::InvalidPathPrefix(Opt::DeviceBoundPath, p) => {
                format!("path {} must start with \"/\", not end with one, and hold no space or quote", Quoted(p))
            }
            Self::InvalidPathPrefix(_, p) => format!("path prefix {} must start with \"/\"", Quoted(p)),
            Self::OutOfRange { option, value } => {
                let (min, max) = option.bounds();
                format!("must be from {min} to {max}, not {value}")
            }
            Self::InvalidValue { option, value } => match option.spec().kind {
                Kind::Choice(choices) => {
                    let list: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
                    format!("must be {}, not {}", list.join(", "), Quoted(value))
                }
                kind => format!("must be {}, not {}", kind.describe(), Quoted(value)),
            },
            Self::OriginSecret(e) => e.to_string(),
            Self::WeakNeedsApache => "is for the apache format only (other formats take strong keys)".to_owned(),
            Self::LifetimeNeedsSealed => "needs the sealed format (it carries the issue time)".to_owned(),
            Self::ContextNeedsSealed => "needs the sealed format".to_owned(),
            Self::FormatUnavailable(format) => {
                let f = format.as_str();
                format!("the {f} format is not in this build (the crate's \"{f}\" feature)")
            }
            Self::DeviceBoundUnavailable(_) => format!(
                "device-bound sessions are {}",
                match spelling {
                    Spelling::Js => "in the edge-session/device-bound entry: import from it",
                    Spelling::Env => "in the Worker's \"dbsc\" build (bash scripts/build-worker.sh --dbsc)",
                    _ => "the crate's \"dbsc\" feature",
                }
            ),
            Self::DeviceBoundNeedsSealed(_) => {
                "needs the sealed format and cookie sessions (no server-side store)".to_owned()
            }
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Spelling::Rust))
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

impl SaveError {
    /// The message, with option and method names in `spelling`.
    ///
    /// ```
    /// use edge_session::SaveError;
    /// use edge_session::option_table::Spelling;
    /// assert!(SaveError::ChunkedSession.message(Spelling::Js).contains("saveAll"));
    /// assert!(SaveError::TooManyChunks { needed: 5, max: 4 }.message(Spelling::Env).contains("SESSION_MAX_CHUNKS"));
    /// ```
    pub fn message(&self, spelling: Spelling) -> String {
        match self {
            Self::CookieTooLarge { len, max } => {
                format!("session cookie of {len} bytes exceeds the {max}-byte limit: store less in the session")
            }
            Self::Random => "the platform's random number generator failed".to_owned(),
            Self::ChunkedSession => format!(
                "the session is split across several cookies (or must be): save it with {}, which writes and removes every chunk",
                option_table::method("save_all", spelling)
            ),
            Self::TooManyChunks { needed, max } => format!(
                "session needs {needed} cookies of 4096 bytes, more than {} ({max}): store less in the session",
                Opt::MaxChunks.name(spelling)
            ),
        }
    }
}

impl fmt::Display for SaveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Spelling::Rust))
    }
}

impl std::error::Error for SaveError {}
