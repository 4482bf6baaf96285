//! Typed sessions in Rust (the `serde` feature): a whole session read into a `T: Deserialize`, a
//! `T: Serialize` applied as an update, through `serde_urlencoded`, and, for origins written in
//! Rust, the front proxy's `X-Session` checked and read into a `T` ([`read_origin_session`]).
//!
//! `serde_urlencoded` reads and writes the form encoding of a struct's fields; the session keeps
//! them with its own codec (Apache's lowercase hex, an empty value deleting a key). A value kept
//! as JSON (`key.json`, see [`Value`](crate::Value)) reaches a field as its JSON text, which is
//! what a number or a boolean field reads. `expiry` and the reserved names cannot be fields.

use core::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codec;
use crate::session::{Session, SessionError};
use crate::signature::{SignatureError, verify_signature};
use crate::value;

/// Why a session could not be read into a type or updated from one.
///
/// ```
/// #[derive(serde::Deserialize, Debug)]
/// struct Login { user: String }
/// let s = edge_session::Session::new();
/// assert!(matches!(s.to_typed::<Login>(), Err(edge_session::TypedError::Deserialize(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TypedError {
    /// The session does not hold what the type needs (a missing field, a value of another type).
    Deserialize(String),
    /// The value cannot be written as a form (a nested struct, a map of maps).
    Serialize(String),
    /// A field is named `expiry` or a reserved name (`!…`, `flash.…`, `….json`).
    ReservedField(String),
    /// The session refused the update (too many entries, a NUL character).
    Session(SessionError),
    /// The request's `X-Session` is not the front proxy's ([`read_origin_session`]).
    Signature(SignatureError),
}

impl fmt::Display for TypedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Deserialize(e) => write!(f, "the session does not fit the type: {e}"),
            Self::Serialize(e) => write!(f, "the value cannot be a session update: {e}"),
            Self::ReservedField(name) => write!(f, "the field {name:?} is a reserved session name"),
            Self::Session(e) => e.fmt(f),
            Self::Signature(e) => write!(f, "X-Session is not the proxy's: {e}"),
        }
    }
}

impl std::error::Error for TypedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Session(e) => Some(e),
            Self::Signature(e) => Some(e),
            _ => None,
        }
    }
}

impl Session {
    /// The whole session read into `T` (flash entries shown this request aside), by
    /// `serde_urlencoded`: each key a field, each value its string (a JSON value its JSON text).
    ///
    /// ```
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Visit { user: String, visits: u32, admin: Option<bool> }
    /// let mut s = edge_session::Session::new();
    /// s.apply_update("user=alice+smith&visits.json=3").unwrap();
    /// assert_eq!(s.to_typed::<Visit>().unwrap(), Visit { user: "alice smith".into(), visits: 3, admin: None });
    /// ```
    pub fn to_typed<T: DeserializeOwned>(&self) -> Result<T, TypedError> {
        let mut form = String::new();
        codec::encode_into(&mut form, self.values().map(|(k, v)| (k, v.as_str())));
        serde_urlencoded::from_str(&form).map_err(|e| TypedError::Deserialize(e.to_string()))
    }

    /// Applies `update` as a SessionHeader would: each field set to its value, written by
    /// `serde_urlencoded` (an empty string deletes the key; a `None` field is left out, so its
    /// key stays as it was). A field named `expiry` or a reserved name is an error, and a refused
    /// update leaves the session as it was.
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Login<'a> { user: &'a str, role: Option<&'a str>, theme: &'a str, visits: u32 }
    /// let mut s = edge_session::Session::new();
    /// s.apply_update("role=admin&theme=dark").unwrap();
    /// s.apply_typed(&Login { user: "alice", role: None, theme: "", visits: 1 }).unwrap();
    /// assert_eq!(s.to_string(), "role=admin&user=alice&visits=1");
    /// ```
    pub fn apply_typed<T: Serialize>(&mut self, update: &T) -> Result<(), TypedError> {
        let form = serde_urlencoded::to_string(update).map_err(|e| TypedError::Serialize(e.to_string()))?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(&form).map_err(|e| TypedError::Serialize(e.to_string()))?;
        if let Some((name, _)) = pairs.iter().find(|(k, _)| value::reserved(k)) {
            return Err(TypedError::ReservedField(name.clone()));
        }
        let mut next = self.clone();
        for (key, text) in &pairs {
            next.insert(key, text).map_err(TypedError::Session)?;
        }
        *self = next;
        Ok(())
    }
}

/// For an origin written in Rust behind the front proxy: checks `X-Session-Signature` against the
/// secrets (as [`verify_signature`]) and reads `X-Session` into `T`. `method`, `host` and
/// `target` are the request's as the origin received it; `now` in µs; `tolerance` in seconds.
///
/// ```
/// use edge_session::signature::{DEFAULT_TOLERANCE_SECS, SignatureError};
/// use edge_session::{TypedError, read_origin_session};
/// #[derive(serde::Deserialize)]
/// struct Who { user: String }
/// let secret = "an origin secret of at least 32 characters";
/// let r = read_origin_session::<Who>(&[secret], None, "GET", "app.example", "/", "user=alice", 0, DEFAULT_TOLERANCE_SECS);
/// assert!(matches!(r, Err(TypedError::Signature(SignatureError::Missing))));
/// ```
#[allow(clippy::too_many_arguments)]
pub fn read_origin_session<T: DeserializeOwned>(
    secrets: &[&str],
    signature: Option<&str>,
    method: &str,
    host: &str,
    target: &str,
    x_session: &str,
    now: u64,
    tolerance: u64,
) -> Result<T, TypedError> {
    verify_signature(secrets, signature, method, host, target, x_session, now, tolerance)
        .map_err(TypedError::Signature)?;
    if x_session.len() > crate::limits::MAX_UPDATE_BYTES * 4 {
        return Err(TypedError::Deserialize("X-Session is too large".into()));
    }
    let mut session = Session::new();
    session.restore_entries(x_session).map_err(TypedError::Session)?;
    session.to_typed()
}
