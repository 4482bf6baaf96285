//! The format dispatch: the configured format ([`Format`](crate::Format)) prepared with its keys,
//! and how a cookie value is opened and sealed. The layouts are in `sealed.rs` and `apache.rs`;
//! the plain format is the session string itself (`codec.rs`).

#[cfg(feature = "apache")]
use crate::apache::{ApacheKeys, EncryptError};
use crate::error::{ConfigError, SaveError};
use crate::format::Format;
use crate::keys::KeyRing;
#[cfg(feature = "apache")]
use crate::keys::{self, KeyError};
use crate::limits::MAX_COOKIE_BYTES;
use crate::options::Options;
use crate::provenance::Provenance;
use crate::sealed::{self, SealError};
use crate::session::Session;
use crate::status::Rejection;

/// A format with its prepared keys.
#[derive(Debug)]
pub(crate) enum Sealer {
    Sealed(Box<KeyRing>),
    Plain,
    /// `weak`: the indexes of passphrases below the strength rule (only with
    /// `allow_weak_passphrases`).
    #[cfg(feature = "apache")]
    Apache {
        keys: ApacheKeys,
        weak: Vec<usize>,
    },
}

#[cfg(feature = "apache")]
impl From<EncryptError> for SaveError {
    fn from(e: EncryptError) -> Self {
        match e {
            EncryptError::Random => Self::Random,
            EncryptError::TooLarge(len) => Self::CookieTooLarge { len, max: MAX_COOKIE_BYTES },
        }
    }
}

impl Sealer {
    /// Prepares the keys `options` name for its format (key schedules, passphrase stretching).
    pub(crate) fn new(options: &Options) -> Result<Self, ConfigError> {
        match options.format {
            Format::Sealed => {
                let ring = KeyRing::new(&options.keys).map_err(|(index, error)| ConfigError::Key { index, error })?;
                Ok(Self::Sealed(Box::new(ring.ok_or(ConfigError::NoKeys)?)))
            }
            Format::Plain if !options.keys.is_empty() => Err(ConfigError::KeysUnused),
            Format::Plain => Ok(Self::Plain),
            #[cfg(not(feature = "apache"))]
            Format::Apache => Err(ConfigError::FormatUnavailable(Format::Apache)),
            #[cfg(feature = "apache")]
            Format::Apache => {
                // Every passphrase, the encrypting one and the older ones that only open, meets
                // the strength rule: a cookie forged under a guessable older passphrase would
                // otherwise be re-encrypted under the strong one and outlive the migration. The
                // operator's opt-in (`allow_weak_passphrases`) admits any passphrase httpd takes
                // (not empty), to share cookies both ways with a live httpd; sessions those open
                // say so (`Session::weak_key`).
                if options.keys.is_empty() {
                    return Err(ConfigError::NoKeys);
                }
                let mut weak = Vec::new();
                for (index, k) in options.keys.iter().enumerate() {
                    if k.is_empty() {
                        return Err(ConfigError::Key { index, error: KeyError::TooShort });
                    }
                    match keys::check_passphrase(k) {
                        Ok(()) => {}
                        Err(_) if options.allow_weak_passphrases => weak.push(index),
                        Err(error) => return Err(ConfigError::Key { index, error }),
                    }
                }
                let repeated =
                    options.keys.iter().enumerate().find(|(i, k)| options.keys.iter().take(*i).any(|o| o == *k));
                if let Some((index, _)) = repeated {
                    return Err(ConfigError::Key { index, error: KeyError::Duplicate });
                }
                let keys = ApacheKeys::new(options.cipher, &options.keys).ok_or(ConfigError::NoKeys)?;
                Ok(Self::Apache { keys, weak })
            }
        }
    }

    /// Whether opening a cookie decrypts (`sealed`, `apache`), which is worth caching.
    pub(crate) fn decrypts(&self) -> bool {
        !matches!(self, Self::Plain)
    }

    /// The indexes of the keys below the strength rule (admitted by `allow_weak_passphrases`).
    pub(crate) fn weak_keys(&self) -> &[usize] {
        match self {
            #[cfg(feature = "apache")]
            Self::Apache { weak, .. } => weak,
            _ => &[],
        }
    }

    /// The sealed format's keys.
    pub(crate) fn ring(&self) -> Option<&KeyRing> {
        match self {
            Self::Sealed(ring) => Some(ring),
            _ => None,
        }
    }

    /// Opens a cookie value (already bounded in length) into an unmodified session carrying
    /// its entries, expiry and issue time. Expiry rules are the caller's.
    pub(crate) fn open(&self, value: &str, binding: &str) -> Result<Session, Rejection> {
        match self {
            Self::Sealed(keys) => sealed::open(keys, binding, value).and_then(sealed::Unsealed::into_session),
            Self::Plain => {
                let s = Session::decode(value).map_err(|_| Rejection::Malformed)?;
                let expiry = s.expiry();
                Ok(Session::opened(s, expiry, Provenance::opened(None)))
            }
            #[cfg(feature = "apache")]
            Self::Apache { keys, weak } => {
                let d = keys.open(value)?;
                let s = Session::decode(&d.plaintext).map_err(|_| Rejection::Malformed)?;
                // A session a weak passphrase opened is written back under that same passphrase,
                // never laundered into one under the strong passphrase: it lives only as long as
                // the operator keeps the weak passphrase, and says so (`Session::weak_key`).
                let keep = weak.contains(&d.passphrase);
                let prov = Provenance {
                    reseal: !d.own_salt || (d.passphrase != 0 && !keep),
                    weak_passphrase: keep.then_some(d.passphrase),
                    ..Provenance::opened(None)
                };
                let expiry = s.expiry();
                Ok(Session::opened(s, expiry, prov))
            }
        }
    }

    /// What [`open`](Self::open) will return for the value [`seal`](Self::seal) just made of
    /// `session` with this expiry and issue time, built without decrypting it: in the `sealed`
    /// format, the same entries, times and key id, unmodified and not to be re-sealed. `None` in
    /// the other formats (the open cache learns their values when they are first opened).
    pub(crate) fn opened_form(&self, session: &Session, expiry: Option<u64>, issued: u64) -> Option<Session> {
        let Self::Sealed(keys) = self else { return None };
        Some(sealed::opened(Session::with_entries_of(session), (expiry, Some(issued)), 0, keys.current.id))
    }

    /// The cookie value of `session` with this expiry and issue time (the sealed format keeps
    /// the times in the token; the others write `expiry` into the session string). A sealed
    /// body over `max_body` bytes is [`SaveError::CookieTooLarge`] before any encryption.
    pub(crate) fn seal(
        &self,
        session: &Session,
        binding: &str,
        expiry: Option<u64>,
        issued: u64,
        max_body: usize,
    ) -> Result<String, SaveError> {
        Ok(match self {
            Self::Sealed(keys) => {
                let body = session.encode(None);
                let too_large = SaveError::CookieTooLarge { len: body.len(), max: MAX_COOKIE_BYTES };
                if body.len() > max_body {
                    return Err(too_large);
                }
                sealed::seal(&keys.current, binding, expiry, Some(issued), &body).map_err(|e| match e {
                    SealError::Random => SaveError::Random,
                    SealError::TooLarge => too_large,
                })?
            }
            Self::Plain => session.encode(expiry),
            #[cfg(feature = "apache")]
            Self::Apache { keys, .. } => {
                keys.seal(&session.encode(expiry), session.provenance().weak_passphrase.unwrap_or(0))?
            }
        })
    }
}
