//! Session monitoring: one structured log line per session event, and counters.
//!
//! A line is one JSON object, for Workers Logs / Logpush / `wrangler tail`:
//!
//! ```text
//! {"edge_session":"<event>","sid":"<hash>","prev":"<hash>","why":"<reason>","n":<count>}
//! ```
//!
//! Lines are written by the core's one writer (`edge_session::proxy::log_line`; the flow's own notices,
//! such as a rejected cookie, are these same events). `sid` and `prev` are keyed hashes
//! (`edge_session::store::log_hash`) of the session id (server-side store) or
//! of the cookie value (cookie format): lines of one session can be followed (`prev` names the
//! id or token a rotation replaced), but neither the id, the cookie nor the contents are ever
//! logged. Fields that do not apply are left out. Pure: the caller prints and keeps the counters.

use core::fmt::Write as _;

use edge_session::Rejection;
use edge_session::proxy::log_line;

/// Why a cookie gave no session: the core's reasons, and the store's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Why {
    /// The core refused the cookie.
    Cookie(Rejection),
    /// Server-side store: an authentic token without a valid reference.
    Malformed,
    /// Server-side store: no record under the cookie's id (ended, evicted, expired there).
    NotStored,
}

/// The store's own reason (after the core's `Rejection::ALL` in the counters).
const NOT_STORED: &str = "not-stored";

impl Why {
    /// The core's reason it counts as (a malformed store token is `malformed`), or `None` for
    /// the store's own.
    fn rejection(self) -> Option<Rejection> {
        match self {
            Self::Cookie(r) => Some(r),
            Self::Malformed => Some(Rejection::Malformed),
            Self::NotStored => None,
        }
    }

    fn as_str(self) -> &'static str {
        self.rejection().map_or(NOT_STORED, Rejection::as_str)
    }

    /// Its slot in the counters: the core's reasons in `Rejection::ALL` order, then the store's.
    fn slot(self) -> Option<usize> {
        match self.rejection() {
            Some(r) => Rejection::ALL.iter().position(|a| *a == r),
            None => Some(Rejection::ALL.len()),
        }
    }
}

/// What happened to a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Event {
    /// First written.
    Created,
    /// Written again with only its expiry moved (same id).
    Renewed,
    /// Changed (or regenerated): written under a new id / token, the old one dropped.
    Rotated,
    /// Emptied by the origin: record deleted, cookie removed.
    Ended,
    /// The cookie was past its expiry or absolute lifetime.
    Expired,
    /// The cookie gave no session, and why.
    Rejected(Why),
    /// Ended by the concurrent-session limit (the oldest of its user's sessions).
    Evicted,
    /// Ended with every session of its user by the operator ("log out everywhere").
    LoggedOut,
    /// The store could not be read or written (the request went on without it).
    StoreError,
}

/// Which session writes become log lines (`SESSION_LOG_WRITES`); every write is counted whatever
/// it says, and the other events are always logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogWrites {
    /// `created` only (the default): a new session is a line, its routine rewrites (`renewed`,
    /// `rotated`: an application that writes on every request rewrites on every request) are
    /// counted only. Measured: a line per request costs the Worker more than the write it logs.
    Created,
    /// Every write (`all`, or `true`).
    All,
    /// No write (`none`, or `false`).
    Nothing,
}

impl LogWrites {
    /// The value of `SESSION_LOG_WRITES` (unset: the default); `None` for another word.
    pub(crate) fn parse(v: Option<&str>) -> Option<Self> {
        match v.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("created") => Some(Self::Created),
            Some("all" | "true") => Some(Self::All),
            Some("none" | "false") => Some(Self::Nothing),
            Some(_) => None,
        }
    }

    /// Whether a write of this kind is printed.
    pub(crate) fn logs(self, event: Event) -> bool {
        match self {
            Self::All => true,
            Self::Created => event == Event::Created,
            Self::Nothing => false,
        }
    }
}

impl Event {
    fn name(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Renewed => "renewed",
            Self::Rotated => "rotated",
            Self::Ended => "ended",
            Self::Expired => "expired",
            Self::Rejected(_) => "rejected",
            Self::Evicted => "evicted",
            Self::LoggedOut => "logged-out",
            Self::StoreError => "store-error",
        }
    }
}

/// The log line of an event. `sid`/`prev` are hashes already; `n` a count where one applies.
/// `key`: the id of the key that sealed the session (written events).
pub(crate) fn line(event: Event, sid: Option<&str>, prev: Option<&str>, n: Option<u64>, key: Option<&str>) -> String {
    let n = n.map(|n| n.to_string());
    let mut fields: Vec<(&str, &str)> = Vec::new();
    if let Event::Rejected(why) = event {
        fields.push(("why", why.as_str()));
    }
    fields.extend(sid.map(|h| ("sid", h)));
    fields.extend(prev.map(|h| ("prev", h)));
    fields.extend(n.as_deref().map(|n| ("n", n)));
    fields.extend(key.map(|k| ("key", k)));
    log_line(event.name(), &fields)
}

