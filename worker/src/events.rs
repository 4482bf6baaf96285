//! Session monitoring: one structured log line per session event, and counters.
//!
//! A line is one JSON object, for Workers Logs / Logpush / `wrangler tail`:
//!
//! ```text
//! {"edge_session":"<event>","sid":"<hash>","prev":"<hash>","why":"<reason>","n":<count>}
//! ```
//!
//! Lines are written by the core's one writer (`edge_session::log_line`; the flow's own notices,
//! such as a rejected cookie, are these same events). `sid` and `prev` are keyed hashes
//! (`records::log_hash`) of the session id (server-side store) or
//! of the cookie value (cookie format): lines of one session can be followed (`prev` names the
//! id or token a rotation replaced), but neither the id, the cookie nor the contents are ever
//! logged. Fields that do not apply are left out. Pure: the caller prints and keeps the counters.

use core::fmt::Write as _;

use edge_session::{log_line, Rejection};

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
pub(crate) fn line(event: Event, sid: Option<&str>, prev: Option<&str>, n: Option<u64>) -> String {
    let n = n.map(|n| n.to_string());
    let mut fields: Vec<(&str, &str)> = Vec::new();
    if let Event::Rejected(why) = event {
        fields.push(("why", why.as_str()));
    }
    fields.extend(sid.map(|h| ("sid", h)));
    fields.extend(prev.map(|h| ("prev", h)));
    fields.extend(n.as_deref().map(|n| ("n", n)));
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
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_json_without_secrets() {
        assert_eq!(line(Event::Created, Some("ab12"), None, None), r#"{"edge_session":"created","sid":"ab12"}"#);
        assert_eq!(
            line(Event::Rotated, Some("01"), Some("02"), None),
            r#"{"edge_session":"rotated","sid":"01","prev":"02"}"#
        );
        assert_eq!(
            line(Event::Rejected(Why::Cookie(Rejection::Tampered)), Some("ab"), None, None),
            r#"{"edge_session":"rejected","why":"tampered","sid":"ab"}"#
        );
        assert_eq!(
            line(Event::Rejected(Why::Cookie(Rejection::Tampered)), None, None, None),
            edge_session::Notice::Rejected(Rejection::Tampered).to_json(),
            "the flow's notice and the Worker's event are one line"
        );
        assert_eq!(line(Event::LoggedOut, None, None, Some(3)), r#"{"edge_session":"logged-out","n":"3"}"#);
        for e in [Event::Renewed, Event::Ended, Event::Expired, Event::Evicted, Event::StoreError] {
            let l = line(e, Some("ff"), None, None);
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
}
