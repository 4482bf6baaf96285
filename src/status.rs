//! Where a loaded session came from, and why a cookie gave none.

/// Why a cookie that was present did not give a session. A rejected cookie is an empty session,
/// never an error: this only tells logs and inspectors what happened.
///
/// ```
/// use edge_session::{LoadStatus, Options, Rejection, SessionManager};
/// let mut options = Options::default();
/// options.keys = vec![edge_session::generate_key().unwrap()];
/// let manager = SessionManager::new(options).unwrap();
/// let s = manager.load(Some("session=not-a-token"), 0);
/// assert_eq!(s.status(), LoadStatus::Rejected(Rejection::Malformed));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The session cookie was sent twice with different values.
    Duplicate,
    /// The cookie is longer than any cookie this library writes.
    TooLarge,
    /// Not decodable: bad base64, too short, bad layout.
    Malformed,
    /// A format version this library does not know.
    UnsupportedVersion,
    /// Sealed by a key that is not configured (or no longer).
    UnknownKey,
    /// The authentication tag did not verify: tampered, or for another cookie name.
    Tampered,
    /// Issued before a revocation ("log out everywhere") of its user, or of everyone.
    Revoked,
}

impl Rejection {
    /// Every reason, in a fixed order (for counters).
    ///
    /// ```
    /// assert_eq!(edge_session::Rejection::ALL.len(), 7);
    /// ```
    pub const ALL: [Rejection; 7] = [
        Self::Duplicate,
        Self::TooLarge,
        Self::Malformed,
        Self::UnsupportedVersion,
        Self::UnknownKey,
        Self::Tampered,
        Self::Revoked,
    ];

    /// A short stable name, for logs: `duplicate`, `too-large`, `malformed`, …
    ///
    /// ```
    /// assert_eq!(edge_session::Rejection::Tampered.as_str(), "tampered");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::TooLarge => "too-large",
            Self::Malformed => "malformed",
            Self::UnsupportedVersion => "unsupported-version",
            Self::UnknownKey => "unknown-key",
            Self::Tampered => "tampered",
            Self::Revoked => "revoked",
        }
    }
}

/// Where a loaded [`Session`](crate::Session) came from.
///
/// ```
/// use edge_session::{LoadStatus, Session};
/// assert_eq!(Session::new().status(), LoadStatus::New);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadStatus {
    /// No session cookie was sent.
    New,
    /// A valid session was read from the cookie.
    Loaded,
    /// The cookie held a session that had expired (max age or lifetime): now empty.
    Expired,
    /// The cookie could not be opened: now empty.
    Rejected(Rejection),
}

impl LoadStatus {
    /// `new`, `loaded`, `expired` or `rejected`.
    ///
    /// ```
    /// assert_eq!(edge_session::LoadStatus::New.as_str(), "new");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Loaded => "loaded",
            Self::Expired => "expired",
            Self::Rejected(_) => "rejected",
        }
    }
}
