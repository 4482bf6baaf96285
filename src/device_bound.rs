//! Device-bound sessions (W3C Device Bound Session Credentials, DBSC): the browser keeps a private
//! key that cannot leave the device; the session cookie alone no longer counts, only beside a
//! short-lived **bound cookie** that only a proof signed with that key renews. Stateless at the
//! edge: the binding lives in the sealed session, challenges and bound cookies are sealed tokens.
//! On with [`Options::device_bound`](crate::Options::device_bound) (the crate's `dbsc` feature).
//!
//! ```
//! let mut o = edge_session::Options::default();
//! o.keys = vec![edge_session::generate_key().unwrap()];
//! let m = edge_session::SessionManager::new(o).unwrap();
//! assert_eq!(m.bound_cookie_name(), "session_bound");
//! assert!(!m.is_device_endpoint("/__edge-session/dbsc/register")); // device_bound is off
//! ```
//!
//! ```text
//! browser                                   proxy (this module)                       origin
//!   │  login request ─────────────────────────▶  (no session yet) ─────────────────────▶ │
//!   │  ◀── Set-Cookie: session (!device=ID)      ◀── X-Replace-Session: user=alice ───── │
//!   │      Secure-Session-Registration: (ES256);path=".../register";challenge="C1"
//!   │  POST .../register  Secure-Session-Response: JWT{jwk, jti=C1} signed by the device key
//!   │  ◀── 200 {session_identifier, refresh_url, scope, credentials}
//!   │      Set-Cookie: session (!device=ID.0.KEY), session_bound (600 s)
//!   │  GET /account  Cookie: session, session_bound ──── X-Session: user=alice&!bound=JKT ─▶ │
//!   │  … the bound cookie expires: the browser holds requests and refreshes first …
//!   │  POST .../refresh  Sec-Secure-Session-Id: ID ──▶ 403 Secure-Session-Challenge: "C2"
//!   │  POST .../refresh  Secure-Session-Response: JWT{jti=C2} ──▶ 200, new session_bound
//! ```
//!
//! Wire formats (every token is a sealed token, `token.rs`, under the session keys):
//!
//! ```text
//! !device      = ID                       offered (registration header sent), not bound yet
//!              | ID "." N "." KEY         bound: N counts refreshes, KEY the device's public key
//!   ID           22 base64url chars (16 random bytes): the DBSC session_identifier
//!   KEY          base64url of the uncompressed P-256 point (dbsc_proof.rs, thumbprint.rs)
//! challenge    = token(purpose "dbsc-challenge", data "r:" ID | "f:" ID "." N, 300 s)
//!                "r:" answers registration; "f:" refresh number N: single use, since a refresh
//!                moves N on (and a registration binds): the same proof cannot be used twice
//! bound cookie = NAME "_bound" = token(purpose "dbsc-bound" NUL NAME, data ID "." N, max age)
//! ```
//!
//! A request whose session is bound is treated as having no session unless its bound cookie opens,
//! names the session and its current N, and has not expired (a notice in the log). The refresh
//! endpoint answers a session that is not bound (ended, revoked, logged out everywhere, another
//! device's) with `"continue": false`, which ends the browser's device-bound session.

#[cfg(feature = "dbsc")]
use base64ct::{Base64UrlUnpadded, Encoding};

use crate::session::Session;

pub use crate::client_binding::ClientBinding;
#[cfg(feature = "dbsc")]
pub use crate::client_fingerprint::client_family;
#[cfg(feature = "dbsc")]
pub use crate::dbsc_proof::{DeviceKey, PROOF_ALGORITHM, PROOF_TYPE, Proof, ProofError, parse_proof};
pub use crate::thumbprint::thumbprint_of_stored;

