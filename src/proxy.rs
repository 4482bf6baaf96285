//! The session front proxy's decisions, shared by the Rust Worker and the JavaScript
//! `manager.handle(request, next)`: they do only the plumbing of their platform's `Request` and
//! `Response`, so both behave the same on the same inputs.
//!
//! Request: outside SessionInclude / SessionExclude nothing happens (but the client's copy of the
//! SessionEnv header is always removed: CVE-2018-1283); inside, the session is loaded, the origin
//! is sent its plain string in the SessionEnv header, and with SessionCookieRemove the session
//! cookie is taken out of the `Cookie` header.
//!
//! Response: the SessionHeader is merged (an oversized one is refused, the session kept) and
//! removed; the session is saved; `Set-Cookie` responses get `Cache-Control: private, no-store`,
//! responses to a request that carried a session `private, no-cache` (unless already `no-store`),
//! and both `Vary: Cookie`.

use crate::manager::SaveError;
use crate::session::{LoadStatus, Session, SessionError};
use crate::SessionManager;

/// What to do with a request before it reaches the origin.
///
/// ```
/// use edge_session::{Options, SessionManager};
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// o.cookie_remove = true;
/// let m = SessionManager::new(o).unwrap();
/// let plan = m.plan_request("/", Some("a=1; session=garbage"), 0);
/// assert_eq!(plan.env_value.as_deref(), Some(""));
/// assert_eq!(plan.cookie, Some(Some("a=1".to_owned())));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestPlan {
    /// The session, or `None` when sessions do not apply to the path (pass the request through).
    pub session: Option<Session>,
    /// The value of the SessionEnv header for the origin (`None`: send none). Whatever the
    /// client sent under that name is removed in every case.
    pub env_value: Option<String>,
    /// The `Cookie` header for the origin: `None` leaves it; `Some(None)` removes it;
    /// `Some(Some(v))` replaces it (SessionCookieRemove).
    pub cookie: Option<Option<String>>,
}

/// What to do with the origin's response.
///
/// ```
/// use edge_session::{Options, SessionManager};
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// let m = SessionManager::new(o).unwrap();
/// let mut session = m.plan_request("/", None, 0).session.unwrap();
/// let plan = m.plan_response(&mut session, Some("user=alice"), None, Some("Accept-Encoding"), 0);
/// assert_eq!(plan.set_cookies.len(), 1);
/// assert_eq!(plan.cache_control, Some("private, no-store"));
/// assert_eq!(plan.vary.as_deref(), Some("Accept-Encoding, Cookie"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ResponsePlan {
    /// `Set-Cookie` values to append, in order (the origin's own cookies stay): one cookie, or
    /// the chunks of a large session and the removals of stale ones.
    pub set_cookies: Vec<String>,
    /// A `Cache-Control` value to set, replacing the origin's.
    pub cache_control: Option<&'static str>,
    /// A `Vary` value to set, replacing the origin's.
    pub vary: Option<String>,
    /// The origin's SessionHeader was refused (too large): log it; the session is unchanged.
    pub update_error: Option<SessionError>,
    /// The session could not be saved (too large for a cookie): log it; no cookie is sent.
    pub save_error: Option<SaveError>,
}

