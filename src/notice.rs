//! What the flow tells the operator: one JSON log line per notice, the same in every face.
//!
//! ```text
//! {"edge_session":"<event>"[,"<field>":"<value>"]*}
//! ```
//!
//! Lines never hold a cookie, a session's contents or a key: a rejection names its reason, an
//! error its message (which never quotes a cookie).

use core::fmt::Write as _;

use crate::error::SaveError;
use crate::option_table::{self, Opt, Spelling};
use crate::session::SessionError;
use crate::status::Rejection;

/// How loud a notice is.
///
/// ```
/// assert_eq!(edge_session::proxy::Level::Warn.as_str(), "warn");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Level {
    /// Expected in normal traffic (a bad or expired cookie).
    Info,
    /// The origin asked for something that was refused.
    Warn,
    /// A response went out without what it should carry.
    Error,
}

impl Level {
    /// `info`, `warn` or `error` (the `console` method a JavaScript face logs with).
    ///
    /// ```
    /// assert_eq!(edge_session::proxy::Level::Error.as_str(), "error");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }
}

/// Something worth a log line that happened to a request's session.
///
/// ```
/// use edge_session::Rejection;
/// use edge_session::proxy::Notice;
/// let n = Notice::Rejected(Rejection::Tampered);
/// assert_eq!(n.to_json(), r#"{"edge_session":"rejected","why":"tampered"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notice {
    /// The cookie gave no session, for this reason.
    Rejected(Rejection),
    /// The cookie's session had expired.
    Expired,
    /// The origin's SessionHeader was refused (the session kept as it was).
    UpdateRefused(SessionError),
    /// The session could not be saved: no cookie was sent.
    NotSaved(SaveError),
    /// The origin could not be reached or gave no usable response (the face answered 502).
    OriginFailed(String),
    /// At start-up: the passphrases at these positions are below the strength rule, admitted by
    /// `allow_weak_passphrases` (see [`SessionManager::startup_notice`]).
    ///
    /// [`SessionManager::startup_notice`]: crate::SessionManager::startup_notice
    WeakPassphrases(Vec<usize>),
    /// (The `dbsc` feature.) A device-bound session (DBSC) step: `event` is `registered`, `refreshed`, `challenged`,
    /// `ended`, `refused` (an endpoint refused a proof) or `unbound` (a bound session came without
    /// a valid bound cookie: treated as no session), `detail` the key's thumbprint or the reason.
    #[cfg(feature = "dbsc")]
    DeviceBound {
        /// What happened.
        event: &'static str,
        /// The key's thumbprint, or why.
        detail: String,
    },
    /// (The `dbsc` feature.) Soft binding: the request's client does not match the session's
    /// fingerprint; what was done (`report`, `regenerate`) and the client's family.
    #[cfg(feature = "dbsc")]
    ClientChanged(String),
}

/// What the weak-passphrase warning says beside the positions.
fn weak_note(spelling: Spelling) -> String {
    format!(
        "passphrases below the strength rule are admitted ({}): whoever guesses one can forge the sessions it opens ({})",
        Opt::AllowWeakPassphrases.name(spelling),
        option_table::method("weak_key", spelling)
    )
}