/// The purpose of challenge tokens.
#[cfg(feature = "dbsc")]
const CHALLENGE_PURPOSE: &str = "dbsc-challenge";
/// The purpose of bound cookies (with the cookie's name after a NUL).
const BOUND_PURPOSE: &str = "dbsc-bound";
/// The bound cookie's name after the session cookie's.
pub const BOUND_SUFFIX: &str = "_bound";
/// The registration endpoint, under the `device_bound_path` prefix.
pub const REGISTER: &str = "/register";
/// The refresh endpoint, under the `device_bound_path` prefix.
pub const REFRESH: &str = "/refresh";
/// The response header that offers a registration.
pub const REGISTRATION_HEADER: &str = "secure-session-registration";
/// The request header that carries a proof.
pub const RESPONSE_HEADER: &str = "secure-session-response";
/// The request header that names the session at refresh.
pub const SESSION_ID_HEADER: &str = "sec-secure-session-id";
/// The response header that hands out the next challenge.
pub const CHALLENGE_HEADER: &str = "secure-session-challenge";
/// How long a challenge opens, in seconds.
pub const CHALLENGE_SECONDS: u64 = 300;
/// The longest `Sec-Secure-Session-Id` read.
#[cfg(feature = "dbsc")]
const MAX_SESSION_ID_BYTES: usize = 256;
/// Random bytes of a session identifier.
#[cfg(feature = "dbsc")]
const ID_BYTES: usize = 16;

/// A session's device binding, as its `!device` state says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Binding<'a> {
    /// Registration offered under this identifier.
    Offered(&'a str),
    /// Bound: identifier, refresh number, the device's stored public key.
    Bound { id: &'a str, n: u64, key: &'a str },
}

impl<'a> Binding<'a> {
    pub(crate) fn parse(state: &'a str) -> Option<Self> {
        let mut parts = state.split('.');
        let id = parts.next().filter(|id| !id.is_empty())?;
        match (parts.next(), parts.next(), parts.next()) {
            (None, ..) => Some(Self::Offered(id)),
            (Some(n), Some(key), None) if n.len() <= 20 && n.bytes().all(|b| b.is_ascii_digit()) => {
                Some(Self::Bound { id, n: n.parse().ok()?, key })
            }
            _ => None,
        }
    }

    fn of(session: &'a Session) -> Option<Self> {
        session.device().and_then(Self::parse)
    }
}

impl Session {
    /// Whether the session is bound to a device (DBSC): its requests count only with a valid bound
    /// cookie, which only a proof signed by the device's key renews.
    ///
    /// ```
    /// assert!(!edge_session::Session::new().device_bound());
    /// ```
    pub fn device_bound(&self) -> bool {
        matches!(Binding::of(self), Some(Binding::Bound { .. }))
    }

    /// The stored public key of the device the session is bound to (base64url of its uncompressed
    /// P-256 point), for tools; `None` when it is not bound.
    ///
    /// ```
    /// assert_eq!(edge_session::Session::new().device_key(), None);
    /// ```
    pub fn device_key(&self) -> Option<&str> {
        // What follows the second and last dot of `ID.N.KEY` (no number read, no string searcher:
        // the tools' builds stay small).
        let state = self.device()?;
        let bytes = state.as_bytes();
        let last = bytes.iter().rposition(|&b| b == b'.')?;
        let dots = bytes.iter().filter(|&&b| b == b'.').count();
        state.get(last + 1..).filter(|k| dots == 2 && !k.is_empty())
    }
}

impl crate::SessionManager {
    /// The bound cookie's name: the session cookie's and `_bound`.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// assert_eq!(edge_session::SessionManager::new(o).unwrap().bound_cookie_name(), "session_bound");
    /// ```
    pub fn bound_cookie_name(&self) -> String {
        format!("{}{BOUND_SUFFIX}", self.options().cookie_name)
    }

    /// Whether a face loads the session for a request to `path`: where sessions apply
    /// (include / exclude), and at the device-bound session endpoints whatever those say.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// o.include = vec!["/app".into()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert!(m.loads_session_at("/app/x") && !m.loads_session_at("/other"));
    /// ```
    pub fn loads_session_at(&self, path: &str) -> bool {
        self.applies_to(path) || self.is_device_endpoint(path)
    }

    /// Whether `path` is a device-bound session endpoint (`device_bound_path` + `/register` or
    /// `/refresh`, with `device_bound` on): a face loads the session there whatever include /
    /// exclude say, and sends the plan's [`answer`](crate::proxy::RequestPlan::answer).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// assert!(!edge_session::SessionManager::new(o).unwrap().is_device_endpoint("/__edge-session/dbsc/refresh"));
    /// ```
    pub fn is_device_endpoint(&self, path: &str) -> bool {
        #[cfg(feature = "dbsc")]
        return self.device_endpoint(path).is_some();
        #[cfg(not(feature = "dbsc"))]
        return {
            let _ = path;
            false
        };
    }
}