/// Removes cookie `name` and its chunks (`name.0`, `name.1`, …) from a `Cookie` header,
/// keeping the others; `None` when none remain.
fn remove_cookie(header: &str, name: &str) -> Option<String> {
    let kept: Vec<&str> = header
        .split(';')
        .map(str::trim)
        .filter(|c| {
            !c.is_empty() && !crate::chunks::is_session_cookie(c.split_once('=').map_or(*c, |(n, _)| n).trim(), name)
        })
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

impl SessionManager {
    /// Decides what happens to a request for `path` with this `Cookie` header at `now` (µs).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// o.exclude = vec!["/static".into()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert!(m.plan_request("/static/a.css", None, 0).session.is_none());
    /// ```
    pub fn plan_request(&self, path: &str, cookie_header: Option<&str>, now: u64) -> RequestPlan {
        if !self.applies_to(path) {
            return RequestPlan { session: None, env_value: None, cookie: None };
        }
        self.plan_loaded(self.load(cookie_header, now), cookie_header)
    }

    /// [`plan_request`](Self::plan_request) for a session already loaded (the Worker's
    /// server-side store loads it from its record).
    pub(crate) fn plan_loaded(&self, session: Session, cookie_header: Option<&str>) -> RequestPlan {
        let o = self.options();
        let cookie = match cookie_header {
            Some(h) if o.cookie_remove => Some(remove_cookie(h, &o.cookie_name)),
            _ => None,
        };
        RequestPlan { env_value: Some(session.to_string()), session: Some(session), cookie }
    }

    /// Decides what happens to the origin's response: `update` is its SessionHeader,
    /// `cache_control` and `vary` its headers of those names. Saves `session`.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = m.plan_request("/", None, 0).session.unwrap();
    /// let plan = m.plan_response(&mut s, None, Some("public, max-age=60"), None, 0);
    /// assert_eq!((plan.set_cookies.len(), plan.cache_control, plan.vary), (0, None, None));
    /// ```
    pub fn plan_response(
        &self,
        session: &mut Session,
        update: Option<&str>,
        cache_control: Option<&str>,
        vary: Option<&str>,
        now: u64,
    ) -> ResponsePlan {
        self.plan_response_with(session, update, cache_control, vary, |s| self.save_all(s, now))
    }

    /// [`plan_response`](Self::plan_response) with another way to save (the Worker's
    /// server-side store).
    pub(crate) fn plan_response_with(
        &self,
        session: &mut Session,
        update: Option<&str>,
        cache_control: Option<&str>,
        vary: Option<&str>,
        save: impl FnOnce(&mut Session) -> Result<Vec<String>, SaveError>,
    ) -> ResponsePlan {
        let update_error = update.and_then(|u| session.apply_update(u).err());
        let (set_cookies, save_error) = match save(session) {
            Ok(c) => (c, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        let carried = session.status() == LoadStatus::Loaded;
        let cache_control = if !set_cookies.is_empty() {
            Some("private, no-store")
        } else if carried && !cache_control.is_some_and(|v| v.to_ascii_lowercase().contains("no-store")) {
            Some("private, no-cache")
        } else {
            None
        };
        let vary = (!set_cookies.is_empty() || carried)
            .then(|| vary.unwrap_or_default())
            .filter(|v| !v.split(',').any(|t| t.trim().eq_ignore_ascii_case("cookie") || t.trim() == "*"))
            .map(|v| if v.trim().is_empty() { "Cookie".to_owned() } else { format!("{v}, Cookie") });
        ResponsePlan { set_cookies, cache_control, vary, update_error, save_error }
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::Options;

    fn manager(f: impl FnOnce(&mut Options)) -> SessionManager {
        let mut o = Options::default();
        o.keys = vec![crate::generate_key().unwrap()];
        f(&mut o);
        SessionManager::new(o).unwrap()
    }

    fn login(m: &SessionManager) -> String {
        let mut s = m.plan_request("/", None, 0).session.unwrap();
        let plan = m.plan_response(&mut s, Some("user=alice"), None, None, 0);
        plan.set_cookies[0].split(';').next().unwrap().to_owned()
    }

    #[test]
    fn outside_include_nothing_happens() {
        let m = manager(|o| o.include = vec!["/app".into()]);
        let p = m.plan_request("/other", Some("session=x"), 0);
        assert!(p.session.is_none() && p.env_value.is_none() && p.cookie.is_none());
    }

    #[test]
    fn env_value_is_the_session_string() {
        let m = manager(|_| {});
        let c = login(&m);
        let p = m.plan_request("/", Some(&c), 0);
        assert_eq!(p.env_value.as_deref(), Some("user=alice"));
        assert_eq!(p.cookie, None, "cookie kept without cookie_remove");
    }

    #[test]
    fn cookie_remove_strips_only_the_session_cookie() {
        let m = manager(|o| o.cookie_remove = true);
        assert_eq!(m.plan_request("/", Some("a=1; session=x; b=2"), 0).cookie, Some(Some("a=1; b=2".into())));
        assert_eq!(m.plan_request("/", Some("session=x"), 0).cookie, Some(None));
        assert_eq!(m.plan_request("/", None, 0).cookie, None);
        assert_eq!(remove_cookie("sessions=1;session=2", "session").as_deref(), Some("sessions=1"));
        let chunked = "a=1; session.0=2*x; session.15=y; session.x=keep; session.123=keep; session.16=keep";
        let kept = "a=1; session.x=keep; session.123=keep; session.16=keep";
        assert_eq!(remove_cookie(chunked, "session").as_deref(), Some(kept));
    }

    #[test]
    fn carried_session_without_change_is_private_no_cache() {
        let m = manager(|_| {});
        let c = login(&m);
        let mut s = m.plan_request("/", Some(&c), 0).session.unwrap();
        let p = m.plan_response(&mut s, None, Some("public, max-age=600"), Some("Accept"), 0);
        assert!(p.set_cookies.is_empty());
        assert_eq!(p.cache_control, Some("private, no-cache"));
        assert_eq!(p.vary.as_deref(), Some("Accept, Cookie"));
        let mut s = m.plan_request("/", Some(&c), 0).session.unwrap();
        let p = m.plan_response(&mut s, None, Some("No-Store"), Some("cookie"), 0);
        assert_eq!((p.cache_control, p.vary), (None, None));
    }

    #[test]
    fn oversized_update_is_refused_and_the_session_kept() {
        let m = manager(|_| {});
        let c = login(&m);
        let mut s = m.plan_request("/", Some(&c), 0).session.unwrap();
        let big = format!("k={}", "v".repeat(crate::MAX_UPDATE_BYTES));
        let p = m.plan_response(&mut s, Some(&big), None, None, 0);
        assert!(matches!(p.update_error, Some(SessionError::UpdateTooLarge { .. })));
        assert_eq!(s.get("user"), Some("alice"));
    }

    #[test]
    fn too_large_to_save_is_reported_not_sent() {
        let update: Vec<String> = (0..7).map(|i| format!("k{i}={}", "v".repeat(1000))).collect();
        // 7 KB: chunked across cookies by default …
        let m = manager(|_| {});
        let mut s = m.plan_request("/", None, 0).session.unwrap();
        let p = m.plan_response(&mut s, Some(&update.join("&")), None, None, 0);
        assert_eq!((p.set_cookies.len(), p.save_error), (3, None));
        assert_eq!(p.cache_control, Some("private, no-store"));
        // … and refused, not sent, when only one cookie is allowed.
        let one = manager(|o| o.max_chunks = 1);
        let mut s = one.plan_request("/", None, 0).session.unwrap();
        let p = one.plan_response(&mut s, Some(&update.join("&")), None, None, 0);
        assert!(matches!(p.save_error, Some(SaveError::CookieTooLarge { .. })));
        assert!(p.set_cookies.is_empty());
    }
}
