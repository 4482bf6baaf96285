//! The session front proxy's flow as data: what happens to the request on its way to the
//! origin and to the response on its way back, decided here once. Every face (the Rust Worker,
//! the JavaScript `handle`, the Hono middleware) only executes the [`HeaderOp`]s, in order, and
//! answers [`ORIGIN_FAILURE_STATUS`] when the origin gives nothing usable.
//!
//! Request ([`SessionManager::plan_request`]):
//! 1. the client's SessionEnv header is deleted in **every spelling** (`X-Session`, `x_session`,
//!    …: CGI/WSGI origins fold `_` and `-` together), on every path (CVE-2018-1283);
//! 2. with SessionCookieRemove the session cookie (and its chunks) leave the `Cookie` header, on
//!    every path too: the origin never holds the token;
//! 3. outside SessionInclude / SessionExclude nothing else happens; inside, the session is loaded
//!    and its plain string set in the SessionEnv header;
//! 4. the client's copy of the signature header (`X-Session-Signature`, every spelling) is
//!    deleted; with an origin secret the proxy's own is set, over the time, method, path and
//!    query and the SessionEnv value (empty outside include / exclude): see `signature.rs`.
//!
//! Response ([`SessionManager::plan_response`]):
//! 1. the origin's SessionHeader is merged (an oversized one refused, the session kept) and
//!    deleted in every spelling, on every path, session or not;
//! 2. the session is saved: `Set-Cookie` lines appended (the origin's own stay);
//! 3. a response that sets the cookie gets `Cache-Control: private, no-store`; one to a request
//!    that carried a session `private, no-cache` (unless the origin said `no-store`); both get
//!    `Cookie` added to `Vary`.

use crate::error::SaveError;
use crate::notice::Notice;
use crate::saved::Saved;
use crate::session::Session;
use crate::signature;
use crate::status::LoadStatus;
use crate::text::same_header;
use crate::{SessionManager, chunks, cookie_header};

/// The status a face answers with when the origin cannot be reached, throws, or answers with
/// something that is not a response.
pub const ORIGIN_FAILURE_STATUS: u16 = 502;
/// The body of that answer.
pub const ORIGIN_FAILURE_BODY: &str = "Bad Gateway: the origin could not be reached\n";
/// The `Content-Type` of the answers a face makes itself (the origin's failure, its own).
pub const FAILURE_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// One header operation, for a face to execute in order. Names are lowercase.
///
/// ```
/// let op = edge_session::proxy::HeaderOp::Delete("x-session".into());
/// assert_eq!(op.name(), "x-session");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeaderOp {
    /// Remove every value of the header.
    Delete(String),
    /// Replace every value of the header with this one.
    Set(String, String),
    /// Add a value (kept beside the others: `Set-Cookie`).
    Append(String, String),
}

impl HeaderOp {
    /// The header's name (lowercase).
    ///
    /// ```
    /// let op = edge_session::proxy::HeaderOp::Set("vary".into(), "Cookie".into());
    /// assert_eq!(op.name(), "vary");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            Self::Delete(n) | Self::Set(n, _) | Self::Append(n, _) => n,
        }
    }
}

/// What to do with a request before it reaches the origin.
///
/// ```
/// use edge_session::{Options, SessionManager};
/// use edge_session::proxy::HeaderOp;
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// o.cookie_remove = true;
/// let m = SessionManager::new(o).unwrap();
/// let plan = m.plan_request("GET", "app.example", "/", &[("cookie", "a=1; session=garbage"), ("x_session", "user=admin")], 0);
/// assert!(plan.headers.contains(&HeaderOp::Delete("x_session".into())));
/// assert!(plan.headers.contains(&HeaderOp::Set("x-session".into(), String::new())));
/// assert!(plan.headers.contains(&HeaderOp::Set("cookie".into(), "a=1".into())));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestPlan {
    /// The session, or `None` when sessions do not apply to the path (pass the request through).
    pub session: Option<Session>,
    /// The operations on the request's headers, in order, before it goes to the origin.
    pub headers: Vec<HeaderOp>,
    /// What to log.
    pub notices: Vec<Notice>,
    /// An answer to send instead of going to the origin: a device-bound session endpoint's
    /// (registration, refresh). The face sends it as it is (its `Set-Cookie` lines included).
    pub answer: Option<crate::device_bound::Answer>,
}