/// When a bound cookie (`token`, of session cookie `cookie_name`) sealed by a key of `ring`
/// expires (µs); `None` when none of them opens it.
pub(crate) fn bound_cookie_expiry(ring: &crate::keys::KeyRing, cookie_name: &str, token: &str) -> Option<u64> {
    let purpose = format!("{BOUND_PURPOSE}\0{cookie_name}");
    crate::token::opened_expiry(ring, &purpose, token)
}

/// A fresh session identifier.
#[cfg(feature = "dbsc")]
fn new_id() -> Option<String> {
    let mut bytes = [0u8; ID_BYTES];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(Base64UrlUnpadded::encode_string(&bytes))
}

/// An answer the proxy gives itself (a DBSC endpoint), without the origin.
///
/// ```
/// let a = edge_session::proxy::Answer { status: 405, headers: vec![], body: String::new() };
/// assert_eq!(a.status, 405);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// Its headers, in order (`Set-Cookie` appended).
    pub headers: Vec<crate::proxy::HeaderOp>,
    /// Its body (JSON).
    pub body: String,
}

#[cfg(feature = "dbsc")]
mod endpoints {
    use super::*;
    use crate::dbsc_proof::unquote;
    use crate::notice::{Notice, json_string};
    use crate::proxy::HeaderOp;
    use crate::saved::Saved;
    use crate::status::LoadStatus;
    use crate::{SessionManager, cookie_header};

    impl SessionManager {
        fn bound_purpose(&self) -> String {
            format!("{BOUND_PURPOSE}\0{}", self.options().cookie_name)
        }

        /// Whether `session`, bound to a device, came with a valid bound cookie in `cookie` (the
        /// request's Cookie header) at `now` (µs). Sessions that are not bound pass.
        pub(crate) fn bound_cookie_holds(&self, session: &Session, cookie: Option<&str>, now: u64) -> bool {
            let Some(Binding::Bound { id, n, .. }) = Binding::of(session) else { return true };
            let name = self.bound_cookie_name();
            let Some(token) = cookie.and_then(|c| cookie_header::find_cookie(c, &name)) else { return false };
            let Some(data) = self.open_token(token, &self.bound_purpose(), now) else { return false };
            data.split_once('.').is_some_and(|(i, m)| i == id && m.parse() == Ok(n))
        }

        /// The bound cookie's `Set-Cookie` line when it is due (the session is bound), and its
        /// expiry (µs).
        fn bound_cookie(&self, id: &str, n: u64, now: u64) -> Option<(String, u64)> {
            let ttl = self.options().device_bound_max_age;
            let token = self.seal_token(&self.bound_purpose(), &format!("{id}.{n}"), ttl, now).ok()?;
            let line = self.attributes().line(&self.bound_cookie_name(), &token, Some(ttl)).ok()?;
            Some((line, now.saturating_add(ttl.saturating_mul(1_000_000))))
        }

        /// The line that removes the bound cookie.
        pub(crate) fn bound_cookie_removal(&self) -> String {
            self.attributes().removal(&self.bound_cookie_name())
        }
    }