impl Notice {
    /// The event name in the log line.
    ///
    /// ```
    /// assert_eq!(edge_session::proxy::Notice::Expired.event(), "expired");
    /// ```
    pub fn event(&self) -> &'static str {
        match self {
            Self::Rejected(_) => "rejected",
            Self::Expired => "expired",
            Self::UpdateRefused(_) => "update-refused",
            Self::NotSaved(_) => "not-saved",
            Self::OriginFailed(_) => "origin-failed",
            Self::WeakPassphrases(_) => "weak-passphrase",
            #[cfg(feature = "dbsc")]
            Self::DeviceBound { .. } => "device-bound",
            #[cfg(feature = "dbsc")]
            Self::ClientChanged(_) => "client-changed",
        }
    }

    /// How loud it is.
    ///
    /// ```
    /// assert_eq!(edge_session::proxy::Notice::OriginFailed("timeout".into()).level(), edge_session::proxy::Level::Error);
    /// ```
    pub fn level(&self) -> Level {
        match self {
            Self::Rejected(_) | Self::Expired => Level::Info,
            #[cfg(feature = "dbsc")]
            Self::DeviceBound { event: "refused" | "unbound", .. } => Level::Warn,
            #[cfg(feature = "dbsc")]
            Self::DeviceBound { .. } => Level::Info,
            Self::UpdateRefused(_) | Self::WeakPassphrases(_) => Level::Warn,
            #[cfg(feature = "dbsc")]
            Self::ClientChanged(_) => Level::Warn,
            Self::NotSaved(_) | Self::OriginFailed(_) => Level::Error,
        }
    }

    /// The log line, with `extra` fields after the notice's own.
    ///
    /// ```
    /// let n = edge_session::proxy::Notice::Expired;
    /// assert_eq!(n.to_json_with(&[("sid", "ab")]), r#"{"edge_session":"expired","sid":"ab"}"#);
    /// ```
    pub fn to_json_with(&self, extra: &[(&str, &str)]) -> String {
        self.line(Spelling::Rust, extra)
    }

    /// The log line with option and method names in a face's `spelling`, and `extra` fields
    /// after the notice's own.
    ///
    /// ```
    /// use edge_session::SaveError;
    /// use edge_session::option_table::Spelling;
    /// use edge_session::proxy::Notice;
    /// let n = Notice::NotSaved(SaveError::TooManyChunks { needed: 5, max: 4 });
    /// assert!(n.line(Spelling::Env, &[]).contains("more than SESSION_MAX_CHUNKS (4)"));
    /// ```
    pub fn line(&self, spelling: Spelling, extra: &[(&str, &str)]) -> String {
        if let Self::WeakPassphrases(at) = self {
            let keys = at.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
            let note = weak_note(spelling);
            let mut fields = vec![("keys", keys.as_str()), ("note", note.as_str())];
            fields.extend_from_slice(extra);
            return log_line(self.event(), &fields);
        }
        let detail = match self {
            Self::Rejected(why) => Some(("why", why.as_str().to_owned())),
            Self::Expired => None,
            Self::UpdateRefused(e) => Some(("error", e.to_string())),
            Self::NotSaved(e) => Some(("error", e.message(spelling))),
            Self::OriginFailed(e) => Some(("error", e.clone())),
            Self::WeakPassphrases(_) => None,
            #[cfg(feature = "dbsc")]
            Self::DeviceBound { detail, .. } => Some(("detail", detail.clone())),
            #[cfg(feature = "dbsc")]
            Self::ClientChanged(detail) => Some(("detail", detail.clone())),
        };
        let mut fields: Vec<(&str, &str)> = Vec::with_capacity(2 + extra.len());
        #[cfg(feature = "dbsc")]
        if let Self::DeviceBound { event, .. } = self {
            fields.push(("step", event));
        }
        if let Some((k, v)) = &detail {
            fields.push((k, v));
        }
        fields.extend_from_slice(extra);
        log_line(self.event(), &fields)
    }

    /// The log line.
    ///
    /// ```
    /// assert!(edge_session::proxy::Notice::Expired.to_json().starts_with("{\"edge_session\""));
    /// ```
    pub fn to_json(&self) -> String {
        self.to_json_with(&[])
    }
}

/// One JSON log line: `{"edge_session":"<event>","<k>":"<v>",…}`, strings escaped. The one
/// writer of log lines (the Worker's session events use it too).
///
/// ```
/// let line = edge_session::proxy::log_line("created", &[("sid", "ab\"c")]);
/// assert_eq!(line, r#"{"edge_session":"created","sid":"ab\"c"}"#);
/// ```
pub fn log_line(event: &str, fields: &[(&str, &str)]) -> String {
    let mut s = String::with_capacity(32 + fields.iter().map(|(k, v)| k.len() + v.len() + 6).sum::<usize>());
    s.push_str("{\"edge_session\":");
    json_string(&mut s, event);
    for (k, v) in fields {
        s.push(',');
        json_string(&mut s, k);
        s.push(':');
        json_string(&mut s, v);
    }
    s.push('}');
    s
}

pub(crate) fn json_string(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json_and_escaped() {
        assert_eq!(log_line("x", &[("a", "\u{1}\n\"")]), r#"{"edge_session":"x","a":"\u0001\n\""}"#);
        let n = Notice::UpdateRefused(SessionError::TooManyEntries { max: 256 });
        assert_eq!(n.to_json(), r#"{"edge_session":"update-refused","error":"a session holds at most 256 entries"}"#);
        assert_eq!(n.level(), Level::Warn);
    }
}