/// What to do with the origin's response before it reaches the client.
///
/// ```
/// use edge_session::{Options, SessionManager};
/// use edge_session::proxy::HeaderOp;
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// let m = SessionManager::new(o).unwrap();
/// let mut session = m.plan_request("GET", "app.example", "/", &[] as &[(&str, &str)], 0).session.unwrap();
/// let plan = m.plan_response(Some(&mut session), &[("x-replace-session", "user=alice"), ("vary", "Accept")], 0);
/// assert_eq!(plan.headers[0], HeaderOp::Delete("x-replace-session".into()));
/// assert!(matches!(&plan.headers[1], HeaderOp::Append(n, _) if n == "set-cookie"));
/// assert!(plan.headers.contains(&HeaderOp::Set("cache-control".into(), "private, no-store".into())));
/// assert!(plan.headers.contains(&HeaderOp::Set("vary".into(), "Accept, Cookie".into())));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ResponsePlan {
    /// The operations on the response's headers, in order, before it goes to the client.
    pub headers: Vec<HeaderOp>,
    /// What to log.
    pub notices: Vec<Notice>,
    /// What the save did ([`plan_response`](SessionManager::plan_response)'s; `Saved::Nothing`
    /// from [`plan_response_saved`](SessionManager::plan_response_saved), whose caller saved).
    pub saved: Saved,
}

/// What the signature covers of the request besides its session, and when.
#[derive(Clone, Copy)]
struct Request<'a> {
    signed: signature::Signed<'a>,
    now: u64,
}

/// Deletions of `name` and of every other spelling of it present in `headers`.
fn delete_spellings<H: AsRef<str>, V: AsRef<str>>(ops: &mut Vec<HeaderOp>, name: &str, headers: &[(H, V)]) {
    let canonical = name.to_ascii_lowercase();
    ops.push(HeaderOp::Delete(canonical.clone()));
    for (n, _) in headers {
        let n = n.as_ref().to_ascii_lowercase();
        if n != canonical && same_header(&n, name) && !ops.iter().any(|o| o.name() == n) {
            ops.push(HeaderOp::Delete(n));
        }
    }
}

/// The value of header `name` (ASCII case ignored); several are joined with `sep`.
fn value<H: AsRef<str>, V: AsRef<str>>(headers: &[(H, V)], name: &str, sep: &str) -> Option<String> {
    let mut found = headers.iter().filter(|(n, _)| n.as_ref().eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref());
    let first = found.next()?;
    Some(found.fold(first.to_owned(), |acc, v| acc + sep + v))
}

/// Whether a Cache-Control value says `no-store` (ASCII case ignored). Compared byte by byte:
/// `str::contains` brought the string searcher's panic path into the package, and with it `char`'s
/// Debug formatting and Unicode tables, 5 KB gzip of the default entry (bench/NOTES.md).
fn mentions_no_store(cache_control: &str) -> bool {
    cache_control.as_bytes().windows(8).any(|w| w.eq_ignore_ascii_case(b"no-store"))
}

/// The path part of a request target (`/a/b?x=1` → `/a/b`).
fn path_of(target: &str) -> &str {
    target.split_once(['?', '#']).map_or(target, |(path, _)| path)
}

impl SessionManager {
    /// The header that carries the proxy's signature to the origin: SessionEnv's name and
    /// `-signature` (`x-session-signature`), lowercase.
    ///
    /// ```
    /// let m = edge_session::SessionManager::new({
    ///     let mut o = edge_session::Options::default();
    ///     o.format = edge_session::Format::Plain;
    ///     o
    /// })
    /// .unwrap();
    /// assert_eq!(m.signature_header(), "x-session-signature");
    /// ```
    pub fn signature_header(&self) -> String {
        format!("{}-signature", self.options().env_header.to_ascii_lowercase())
    }