/// Event counts since the isolate started.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Counters {
    created: u64,
    renewed: u64,
    rotated: u64,
    ended: u64,
    expired: u64,
    /// By [`Why::slot`].
    rejected: [u64; Rejection::ALL.len() + 1],
    evicted: u64,
    logged_out: u64,
    store_errors: u64,
    /// Per key id (only ids of the configured ring: a few): sessions opened, cookies sealed.
    keys: Vec<KeyUse>,
}

/// How often one key opened and sealed in this isolate.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct KeyUse {
    id: String,
    opens: u64,
    seals: u64,
}

/// Seals per key above which the Worker warns: AES-GCM with random 96-bit nonces keeps the chance
/// of a repeated nonce under 2^-32 only up to 2^32 messages per key, summed over every isolate;
/// one isolate past 2^28 means the fleet is likely near the bound. Rotate well before.
pub(crate) const SEALS_WARN_PER_ISOLATE: u64 = 1 << 28;

/// What a key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyOp {
    /// Opened a session.
    Open,
    /// Sealed a cookie.
    Seal,
}

impl Counters {
    /// Counts `n` occurrences of `event`.
    pub(crate) fn count(&mut self, event: Event, n: u64) {
        let slot = match event {
            Event::Created => &mut self.created,
            Event::Renewed => &mut self.renewed,
            Event::Rotated => &mut self.rotated,
            Event::Ended => &mut self.ended,
            Event::Expired => &mut self.expired,
            Event::Evicted => &mut self.evicted,
            Event::LoggedOut => &mut self.logged_out,
            Event::StoreError => &mut self.store_errors,
            Event::Rejected(why) => match why.slot().and_then(|i| self.rejected.get_mut(i)) {
                Some(slot) => slot,
                None => return,
            },
        };
        *slot = slot.saturating_add(n);
    }

    /// Counts one use of the key `id`; whether that seal crossed [`SEALS_WARN_PER_ISOLATE`].
    pub(crate) fn count_key(&mut self, id: &str, op: KeyOp) -> bool {
        let i = match self.keys.iter().position(|k| k.id == id) {
            Some(i) => i,
            None => {
                self.keys.push(KeyUse { id: id.to_owned(), ..KeyUse::default() });
                self.keys.len() - 1
            }
        };
        let Some(k) = self.keys.get_mut(i) else { return false };
        match op {
            KeyOp::Open => {
                k.opens = k.opens.saturating_add(1);
                false
            }
            KeyOp::Seal => {
                k.seals = k.seals.saturating_add(1);
                k.seals == SEALS_WARN_PER_ISOLATE
            }
        }
    }

