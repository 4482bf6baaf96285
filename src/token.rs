//! Sealed tokens: short data sealed with the session keys for a purpose and a lifetime, for magic
//! links, invitations and e-mail confirmation. They share the `sealed` cookie's layout
//! (`sealed.rs`) under another version byte and another binding, so a token never opens as a
//! session cookie and a cookie never opens as a token:
//!
//! ```text
//! token     = base64url-no-pad( VERSION | KEY_ID | NONCE | CIPHERTEXT | TAG )
//!   VERSION     1 byte    0x81 (a session cookie's is 0x01)
//! AAD       = VERSION | KEY_ID | 0x00 "token" 0x00 PURPOSE   (no cookie name starts with 0x00)
//! PLAINTEXT = EXPIRES | ISSUED | DATA
//!   EXPIRES     8 bytes   u64 big-endian, µs since the Unix epoch: the token opens before it only
//!   ISSUED      8 bytes   u64 big-endian, µs: when it was sealed
//!   DATA        n bytes   the caller's text (the npm package seals JSON)
//! ```

use core::fmt;

use crate::keys::KeyRing;
use crate::limits::{MAX_PURPOSE_BYTES, MAX_TOKEN_DATA_BYTES};
use crate::policy::micros;
use crate::sealed::{self, SealError};

/// The version byte of a sealed token.
pub(crate) const TOKEN_VERSION: u8 = 0x81;

/// Misuse of [`SessionManager::seal_token`](crate::SessionManager::seal_token).
///
/// ```
/// use edge_session::{Format, Options, SessionManager, TokenError};
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// let m = SessionManager::new(o).unwrap();
/// assert_eq!(m.seal_token("", "x", 60, 0), Err(TokenError::EmptyPurpose));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenError {
    /// Tokens are sealed with the `sealed` format's keys; this manager has none.
    NotSealed,
    /// The purpose must not be empty.
    EmptyPurpose,
    /// The purpose is longer than [`MAX_PURPOSE_BYTES`](crate::limits::MAX_PURPOSE_BYTES).
    PurposeTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The data is longer than [`MAX_TOKEN_DATA_BYTES`](crate::limits::MAX_TOKEN_DATA_BYTES).
    DataTooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// The lifetime must be from 1 second to [`MAX_SECONDS`](crate::limits::MAX_SECONDS).
    TtlOutOfRange {
        /// The seconds given.
        seconds: u64,
    },
    /// The platform's random number generator failed: no nonce.
    Random,
}

impl fmt::Display for TokenError {
    // Fixed sentences (the limits are in `limits`): no number formatting in the npm package.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotSealed => "tokens need the sealed format's keys",
            Self::EmptyPurpose => "a token's purpose must not be empty",
            Self::PurposeTooLong { .. } => "a token's purpose must be at most 128 bytes",
            Self::DataTooLarge { .. } => "a token's data must be at most 2048 bytes (as JSON in JavaScript)",
            Self::TtlOutOfRange { .. } => "a token's ttl must be a whole number of seconds from 1 to 100 years",
            Self::Random => "the platform's random number generator failed",
        })
    }
}

impl std::error::Error for TokenError {}

/// The AAD's binding of a purpose (see the layout).
fn binding(purpose: &str) -> String {
    format!("\0token\0{purpose}")
}

fn check_purpose(purpose: &str) -> Result<(), TokenError> {
    match purpose.len() {
        0 => Err(TokenError::EmptyPurpose),
        len if len > MAX_PURPOSE_BYTES => Err(TokenError::PurposeTooLong { len }),
        _ => Ok(()),
    }
}

/// Seals `data` for `purpose`, opening until `now + ttl` seconds.
pub(crate) fn seal(keys: &KeyRing, purpose: &str, data: &str, ttl: u64, now: u64) -> Result<String, TokenError> {
    check_purpose(purpose)?;
    if data.len() > MAX_TOKEN_DATA_BYTES {
        return Err(TokenError::DataTooLarge { len: data.len() });
    }
    if !(1..=crate::limits::MAX_SECONDS).contains(&ttl) {
        return Err(TokenError::TtlOutOfRange { seconds: ttl });
    }
    let expires = now.saturating_add(micros(ttl));
    sealed::seal_as(TOKEN_VERSION, &keys.current, &binding(purpose), (Some(expires), Some(now.max(1))), data).map_err(
        |e| match e {
            SealError::Random => TokenError::Random,
            SealError::TooLarge => TokenError::DataTooLarge { len: data.len() },
        },
    )
}

/// When a token sealed for `purpose` (one of this crate's own) by a key of the ring expires (µs),
/// expired or not; `None` when it does not open (for tools: the inspector shows a bound cookie's
/// expiry).
pub(crate) fn opened_expiry(keys: &KeyRing, purpose: &str, token: &str) -> Option<u64> {
    sealed::open_as(TOKEN_VERSION, keys, &binding(purpose), token).ok()?.expiry
}

/// The data of a token sealed for `purpose` by a key of the ring, before it expires; `None` for
/// anything else.
pub(crate) fn open(keys: &KeyRing, purpose: &str, token: &str, now: u64) -> Option<String> {
    check_purpose(purpose).ok()?;
    if token.len() > (MAX_TOKEN_DATA_BYTES + 64) * 4 / 3 {
        return None;
    }
    let opened = sealed::open_as(TOKEN_VERSION, keys, &binding(purpose), token).ok()?;
    opened.expiry.filter(|&e| e > now)?;
    Some(opened.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_state_the_limits() {
        assert!(TokenError::PurposeTooLong { len: 1 }.to_string().contains(&MAX_PURPOSE_BYTES.to_string()));
        assert!(TokenError::DataTooLarge { len: 1 }.to_string().contains(&MAX_TOKEN_DATA_BYTES.to_string()));
        assert_eq!(crate::limits::MAX_SECONDS, 100 * 366 * 86_400, "100 years");
    }
}