    /// Decides what happens to a request (its method; the host, with the port if not the
    /// scheme's default, and the target, path and query, as the origin receives them; its
    /// headers, name and value) at `now` (µs): loads the session where sessions apply. The
    /// origin signature covers the method, host and target.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// o.exclude = vec!["/static".into()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let plan = m.plan_request("GET", "app.example", "/static/a.css?v=2", &[("X-Session", "user=admin")], 0);
    /// assert!(plan.session.is_none());
    /// assert_eq!(plan.headers[0], edge_session::proxy::HeaderOp::Delete("x-session".into()));
    /// ```
    pub fn plan_request<H: AsRef<str>, V: AsRef<str>>(
        &self,
        method: &str,
        host: &str,
        target: &str,
        headers: &[(H, V)],
        now: u64,
    ) -> RequestPlan {
        let cookie = value(headers, "cookie", "; ");
        let session = self.loads_session_at(path_of(target)).then(|| self.load(cookie.as_deref(), now));
        let signed = signature::Signed { method, host, target };
        self.plan(session, Request { signed, now }, headers, cookie)
    }

    /// [`plan_request`](Self::plan_request) for a session the face loaded itself (from a
    /// server-side store, or after a revocation check), or `None` outside include / exclude.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = edge_session::Session::new();
    /// s.insert("user", "alice").unwrap();
    /// let plan = m.plan_request_for(Some(s), "GET", "app.example", "/", &[] as &[(&str, &str)], 0);
    /// assert!(plan.headers.contains(&edge_session::proxy::HeaderOp::Set("x-session".into(), "user=alice".into())));
    /// ```
    pub fn plan_request_for<H: AsRef<str>, V: AsRef<str>>(
        &self,
        session: Option<Session>,
        method: &str,
        host: &str,
        target: &str,
        headers: &[(H, V)],
        now: u64,
    ) -> RequestPlan {
        let signed = signature::Signed { method, host, target };
        self.plan(session, Request { signed, now }, headers, value(headers, "cookie", "; "))
    }

    /// The request's operations, with its `Cookie` header already read (once).
    fn plan<H: AsRef<str>, V: AsRef<str>>(
        &self,
        session: Option<Session>,
        request: Request<'_>,
        headers: &[(H, V)],
        cookie: Option<String>,
    ) -> RequestPlan {
        let o = self.options();
        #[cfg(feature = "dbsc")]
        if let Some(endpoint) = self.device_endpoint(path_of(request.signed.target)) {
            let (answer, notices) = self.answer_device(endpoint, request.signed.method, session, headers, request.now);
            return RequestPlan { session: None, headers: Vec::new(), notices, answer: Some(answer) };
        }
        #[cfg(feature = "dbsc")]
        let (mut session, unbound) = self.gate(session, cookie.as_deref(), request.now);
        // Soft binding, for sessions no device key binds (a bound one has its proof).
        #[cfg(feature = "dbsc")]
        let changed = match session.as_mut() {
            Some(s) if !s.device_bound() => {
                self.check_client(s, &value(headers, "user-agent", " ").unwrap_or_default())
            }
            _ => None,
        };
        let mut ops = Vec::new();
        delete_spellings(&mut ops, &o.env_header, headers);
        let signature_header = self.signature_header();
        delete_spellings(&mut ops, &signature_header, headers);
        if o.cookie_remove
            && let Some(cookie) = cookie
        {
            let name = &o.cookie_name;
            ops.push(match cookie_header::remove(&cookie, |n| chunks::is_session_cookie(n, name)) {
                Some(rest) => HeaderOp::Set("cookie".into(), rest),
                None => HeaderOp::Delete("cookie".into()),
            });
        }
        #[cfg(feature = "dbsc")]
        let value = session.as_ref().map(|s| self.env_value(s, changed.is_some()));
        #[cfg(not(feature = "dbsc"))]
        let value = session.as_ref().map(Session::to_string);
        if !o.origin_secret.is_empty() {
            let Request { signed, now } = request;
            let sig = signature::sign(o.origin_secret.as_bytes(), now, signed, value.as_deref().unwrap_or(""));
            ops.push(HeaderOp::Set(signature_header, sig));
        }
        let (Some(session), Some(value)) = (session, value) else {
            return RequestPlan { session: None, headers: ops, notices: Vec::new(), answer: None };
        };
        #[allow(unused_mut)]
        let mut notices = match session.status() {
            LoadStatus::Rejected(why) => vec![Notice::Rejected(why)],
            LoadStatus::Expired => vec![Notice::Expired],
            _ => Vec::new(),
        };
        #[cfg(feature = "dbsc")]
        notices.extend(unbound.into_iter().chain(changed));
        ops.push(HeaderOp::Set(o.env_header.to_ascii_lowercase(), value));
        RequestPlan { session: Some(session), headers: ops, notices, answer: None }
    }

