//! The format dispatch: the configured format ([`Format`](crate::Format)) prepared with its keys,
//! and how a cookie value is opened and sealed. The layouts are in `sealed.rs` and `apache.rs`;
//! the plain format is the session string itself (`codec.rs`).

use crate::apache::{ApacheKeys, EncryptError};
use crate::error::{ConfigError, SaveError};
use crate::keys::{self, KeyError, KeyRing};
use crate::limits::MAX_COOKIE_BYTES;
use crate::options::{Format, Options};
use crate::sealed::{self, SealError};
use crate::session::Session;
use crate::status::Rejection;

/// A format with its prepared keys.
#[derive(Debug)]
pub(crate) enum Sealer {
    Sealed(Box<KeyRing>),
    Plain,
    Apache(ApacheKeys),
}

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
        let key_error = |index| move |error| ConfigError::Key { index, error };
        match options.format {
            Format::Sealed => {
                let ring = KeyRing::new(&options.keys).map_err(|(index, error)| ConfigError::Key { index, error })?;
                Ok(Self::Sealed(Box::new(ring.ok_or(ConfigError::NoKeys)?)))
            }
            Format::Plain if !options.keys.is_empty() => Err(ConfigError::KeysUnused),
            Format::Plain => Ok(Self::Plain),
            Format::Apache => {
                // The encrypting passphrase must be strong; older ones only open cookies (so a
                // site can move off Apache's old passphrase without logging anyone out).
                let first = options.keys.first().ok_or(ConfigError::NoKeys)?;
                keys::check_passphrase(first).map_err(key_error(0))?;
                if let Some(index) = options.keys.iter().position(String::is_empty) {
                    return Err(ConfigError::Key { index, error: KeyError::TooShort });
                }
                let repeated =
                    options.keys.iter().enumerate().find(|(i, k)| options.keys.iter().take(*i).any(|o| o == *k));
                if let Some((index, _)) = repeated {
                    return Err(ConfigError::Key { index, error: KeyError::Duplicate });
                }
                Ok(Self::Apache(ApacheKeys::new(options.cipher, &options.keys).ok_or(ConfigError::NoKeys)?))
            }
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
            Self::Plain => Session::decode(value).map_err(|_| Rejection::Malformed),
            Self::Apache(keys) => {
                let d = keys.open(value)?;
                let mut s = Session::decode(&d.plaintext).map_err(|_| Rejection::Malformed)?;
                s.reseal = d.reseal;
                Ok(s)
            }
        }
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
                let body = session.encode_entries();
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
            Self::Apache(keys) => keys.seal(&session.encode(expiry))?,
        })
    }
}