    /// Which endpoint a path is.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Endpoint {
        Register,
        Refresh,
    }

    /// The first value of header `name`.
    fn header<'h, H: AsRef<str>, V: AsRef<str>>(headers: &'h [(H, V)], name: &str) -> Option<&'h str> {
        headers.iter().find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name)).map(|(_, v)| v.as_ref())
    }

    /// A JSON value of the answers: a string, a boolean, or JSON written already.
    enum Json<'a> {
        Str(&'a str),
        Bool(bool),
        Raw(String),
    }

    /// A JSON object of `fields`, strings escaped by the log lines' writer.
    fn object(fields: &[(&str, Json<'_>)]) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            json_string(&mut out, k);
            out.push(':');
            match v {
                Json::Str(s) => json_string(&mut out, s),
                Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Json::Raw(r) => out.push_str(r),
            }
        }
        out.push('}');
        out
    }

    fn json_answer(status: u16, body: String) -> Answer {
        Answer {
            status,
            headers: vec![
                HeaderOp::Set("content-type".into(), "application/json".into()),
                HeaderOp::Set("cache-control".into(), "private, no-store".into()),
            ],
            body,
        }
    }

    /// A refusal: `status`, the reason's code and message in JSON, and a notice for the log.
    fn refusal(status: u16, code: &str, message: &str) -> (Answer, Notice) {
        let answer = json_answer(status, object(&[("error", Json::Str(code)), ("message", Json::Str(message))]));
        (answer, Notice::DeviceBound { event: "refused", detail: format!("{code}: {message}") })
    }

    impl SessionManager {
        /// Which DBSC endpoint `path` is, with device-bound sessions on.
        pub(crate) fn device_endpoint(&self, path: &str) -> Option<Endpoint> {
            let o = self.options();
            if !o.device_bound {
                return None;
            }
            match path.strip_prefix(o.device_bound_path.as_str())? {
                REGISTER => Some(Endpoint::Register),
                REFRESH => Some(Endpoint::Refresh),
                _ => None,
            }
        }

        /// A challenge for `data`, for the headers (a structured-field string).
        fn challenge(&self, data: &str, now: u64) -> Option<String> {
            self.seal_token(CHALLENGE_PURPOSE, data, CHALLENGE_SECONDS, now).ok()
        }

        /// The `Secure-Session-Registration` header to add to a response whose save wrote
        /// `session`, when it is new or regenerated: its binding offered under a fresh identifier
        /// (set before the save, which writes it).
        pub(crate) fn offer_registration(&self, session: &mut Session, now: u64) -> Option<String> {
            if !self.options().device_bound || session.device().is_some() || session.nothing_stored() {
                return None;
            }
            let id = new_id()?;
            let challenge = self.challenge(&format!("r:{id}"), now)?;
            session.set_device(id);
            let path = format!("{}{REGISTER}", self.options().device_bound_path);
            Some(format!("({PROOF_ALGORITHM});path=\"{path}\";challenge=\"{challenge}\""))
        }

        /// The session instructions (JSON) for session `id`.
        fn instructions(&self, id: &str) -> String {
            let refresh = format!("{}{REFRESH}", self.options().device_bound_path);
            let name = self.bound_cookie_name();
            let credential = object(&[
                ("type", Json::Str("cookie")),
                ("name", Json::Str(&name)),
                ("attributes", Json::Str(self.attributes().rendered())),
            ]);
            object(&[
                ("session_identifier", Json::Str(id)),
                ("refresh_url", Json::Str(&refresh)),
                ("scope", Json::Raw(object(&[("include_site", Json::Bool(false))]))),
                ("credentials", Json::Raw(format!("[{credential}]"))),
            ])
        }

        /// Adds the challenge for refresh `n` of session `id` to `answer` (`Secure-Session-Challenge`).
        fn hand_challenge(&self, answer: &mut Answer, id: &str, n: u64, now: u64) {
            if let Some(c) = self.challenge(&format!("f:{id}.{n}"), now) {
                answer.headers.push(HeaderOp::Set(CHALLENGE_HEADER.into(), format!("\"{c}\";id=\"{id}\"")));
            }
        }

        /// Saves `session` (bound, refreshed) and answers with the instructions, the bound cookie
        /// and the next challenge.
        fn bound_answer(&self, session: &mut Session, id: &str, n: u64, now: u64) -> Result<Answer, (Answer, Notice)> {
            let lines = match self.save_lines(session, now) {
                Ok((lines, _)) => lines,
                Err(e) => return Err(refusal(400, "not-saved", &e.to_string())),
            };
            let (bound, _) =
                self.bound_cookie(id, n, now).ok_or_else(|| refusal(400, "not-saved", "no bound cookie"))?;
            let mut answer = json_answer(200, self.instructions(id));
            answer.headers.extend(lines.into_iter().map(|l| HeaderOp::Append("set-cookie".into(), l)));
            answer.headers.push(HeaderOp::Append("set-cookie".into(), bound));
            self.hand_challenge(&mut answer, id, n, now);
            answer.headers.push(HeaderOp::Set("vary".into(), "Cookie".into()));
            Ok(answer)
        }

        /// The endpoint's answer for a request (its method and headers) that carried `session`.
        pub(crate) fn answer_device<H: AsRef<str>, V: AsRef<str>>(
            &self,
            endpoint: Endpoint,
            method: &str,
            session: Option<Session>,
            headers: &[(H, V)],
            now: u64,
        ) -> (Answer, Vec<Notice>) {
            if !method.eq_ignore_ascii_case("POST") {
                let (mut a, n) = refusal(405, "method", "the device-bound session endpoints take POST");
                a.headers.push(HeaderOp::Set("allow".into(), "POST".into()));
                return (a, vec![n]);
            }
            let session = session.filter(|s| s.status() == LoadStatus::Loaded);
            let result = match endpoint {
                Endpoint::Register => self.register(session, headers, now),
                Endpoint::Refresh => self.refresh(session, headers, now),
            };
            // An answer either way: a refusal is an answer too (a 4xx), never an error to the face.
            let (answer, notice) = result.unwrap_or_else(|refused| refused);
            (answer, vec![notice])
        }

        fn register<H: AsRef<str>, V: AsRef<str>>(
            &self,
            session: Option<Session>,
            headers: &[(H, V)],
            now: u64,
        ) -> Result<(Answer, Notice), (Answer, Notice)> {
            let Some(mut session) = session else {
                return Err(refusal(400, "no-session", "registration needs the session it was offered to"));
            };
            let id = match Binding::of(&session) {
                Some(Binding::Offered(id)) => id.to_owned(),
                Some(Binding::Bound { .. }) => {
                    return Err(refusal(400, "already-bound", "the session is bound already"));
                }
                None => return Err(refusal(400, "not-offered", "no registration was offered to this session")),
            };
            let proof = header(headers, RESPONSE_HEADER)
                .ok_or_else(|| refusal(400, "missing-proof", "Secure-Session-Response is missing"))?;
            let proof = parse_proof(proof).map_err(|e| refusal(400, e.code(), &e.to_string()))?;
            let key = proof.key.as_ref().ok_or_else(|| {
                let e = ProofError::MissingKey;
                refusal(400, e.code(), &e.to_string())
            })?;
            proof.verify(key).map_err(|e| refusal(400, e.code(), &e.to_string()))?;
            let opened = self.open_token(&proof.jti, CHALLENGE_PURPOSE, now);
            if opened.as_deref() != Some(format!("r:{id}").as_str()) {
                return Err(refusal(400, "stale-challenge", "the challenge is not this session's, or has expired"));
            }
            let stored = key.to_stored();
            session.set_device(format!("{id}.0.{stored}"));
            let answer = self.bound_answer(&mut session, &id, 0, now)?;
            let detail = thumbprint_of_stored(&stored).unwrap_or_default();
            Ok((answer, Notice::DeviceBound { event: "registered", detail }))
        }

        fn refresh<H: AsRef<str>, V: AsRef<str>>(
            &self,
            session: Option<Session>,
            headers: &[(H, V)],
            now: u64,
        ) -> Result<(Answer, Notice), (Answer, Notice)> {
            let asked = header(headers, SESSION_ID_HEADER).map(|v| unquote(v.trim())).unwrap_or_default();
            if asked.len() > MAX_SESSION_ID_BYTES {
                return Err(refusal(400, "malformed", "Sec-Secure-Session-Id is too long"));
            }
            let bound = session.as_ref().and_then(|s| match Binding::of(s) {
                Some(Binding::Bound { id, n, key }) if asked.is_empty() || id == asked => {
                    Some((id.to_owned(), n, key.to_owned()))
                }
                _ => None,
            });
            let (Some(mut session), Some((id, n, stored))) = (session, bound) else {
                // Not bound (ended, revoked, logged out everywhere, another device's): end the
                // browser's device-bound session and drop its bound cookie.
                let body = object(&[("session_identifier", Json::Str(asked)), ("continue", Json::Bool(false))]);
                let mut answer = json_answer(200, body);
                answer.headers.push(HeaderOp::Append("set-cookie".into(), self.bound_cookie_removal()));
                let notice = Notice::DeviceBound { event: "ended", detail: "no bound session".into() };
                return Ok((answer, notice));
            };
            let Some(proof) = header(headers, RESPONSE_HEADER) else {
                let mut answer = json_answer(403, object(&[("error", Json::Str("challenge"))]));
                self.hand_challenge(&mut answer, id.as_str(), n, now);
                return Ok((answer, Notice::DeviceBound { event: "challenged", detail: String::new() }));
            };
            let proof = parse_proof(proof).map_err(|e| refusal(400, e.code(), &e.to_string()))?;
            let key = DeviceKey::from_stored(&stored)
                .ok_or_else(|| refusal(400, "bad-key", "the bound key is unreadable"))?;
            proof
                .verify(&key)
                .map_err(|e| refusal(400, e.code(), "the proof is not signed by the bound device key"))?;
            if self.open_token(&proof.jti, CHALLENGE_PURPOSE, now).as_deref() != Some(format!("f:{id}.{n}").as_str()) {
                let (mut answer, notice) =
                    refusal(403, "stale-challenge", "the challenge was used, has expired, or is not this session's");
                self.hand_challenge(&mut answer, id.as_str(), n, now);
                return Err((answer, notice));
            }
            let next = n.saturating_add(1);
            // The key stays as the session stored it: read once to verify, never encoded again.
            session.set_device(format!("{id}.{next}.{stored}"));
            let answer = self.bound_answer(&mut session, &id, next, now)?;
            let detail = thumbprint_of_stored(&stored).unwrap_or_default();
            Ok((answer, Notice::DeviceBound { event: "refreshed", detail }))
        }

        /// `session` as the request goes on: a bound session without a valid bound cookie in
        /// `cookie` is no session (a notice says so).
        pub(crate) fn gate(
            &self,
            session: Option<Session>,
            cookie: Option<&str>,
            now: u64,
        ) -> (Option<Session>, Option<Notice>) {
            match session {
                Some(s) if self.options().device_bound && !self.bound_cookie_holds(&s, cookie, now) => {
                    let detail = "a device-bound session came without a valid bound cookie: treated as no session";
                    (Some(Session::new()), Some(Notice::DeviceBound { event: "unbound", detail: detail.into() }))
                }
                s => (s, None),
            }
        }

        /// The SessionEnv header's value: the session string and, with device-bound sessions on,
        /// for a session the request carried, `!bound=1` when it is bound and `!issued=` the Unix
        /// time (seconds) it was issued (a login, a regeneration); `!client=changed` when soft
        /// binding found another client.
        pub(crate) fn env_value(&self, s: &Session, client_changed: bool) -> String {
            let mut v = s.to_string();
            if self.options().device_bound && s.status() == LoadStatus::Loaded {
                let mut push = |k: &str, n: u64| {
                    if !v.is_empty() {
                        v.push('&');
                    }
                    v.push_str(k);
                    v.push('=');
                    crate::text::push_decimal(&mut v, n);
                };
                if s.device_bound() {
                    push("!bound", 1);
                }
                if let Some(issued) = s.issued() {
                    push("!issued", issued / 1_000_000);
                }
            }
            if client_changed {
                if !v.is_empty() {
                    v.push('&');
                }
                v.push_str("!client=changed");
            }
            v
        }

        /// The header operations the response plan adds for device-bound sessions after a save
        /// that did `saved`: the bound cookie removed with the session.
        pub(crate) fn device_after_save(&self, saved: &Saved) -> Option<HeaderOp> {
            let ended = matches!(saved, Saved::Ended | Saved::Removed);
            (self.options().device_bound && ended)
                .then(|| HeaderOp::Append("set-cookie".into(), self.bound_cookie_removal()))
        }
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    /// A build without the feature keeps a bound session's state as an entry: saving the session
    /// there never unbinds it.
    #[cfg(not(feature = "dbsc"))]
    #[test]
    fn a_build_without_the_feature_keeps_the_binding() {
        let mut o = crate::Options::default();
        o.keys = vec![crate::generate_key().unwrap()];
        let m = crate::SessionManager::new(o).unwrap();
        let mut s = m.load(None, 0);
        s.apply_update("user=alice&!device=ID.3.KEY").unwrap();
        let cookie = m.save(&mut s, 0).unwrap().unwrap();
        let mut again = m.load(Some(cookie.split(';').next().unwrap()), 1);
        again.insert("cart", "1").unwrap();
        let cookie = m.save(&mut again, 1).unwrap().unwrap();
        let last = m.load(Some(cookie.split(';').next().unwrap()), 2);
        assert_eq!((last.device_key(), last.get("user")), (Some("KEY"), Some("alice")));
    }

    #[test]
    fn states_parse() {
        assert_eq!(Binding::parse("abc"), Some(Binding::Offered("abc")));
        assert_eq!(Binding::parse("abc.3.KEY"), Some(Binding::Bound { id: "abc", n: 3, key: "KEY" }));
        for bad in ["", ".1.k", "a.x.k", "a.1", "a.1.k.z", "a.99999999999999999999999.k"] {
            assert_eq!(Binding::parse(bad), None, "{bad}");
        }
    }
}
