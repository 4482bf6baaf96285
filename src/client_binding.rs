//! Soft binding's setting (`client_binding`): what a request from a client unlike the session's
//! does. The fingerprint and the check are `client_fingerprint.rs` (the `dbsc` feature).
//!
//! Soft binding, for browsers without device-bound sessions: a session records a coarse client
//! fingerprint when it is first written, and a request that carries it from a client that looks
//! different is reported to the origin (`!client=changed` in the SessionEnv header) and, if asked,
//! regenerated — never a silent logout. Coarse on purpose: the user-agent's browser and OS families
//! (so a browser update changes nothing) and, in the Worker, the network (`request.cf`'s ASN and
//! country, which a client cannot set). A heuristic, not a proof: a thief on the same browser
//! family and network looks the same, and a user who changes networks is reported.

/// What a changed client fingerprint does ([`Options::client_binding`](crate::Options::client_binding));
/// needs the `dbsc` feature.
///
/// ```
/// use edge_session::device_bound::ClientBinding;
/// assert_eq!(ClientBinding::parse("report"), Some(ClientBinding::Report));
/// assert_eq!(ClientBinding::Regenerate.as_str(), "regenerate");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ClientBinding {
    /// No fingerprint (the default).
    #[default]
    Off,
    /// Record it at login, and tell the origin on every request from a client that differs
    /// (`!client=changed`).
    Report,
    /// Also regenerate the session (a new issue time, its device binding offered again).
    Regenerate,
}

impl ClientBinding {
    /// Its name in options.
    ///
    /// ```
    /// assert_eq!(edge_session::device_bound::ClientBinding::Off.as_str(), "off");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Report => "report",
            Self::Regenerate => "regenerate",
        }
    }

    /// The setting of a name; `None` for another.
    ///
    /// ```
    /// assert_eq!(edge_session::device_bound::ClientBinding::parse("always"), None);
    /// ```
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "off" => Some(Self::Off),
            "report" => Some(Self::Report),
            "regenerate" => Some(Self::Regenerate),
            _ => None,
        }
    }
}