    /// Decides what happens to the origin's response (its headers, name and value): merges its
    /// SessionHeader into `session`, saves it at `now` (µs), and says which headers to change.
    /// `None` for a request outside include / exclude (the SessionHeader is still removed).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let plan = m.plan_response(None, &[("X-Replace-Session", "user=admin")], 0);
    /// assert_eq!(plan.headers, [edge_session::proxy::HeaderOp::Delete("x-replace-session".into())]);
    /// ```
    pub fn plan_response<H: AsRef<str>, V: AsRef<str>>(
        &self,
        session: Option<&mut Session>,
        headers: &[(H, V)],
        now: u64,
    ) -> ResponsePlan {
        let Some(session) = session else {
            return self.plan_response_saved(None, headers, Ok(Vec::new()));
        };
        let refused = self.merge_update(session, headers);
        #[cfg(feature = "dbsc")]
        let offer = self.offer_registration(session, now);
        let (lines, saved) = match self.save_lines(session, now) {
            Ok((lines, saved)) => (Ok(lines), saved),
            Err(e) => (Err(e), Saved::Nothing),
        };
        let mut plan = self.plan_response_saved(Some(session), headers, lines);
        plan.notices.splice(0..0, refused);
        #[cfg(feature = "dbsc")]
        {
            use crate::device_bound::REGISTRATION_HEADER;
            if let Some(offer) =
                offer.filter(|_| matches!(saved, Saved::Created(_) | Saved::Rotated(_) | Saved::Renewed(_)))
            {
                plan.headers.push(HeaderOp::Set(REGISTRATION_HEADER.into(), offer));
            }
            plan.headers.extend(self.device_after_save(&saved));
        }
        plan.saved = saved;
        plan
    }

    /// Merges the response's SessionHeader into `session`; a refused one is the notice
    /// returned (the session is then unchanged). For faces that save the session themselves.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = edge_session::Session::new();
    /// assert_eq!(m.merge_update(&mut s, &[("x-replace-session", "a=1")]), None);
    /// assert_eq!(s.get("a"), Some("1"));
    /// ```
    pub fn merge_update<H: AsRef<str>, V: AsRef<str>>(
        &self,
        session: &mut Session,
        headers: &[(H, V)],
    ) -> Option<Notice> {
        let update = value(headers, &self.options().header, ", ")?;
        session.apply_update(&update).err().map(Notice::UpdateRefused)
    }