    /// The counters in the Prometheus text format.
    pub(crate) fn prometheus(&self) -> String {
        let mut s = String::from(
            "# HELP edge_session_events_total Session events seen by this isolate since it started.\n\
             # TYPE edge_session_events_total counter\n",
        );
        let mut row = |event: &str, why: Option<&str>, v: u64| {
            let _ = match why {
                Some(w) => writeln!(s, "edge_session_events_total{{event=\"{event}\",why=\"{w}\"}} {v}"),
                None => writeln!(s, "edge_session_events_total{{event=\"{event}\"}} {v}"),
            };
        };
        for (name, v) in [
            ("created", self.created),
            ("renewed", self.renewed),
            ("rotated", self.rotated),
            ("ended", self.ended),
            ("expired", self.expired),
            ("evicted", self.evicted),
            ("logged-out", self.logged_out),
            ("store-error", self.store_errors),
        ] {
            row(name, None, v);
        }
        let reasons = Rejection::ALL.iter().map(|r| r.as_str()).chain([NOT_STORED]);
        for (why, v) in reasons.zip(self.rejected) {
            row("rejected", Some(why), v);
        }
        s.push_str(
            "# HELP edge_session_key_operations_total Sessions opened and cookies sealed by this isolate, by key id. \
             Retire an older key once it opens nothing; rotate well before 2^32 seals per key summed over all isolates \
             (AES-GCM with random nonces).\n\
             # TYPE edge_session_key_operations_total counter\n",
        );
        for k in &self.keys {
            let _ = writeln!(s, "edge_session_key_operations_total{{key=\"{}\",op=\"open\"}} {}", k.id, k.opens);
            let _ = writeln!(s, "edge_session_key_operations_total{{key=\"{}\",op=\"seal\"}} {}", k.id, k.seals);
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_writes_are_lines() {
        assert_eq!(LogWrites::parse(None), Some(LogWrites::Created));
        assert_eq!(LogWrites::parse(Some(" All ")), Some(LogWrites::All));
        assert_eq!(LogWrites::parse(Some("true")), Some(LogWrites::All));
        assert_eq!(LogWrites::parse(Some("false")), Some(LogWrites::Nothing));
        assert_eq!(LogWrites::parse(Some("none")), Some(LogWrites::Nothing));
        assert_eq!(LogWrites::parse(Some("sometimes")), None);
        let printed = |l: LogWrites| [Event::Created, Event::Renewed, Event::Rotated].map(|e| l.logs(e));
        assert_eq!(printed(LogWrites::Created), [true, false, false]);
        assert_eq!(printed(LogWrites::All), [true, true, true]);
        assert_eq!(printed(LogWrites::Nothing), [false, false, false]);
    }

    #[test]
    fn lines_are_json_without_secrets() {
        assert_eq!(line(Event::Created, Some("ab12"), None, None, None), r#"{"edge_session":"created","sid":"ab12"}"#);
        assert_eq!(
            line(Event::Rotated, Some("01"), Some("02"), None, Some("0a0b0c0d")),
            r#"{"edge_session":"rotated","sid":"01","prev":"02","key":"0a0b0c0d"}"#
        );
        assert_eq!(
            line(Event::Rejected(Why::Cookie(Rejection::Tampered)), Some("ab"), None, None, None),
            r#"{"edge_session":"rejected","why":"tampered","sid":"ab"}"#
        );
        assert_eq!(
            line(Event::Rejected(Why::Cookie(Rejection::Tampered)), None, None, None, None),
            edge_session::proxy::Notice::Rejected(Rejection::Tampered).to_json(),
            "the flow's notice and the Worker's event are one line"
        );
        assert_eq!(line(Event::LoggedOut, None, None, Some(3), None), r#"{"edge_session":"logged-out","n":"3"}"#);
        for e in [Event::Renewed, Event::Ended, Event::Expired, Event::Evicted, Event::StoreError] {
            let l = line(e, Some("ff"), None, None, None);
            assert!(l.starts_with("{\"edge_session\":\"") && l.ends_with("\"ff\"}"), "{l}");
        }
    }

    #[test]
    fn counters_count_and_render() {
        let mut c = Counters::default();
        c.count(Event::Created, 1);
        c.count(Event::Created, 2);
        c.count(Event::Rejected(Why::Cookie(Rejection::Tampered)), 1);
        c.count(Event::Rejected(Why::NotStored), 4);
        c.count(Event::Evicted, u64::MAX);
        c.count(Event::Evicted, 1);
        let p = c.prometheus();
        assert!(p.contains("edge_session_events_total{event=\"created\"} 3\n"), "{p}");
        assert!(p.contains("{event=\"rejected\",why=\"tampered\"} 1\n"), "{p}");
        assert!(p.contains("{event=\"rejected\",why=\"not-stored\"} 4\n"), "{p}");
        assert!(p.contains(&format!("{{event=\"evicted\"}} {}\n", u64::MAX)), "saturates: {p}");
        assert_eq!(p.matches("why=\"malformed\"").count(), 1);
        assert_eq!(p.lines().filter(|l| !l.starts_with('#')).count(), 8 + 8);
    }

    #[test]
    fn key_uses_are_counted_per_key_and_warn_once_near_the_nonce_bound() {
        let mut c = Counters::default();
        assert!(!c.count_key("0a0b0c0d", KeyOp::Open));
        assert!(!c.count_key("0a0b0c0d", KeyOp::Seal));
        assert!(!c.count_key("01020304", KeyOp::Open));
        let p = c.prometheus();
        assert!(p.contains("edge_session_key_operations_total{key=\"0a0b0c0d\",op=\"open\"} 1\n"), "{p}");
        assert!(p.contains("edge_session_key_operations_total{key=\"0a0b0c0d\",op=\"seal\"} 1\n"), "{p}");
        assert!(p.contains("edge_session_key_operations_total{key=\"01020304\",op=\"seal\"} 0\n"), "{p}");
        if let Some(k) = c.keys.first_mut() {
            k.seals = SEALS_WARN_PER_ISOLATE - 2;
        }
        assert!(!c.count_key("0a0b0c0d", KeyOp::Seal));
        assert!(c.count_key("0a0b0c0d", KeyOp::Seal), "warns when crossing");
        assert!(!c.count_key("0a0b0c0d", KeyOp::Seal), "once");
    }
}
