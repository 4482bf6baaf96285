//! The save policy, after mod_session: pure decisions from the options, the session and the
//! clock (µs since the Unix epoch). No encoding and no I/O here.
//!
//! - an empty session is a removal if the browser holds the cookie, else nothing;
//! - with `max_age` (the session's own, else the manager's), the expiry slides to `now + max_age`, capped by `max_lifetime`;
//! - an unmodified session is written only when its expiry moved by at least
//!   `expiry_update_interval` (every time when 0; never without `max_age`), or when it was
//!   opened with an older key (re-sealed with the first);
//! - a session past its expiry or lifetime is not saved (a removal if the browser holds it).

use crate::Options;
use crate::session::Session;
use crate::status::LoadStatus;

const MICROS_PER_SEC: u64 = 1_000_000;

/// What a save does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Nothing to send.
    Nothing,
    /// Delete the session cookie.
    Remove,
    /// Write the session with this expiry and issue time.
    Write { expiry: Option<u64>, issued: u64 },
}

/// Seconds to µs (settings are bounded by `MAX_SECONDS`, far from overflow).
pub(crate) fn micros(seconds: u64) -> u64 {
    seconds.saturating_mul(MICROS_PER_SEC)
}

/// When a session issued at `issued` reaches its absolute lifetime.
fn lifetime_end(o: &Options, issued: Option<u64>) -> Option<u64> {
    match (o.max_lifetime, issued) {
        (0, _) | (_, None) => None,
        (life, Some(issued)) => Some(issued.saturating_add(micros(life))),
    }
}

/// Whether an opened session is past its expiry or its absolute lifetime at `now`.
pub(crate) fn expired(o: &Options, session: &Session, now: u64) -> bool {
    let passed = |t: Option<u64>| t.is_some_and(|t| t <= now);
    passed(session.expiry()) || passed(lifetime_end(o, session.issued()))
}

/// The sliding lifetime of `session` in seconds: its own ("remember me"), else the manager's
/// (0: none).
fn max_age_of(o: &Options, session: &Session) -> u64 {
    session.max_age().unwrap_or(o.max_age)
}

/// The expiry a loaded session starts with: its own, or `now + max_age` when it has none.
pub(crate) fn loaded_expiry(o: &Options, session: &Session, now: u64) -> Option<u64> {
    match (session.expiry(), max_age_of(o, session)) {
        (None, max_age) if max_age > 0 => Some(now.saturating_add(micros(max_age))),
        (e, _) => e,
    }
}

/// Seconds from `now` to `expiry`, rounded up (a cookie's `Max-Age`).
pub(crate) fn max_age(expiry: Option<u64>, now: u64) -> Option<u64> {
    expiry.map(|e| e.saturating_sub(now).div_ceil(MICROS_PER_SEC))
}

/// What saving `session` at `now` does.
pub(crate) fn decide(o: &Options, session: &Session, now: u64) -> Decision {
    let had_cookie = session.status() != LoadStatus::New;
    let issued = session.issued().unwrap_or(now);
    let end = lifetime_end(o, Some(issued)).filter(|_| o.max_lifetime > 0);
    let max_age = max_age_of(o, session);
    let sliding = (max_age > 0).then(|| now.saturating_add(micros(max_age)));
    let expiry = match (sliding.or(session.expiry()), end) {
        (Some(e), Some(end)) => Some(e.min(end)),
        (e, end) => e.or(end),
    };
    if session.nothing_stored() || expiry.is_some_and(|e| e <= now) {
        return if had_cookie { Decision::Remove } else { Decision::Nothing };
    }
    if !session.is_modified() && !session.provenance().reseal && session.status() == LoadStatus::Loaded {
        let moved = match (expiry, session.provenance().loaded_expiry) {
            (Some(new), Some(old)) => new.saturating_sub(old),
            _ => 0,
        };
        if max_age == 0 || moved < micros(o.expiry_update_interval) {
            return Decision::Nothing;
        }
    }
    Decision::Write { expiry, issued }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::provenance::Provenance;

    const T0: u64 = 1_800_000_000_000_000;

    fn loaded(entries: &str, issued: u64, expiry: Option<u64>) -> Session {
        let prov = Provenance { loaded_expiry: expiry, ..Provenance::opened(Some(issued)) };
        Session::opened(Session::decode(entries).unwrap(), expiry, prov)
    }

    #[test]
    fn new_and_empty_sessions() {
        let o = Options::default();
        assert_eq!(decide(&o, &Session::new(), T0), Decision::Nothing);
        let mut s = loaded("a=1", T0, None);
        s.clear();
        assert_eq!(decide(&o, &s, T0), Decision::Remove);
    }

    #[test]
    fn sliding_expiry_capped_by_the_lifetime_and_the_interval() {
        let mut o = Options::default();
        o.max_age = 60;
        o.max_lifetime = 100;
        o.expiry_update_interval = 10;
        let s = loaded("a=1", T0, Some(T0 + micros(60)));
        assert_eq!(decide(&o, &s, T0 + micros(5)), Decision::Nothing, "moved 5 s < 10 s");
        assert_eq!(
            decide(&o, &s, T0 + micros(50)),
            Decision::Write { expiry: Some(T0 + micros(100)), issued: T0 },
            "capped at the lifetime"
        );
        assert_eq!(decide(&o, &s, T0 + micros(100)), Decision::Remove, "past the lifetime");
        assert!(expired(&o, &s, T0 + micros(100)) && !expired(&o, &s, T0 + micros(59)));
    }
}