    /// The response's header operations once `session` (after [`merge_update`](Self::merge_update))
    /// was saved with this result: for faces that save the session themselves (a server-side
    /// store). `None` for a request outside include / exclude.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let plan = m.plan_response_saved(None, &[("cache-control", "public")], Ok(vec!["s=1".into()]));
    /// assert_eq!(plan.headers.len(), 4);
    /// ```
    pub fn plan_response_saved<H: AsRef<str>, V: AsRef<str>>(
        &self,
        session: Option<&Session>,
        headers: &[(H, V)],
        saved: Result<Vec<String>, SaveError>,
    ) -> ResponsePlan {
        let mut ops = Vec::new();
        delete_spellings(&mut ops, &self.options().header, headers);
        let (set_cookies, notices) = match saved {
            Ok(lines) => (lines, Vec::new()),
            Err(e) => (Vec::new(), vec![Notice::NotSaved(e)]),
        };
        let writes = !set_cookies.is_empty();
        ops.extend(set_cookies.into_iter().map(|c| HeaderOp::Append("set-cookie".into(), c)));
        let carried = session.is_some_and(|s| s.status() == LoadStatus::Loaded);
        let cache_control = value(headers, "cache-control", ", ");
        if writes {
            ops.push(HeaderOp::Set("cache-control".into(), "private, no-store".into()));
        } else if carried && !cache_control.is_some_and(|v| mentions_no_store(&v)) {
            ops.push(HeaderOp::Set("cache-control".into(), "private, no-cache".into()));
        }
        if writes || carried {
            let vary = value(headers, "vary", ", ").unwrap_or_default();
            let has = vary.split(',').any(|t| t.trim().eq_ignore_ascii_case("cookie") || t.trim() == "*");
            if !has {
                let v = if vary.trim().is_empty() { "Cookie".to_owned() } else { format!("{vary}, Cookie") };
                ops.push(HeaderOp::Set("vary".into(), v));
            }
        }
        ResponsePlan { headers: ops, notices, saved: Saved::Nothing }
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::limits::MAX_UPDATE_BYTES;
    use crate::{Options, SessionError};

    type Headers = Vec<(&'static str, String)>;

    fn manager(f: impl FnOnce(&mut Options)) -> SessionManager {
        let mut o = Options::default();
        o.keys = vec![crate::generate_key().unwrap()];
        f(&mut o);
        SessionManager::new(o).unwrap()
    }

    fn login(m: &SessionManager) -> String {
        let mut s = m.plan_request("GET", "app.example", "/", &Headers::new(), 0).session.unwrap();
        let plan = m.plan_response(Some(&mut s), &[("x-replace-session", "user=alice")], 0);
        let HeaderOp::Append(_, line) = &plan.headers[1] else { panic!("{plan:?}") };
        line.split(';').next().unwrap().to_owned()
    }

    fn set(ops: &[HeaderOp], name: &str) -> Option<String> {
        ops.iter().find_map(|o| match o {
            HeaderOp::Set(n, v) if n == name => Some(v.clone()),
            _ => None,
        })
    }

    #[test]
    fn outside_include_the_session_cookie_still_leaves_with_cookie_remove() {
        let m = manager(|o| {
            o.include = vec!["/app".into()];
            o.cookie_remove = true;
        });
        let p = m.plan_request("GET", "app.example", "/other", &[("cookie", "a=1; session=x")], 0);
        assert_eq!(
            p.headers,
            [
                HeaderOp::Delete("x-session".into()),
                HeaderOp::Delete("x-session-signature".into()),
                HeaderOp::Set("cookie".into(), "a=1".into())
            ]
        );
    }

    #[test]
    fn outside_include_only_the_env_header_goes() {
        let m = manager(|o| o.include = vec!["/app".into()]);
        let p =
            m.plan_request("GET", "app.example", "/other", &[("cookie", "session=x"), ("X_SESSION", "user=admin")], 0);
        assert!(p.session.is_none());
        assert_eq!(
            p.headers,
            [
                HeaderOp::Delete("x-session".into()),
                HeaderOp::Delete("x_session".into()),
                HeaderOp::Delete("x-session-signature".into())
            ]
        );
    }

    #[test]
    fn every_spelling_of_the_env_header_is_stripped() {
        let m = manager(|o| o.env_header = "X-Edge-Session".into());
        let sent =
            [("x_edge-session", "a"), ("X_EDGE_SESSION", "b"), ("x-edge-session", "c"), ("x-edge-sessions", "d")];
        let p = m.plan_request("GET", "app.example", "/", &sent, 0);
        let deleted: Vec<&str> =
            p.headers.iter().filter(|o| matches!(o, HeaderOp::Delete(_))).map(HeaderOp::name).collect();
        assert_eq!(deleted, ["x-edge-session", "x_edge-session", "x_edge_session", "x-edge-session-signature"]);
        assert_eq!(set(&p.headers, "x-edge-session").as_deref(), Some(""), "then set by the proxy alone");
    }

    #[test]
    fn with_an_origin_secret_every_forwarded_request_is_signed() {
        const SECRET: &str = "an origin secret of at least 32 characters, 2026";
        let m = manager(|o| {
            o.origin_secret = SECRET.into();
            o.include = vec!["/app".into()];
        });
        let now = 1_800_000_000_000_000;
        let mut s = m.plan_request("GET", "app.example", "/app", &Headers::new(), 0).session.unwrap();
        s.insert("user", "alice").unwrap();
        let c = m.save(&mut s, 0).unwrap().unwrap().split(';').next().unwrap().to_owned();
        let forged = [("X_Session_Signature", "t=1,v1=x"), ("x-session-signature", "t=2,v1=y")];
        for (target, session) in [("/app/page?x=1", Some("user=alice")), ("/static/a.css", None)] {
            let mut sent: Vec<(&str, &str)> = forged.to_vec();
            sent.push(("cookie", &c));
            let p = m.plan_request("POST", "app.example", target, &sent, now);
            let deleted: Vec<&str> =
                p.headers.iter().filter(|o| matches!(o, HeaderOp::Delete(_))).map(HeaderOp::name).collect();
            assert!(
                deleted.contains(&"x-session-signature") && deleted.contains(&"x_session_signature"),
                "{deleted:?}"
            );
            let sig = set(&p.headers, "x-session-signature").expect("signed on every path");
            let env = session.unwrap_or("");
            assert_eq!(set(&p.headers, "x-session").as_deref().unwrap_or(""), env);
            let ok =
                crate::signature::verify_signature(&[SECRET], Some(&sig), "POST", "app.example", target, env, now, 300);
            assert_eq!(ok, Ok(()), "{target}");
            let other = crate::signature::verify_signature(
                &[SECRET],
                Some(&sig),
                "POST",
                "app.example",
                "/app/admin",
                env,
                now,
                300,
            );
            assert_eq!(other, Err(crate::signature::SignatureError::Mismatch));
            let elsewhere = crate::signature::verify_signature(
                &[SECRET],
                Some(&sig),
                "POST",
                "staging.example",
                target,
                env,
                now,
                300,
            );
            assert_eq!(elsewhere, Err(crate::signature::SignatureError::Mismatch), "the host is signed");
        }
        let unsigned = manager(|_| {});
        assert!(
            set(&unsigned.plan_request("GET", "app.example", "/", &forged, now).headers, "x-session-signature")
                .is_none()
        );
    }

    #[test]
    fn env_value_is_the_session_string() {
        let m = manager(|_| {});
        let c = login(&m);
        let p = m.plan_request("GET", "app.example", "/", &[("cookie", c)], 0);
        assert_eq!(set(&p.headers, "x-session").as_deref(), Some("user=alice"));
        assert!(p.headers.iter().all(|o| o.name() != "cookie"), "cookie kept without cookie_remove");
    }

    #[test]
    fn cookie_remove_strips_the_session_cookie_and_chunks() {
        let m = manager(|o| o.cookie_remove = true);
        let c = login(&m);
        let p = m.plan_request("GET", "app.example", "/", &[("cookie", format!("a=1; {c}"))], 0);
        assert_eq!(p.session.unwrap().get("user"), Some("alice"), "the loader reads it …");
        assert_eq!(set(&p.headers, "cookie").as_deref(), Some("a=1"), "… and the origin does not get it");
        let p = m.plan_request("GET", "app.example", "/", &[("cookie", "session=x")], 0);
        assert!(p.headers.contains(&HeaderOp::Delete("cookie".into())));
        let chunked = "a=1; session.0=2*x; session.15=y; session.x=keep; session.123=keep; session.16=keep";
        let p = m.plan_request("GET", "app.example", "/", &[("cookie", chunked)], 0);
        assert_eq!(
            set(&p.headers, "cookie").as_deref(),
            Some("a=1; session.x=keep; session.123=keep; session.16=keep")
        );
    }

    #[test]
    fn the_session_header_goes_on_every_path_in_every_spelling() {
        let m = manager(|_| {});
        let p = m.plan_response(None, &[("X-Replace-Session", "user=admin"), ("x_replace_session", "x=1")], 0);
        assert_eq!(
            p.headers,
            [HeaderOp::Delete("x-replace-session".into()), HeaderOp::Delete("x_replace_session".into())]
        );
    }

    #[test]
    fn carried_session_without_change_is_private_no_cache() {
        let m = manager(|_| {});
        let c = login(&m);
        let mut s = m.plan_request("GET", "app.example", "/", &[("cookie", c.clone())], 0).session.unwrap();
        let p = m.plan_response(Some(&mut s), &[("cache-control", "public, max-age=600"), ("vary", "Accept")], 0);
        assert!(p.headers.iter().all(|o| o.name() != "set-cookie"));
        assert_eq!(set(&p.headers, "cache-control").as_deref(), Some("private, no-cache"));
        assert_eq!(set(&p.headers, "vary").as_deref(), Some("Accept, Cookie"));
        let mut s = m.plan_request("GET", "app.example", "/", &[("cookie", c)], 0).session.unwrap();
        let p = m.plan_response(Some(&mut s), &[("Cache-Control", "No-Store"), ("Vary", "cookie")], 0);
        assert_eq!(p.headers, [HeaderOp::Delete("x-replace-session".into())]);
    }

    #[test]
    fn oversized_update_is_refused_and_the_session_kept() {
        let m = manager(|_| {});
        let c = login(&m);
        let mut s = m.plan_request("GET", "app.example", "/", &[("cookie", c)], 0).session.unwrap();
        let big = format!("k={}", "v".repeat(MAX_UPDATE_BYTES));
        let p = m.plan_response(Some(&mut s), &[("x-replace-session", big)], 0);
        assert!(matches!(p.notices[..], [Notice::UpdateRefused(SessionError::UpdateTooLarge { .. })]));
        assert_eq!(s.get("user"), Some("alice"));
    }

    #[test]
    fn too_large_to_save_is_reported_not_sent() {
        let update: Vec<String> = (0..7).map(|i| format!("k{i}={}", "v".repeat(1000))).collect();
        let one = manager(|o| o.max_chunks = 1);
        let mut s = one.plan_request("GET", "app.example", "/", &Headers::new(), 0).session.unwrap();
        let p = one.plan_response(Some(&mut s), &[("x-replace-session", update.join("&"))], 0);
        assert!(matches!(p.notices[..], [Notice::NotSaved(SaveError::CookieTooLarge { .. })]));
        assert!(p.headers.iter().all(|o| o.name() != "set-cookie"));
        let m = manager(|_| {});
        let mut s = m.plan_request("GET", "app.example", "/", &Headers::new(), 0).session.unwrap();
        let p = m.plan_response(Some(&mut s), &[("x-replace-session", update.join("&"))], 0);
        assert_eq!(p.headers.iter().filter(|o| o.name() == "set-cookie").count(), 3, "chunked by default");
    }

    #[test]
    fn rejections_are_notices() {
        let m = manager(|_| {});
        let p = m.plan_request("GET", "app.example", "/", &[("cookie", "session=garbage")], 0);
        assert_eq!(p.notices, [Notice::Rejected(crate::Rejection::Malformed)]);
    }

    #[test]
    fn an_origin_no_store_is_found_in_any_case_and_place() {
        for v in ["no-store", "private, No-Store", "max-age=0,NO-STORE", "x, no-store, y"] {
            assert!(mentions_no_store(v), "{v}");
        }
        for v in ["", "no-cache", "no-stor", "nostore", "é no-stor"] {
            assert!(!mentions_no_store(v), "{v}");
        }
    }
}
