//! The session manager: loads a session from a `Cookie` header and saves it as `Set-Cookie`
//! lines, with the format's keys prepared once. The rules of a save are `policy.rs`'s; the
//! formats are `format.rs`'s; the chunk layout is `chunks.rs`'s.

use core::fmt;

use crate::cache::{Bounded, Token, TokenRef};
use crate::chunks;
use crate::cookie_header::{self, Found};
use crate::error::{ConfigError, SaveError};
use crate::jar::Jar;
use crate::keys::DerivedSecret;
use crate::limits::MAX_COOKIE_BYTES;
use crate::options::Options;
use crate::policy::{self, Decision};
use crate::provenance::Provenance;
use crate::saved::{Saved, Written};
use crate::sealed;
use crate::sealer::Sealer;
use crate::session::Session;
use crate::set_cookie::Attributes;
use crate::status::{LoadStatus, Rejection};

/// Loads sessions from `Cookie` headers and saves them as `Set-Cookie` values.
///
/// Build one per process (key schedules and passphrase stretching happen here) and share it.
/// Times are microseconds since the Unix epoch, passed in by the caller.
///
/// ```
/// use edge_session::{Options, SessionManager};
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// o.max_age = 3600;
/// let manager = SessionManager::new(o).unwrap();
/// let now = 1_800_000_000_000_000;
///
/// let mut session = manager.load(None, now);
/// session.insert("user", "alice").unwrap();
/// let set_cookie = manager.save(&mut session, now).unwrap().unwrap();
///
/// let cookie = set_cookie.split(';').next().unwrap();
/// let again = manager.load(Some(cookie), now + 1);
/// assert_eq!(again.get("user"), Some("alice"));
/// ```
pub struct SessionManager {
    options: Options,
    attributes: Attributes,
    sealer: Sealer,
    /// The cookie name with the token context: what sealed tokens are bound to.
    binding: String,
    /// Cookie values opened before, by the whole value (`Options::open_cache`).
    opened: Bounded<Token, Session>,
}

impl fmt::Debug for SessionManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionManager").field("options", &self.options).field("sealer", &self.sealer).finish()
    }
}

impl SessionManager {
    /// Checks the options and prepares the keys.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// assert!(edge_session::SessionManager::new(o).is_ok());
    /// ```
    pub fn new(options: Options) -> Result<Self, ConfigError> {
        let attributes = options.check()?;
        let sealer = Sealer::new(&options)?;
        let binding = sealed::binding(&options.cookie_name, &options.token_context);
        // The plain format has nothing to decrypt: decoding is the cheap part.
        let slots = if sealer.decrypts() { options.open_cache } else { 0 };
        let opened = Bounded::with_budget(slots, options.open_cache_bytes);
        Ok(Self { options, attributes, sealer, binding, opened })
    }

    /// The options this manager runs with.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert_eq!(m.options().header, "X-Replace-Session");
    /// ```
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The cookie's canonical attributes.
    #[cfg(feature = "dbsc")]
    pub(crate) fn attributes(&self) -> &crate::set_cookie::Attributes {
        &self.attributes
    }

    /// Whether sessions apply to a request path (`SessionInclude` / `SessionExclude`).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// o.include = vec!["/app".into()];
    /// o.exclude = vec!["/app/static".into()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert!(m.applies_to("/app/x") && !m.applies_to("/app/static/a.css") && !m.applies_to("/"));
    /// ```
    pub fn applies_to(&self, path: &str) -> bool {
        let o = &self.options;
        (o.include.is_empty() || o.include.iter().any(|p| path.starts_with(p.as_str())))
            && !o.exclude.iter().any(|p| path.starts_with(p.as_str()))
    }

    /// Loads the session from a `Cookie` header at time `now` (µs). Never fails: a missing,
    /// bad, tampered or expired cookie gives an empty session whose [`Session::status`] says why.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert!(m.load(Some("session=garbage; other=1"), 0).is_empty());
    /// ```
    pub fn load(&self, cookie_header: Option<&str>, now: u64) -> Session {
        let name = &self.options.cookie_name;
        let max_chunks = self.options.max_chunks;
        let (mut session, jar) = match cookie_header {
            None => (Session::new(), Jar::default()),
            Some(header) => {
                // One pass over the header: the session cookie, and what the jar holds.
                let mut jar = Jar::default();
                let found = cookie_header::find_seeing(header, name, |n| jar.see(n, name));
                if found == Found::HeaderTooLarge {
                    jar = Jar::of(header, name);
                }
                let session = match found {
                    Found::Absent if self.chunking() && jar.has_chunk(0) => {
                        match chunks::reassemble(header, name, max_chunks) {
                            Some(Ok(token)) => self.open(&token, now, max_chunks * MAX_COOKIE_BYTES),
                            Some(Err(why)) => rejected(why),
                            None => Session::new(),
                        }
                    }
                    Found::Absent => Session::new(),
                    Found::Conflict => rejected(Rejection::Duplicate),
                    Found::HeaderTooLarge => rejected(Rejection::TooLarge),
                    Found::Value(value) => self.open(value, now, MAX_COOKIE_BYTES),
                };
                (session, jar)
            }
        };
        let expiry = policy::loaded_expiry(&self.options, &session, now);
        session.arrived(jar, expiry);
        session
    }

    /// Whether sessions may be split across cookies (`sealed` only).
    fn chunking(&self) -> bool {
        self.sealer.ring().is_some() && self.options.max_chunks > 1
    }

    fn open(&self, value: &str, now: u64, limit: usize) -> Session {
        if value.len() > limit {
            return rejected(Rejection::TooLarge);
        }
        // A value seen before is the same session: the cookie (or its chunks) decrypts to the same
        // bytes under the same keys and binding. What depends on the time is checked below, on
        // every load. Chunked sessions (values over one cookie) are not kept.
        let session = match self.opened.get(&TokenRef(value)) {
            Some(s) => s,
            None => match self.sealer.open(value, &self.binding) {
                Ok(s) => {
                    if value.len() <= MAX_COOKIE_BYTES {
                        self.remember(value.to_owned(), s.clone());
                    }
                    s
                }
                Err(why) => return rejected(why),
            },
        };
        if policy::expired(&self.options, &session, now) {
            return Session::ended(Provenance::ended(LoadStatus::Expired, Jar::default()));
        }
        session
    }

    /// Ends `session` if it was issued before `not_before` (µs): a revocation ("log out
    /// everywhere") for its user or for everyone, looked up by the caller. The session becomes
    /// empty with [`Rejection::Revoked`], so the next save removes the cookie. Sessions without
    /// an issue time (the `plain` and `apache` formats carry none) are ended too: a revocation
    /// cannot tell them apart. Returns whether it was ended.
    ///
    /// ```
    /// use edge_session::{LoadStatus, Rejection};
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = m.load(None, 1_000);
    /// s.insert("user", "alice").unwrap();
    /// let cookie = m.save(&mut s, 1_000).unwrap().unwrap();
    /// let mut s = m.load(Some(cookie.split(';').next().unwrap()), 2_000);
    /// assert!(!m.revoke_if_issued_before(&mut s, 1_000), "issued at the not-before time: kept");
    /// assert!(m.revoke_if_issued_before(&mut s, 1_500));
    /// assert_eq!(s.status(), LoadStatus::Rejected(Rejection::Revoked));
    /// assert!(m.save(&mut s, 2_000).unwrap().unwrap().contains("Max-Age=0"));
    /// ```
    pub fn revoke_if_issued_before(&self, session: &mut Session, not_before: u64) -> bool {
        if session.status() != LoadStatus::Loaded || session.issued().is_some_and(|i| i >= not_before) {
            return false;
        }
        let jar = session.provenance().jar;
        *session = Session::ended(Provenance::ended(LoadStatus::Rejected(Rejection::Revoked), jar));
        true
    }

    /// Saves `session` at time `now` (µs) as one cookie: the `Set-Cookie` value to send, or
    /// `None` when nothing needs sending (the rules are in the crate's docs: sliding expiry,
    /// absolute lifetime, update interval, removal of an emptied session). When the browser
    /// holds chunks of the session, or the session needs more than one cookie, it is
    /// [`SaveError::ChunkedSession`]: one line cannot write or remove them (use
    /// [`save_all`](Self::save_all)).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = m.load(None, 0);
    /// assert_eq!(m.save(&mut s, 0).unwrap(), None);
    /// ```
    pub fn save(&self, session: &mut Session, now: u64) -> Result<Option<String>, SaveError> {
        let decision = policy::decide(&self.options, session, now);
        if session.provenance().jar.chunks != 0 && decision != Decision::Nothing {
            return Err(SaveError::ChunkedSession);
        }
        let (expiry, issued) = match decision {
            Decision::Nothing => return Ok(None),
            Decision::Remove => return Ok(Some(self.removal_cookie())),
            Decision::Write { expiry, issued } => (expiry, issued),
        };
        let value = self.seal(session, expiry, issued).map_err(|e| match e {
            SaveError::TooManyChunks { .. } => SaveError::ChunkedSession,
            e => e,
        })?;
        let line =
            self.attributes.line(&self.options.cookie_name, &value, policy::max_age(expiry, now)).map_err(|len| {
                if self.chunking() {
                    SaveError::ChunkedSession
                } else {
                    SaveError::CookieTooLarge { len, max: MAX_COOKIE_BYTES }
                }
            })?;
        // No chunks are held here (refused above): the browser holds the one cookie.
        session.mark_saved(expiry, issued, Jar { whole: true, chunks: 0 });
        Ok(Some(line))
    }

    /// Saves `session` like [`save`](Self::save), as every `Set-Cookie` line to send (none when
    /// nothing needs sending). A `sealed` session too long for one cookie is split across
    /// `NAME.0`, `NAME.1`, … (at most `max_chunks`); the lines also remove whatever form of the
    /// session cookie the browser holds and no longer needs (the whole cookie, stale chunks).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = m.load(None, 0);
    /// s.insert("big", &"x".repeat(5000)).unwrap();
    /// let lines = m.save_all(&mut s, 0).unwrap();
    /// assert_eq!(lines.len(), 2);
    /// assert!(lines[0].starts_with("session.0=2*") && lines[1].starts_with("session.1="));
    /// let header: Vec<&str> = lines.iter().map(|l| l.split(';').next().unwrap()).collect();
    /// assert_eq!(m.load(Some(&header.join("; ")), 1).get("big").map(str::len), Some(5000));
    /// ```
    pub fn save_all(&self, session: &mut Session, now: u64) -> Result<Vec<String>, SaveError> {
        self.save_lines(session, now).map(|(lines, _)| lines)
    }

    /// [`save_all`](Self::save_all), with what the save did ([`Saved`]).
    pub(crate) fn save_lines(&self, session: &mut Session, now: u64) -> Result<(Vec<String>, Saved), SaveError> {
        let name = &self.options.cookie_name;
        let held = session.provenance().jar;
        let carried = session.status() == LoadStatus::Loaded;
        let changed = session.is_modified();
        let (expiry, issued) = match policy::decide(&self.options, session, now) {
            Decision::Nothing => return Ok((Vec::new(), Saved::Nothing)),
            Decision::Remove => {
                let mut lines: Vec<String> =
                    (held.whole || held.chunks == 0).then(|| self.removal_cookie()).into_iter().collect();
                lines.extend(held.stale(&self.attributes, name, 0));
                session.mark_removed();
                let saved = match (lines.is_empty(), carried) {
                    (true, _) => Saved::Nothing,
                    (false, true) => Saved::Ended,
                    (false, false) => Saved::Removed,
                };
                return Ok((lines, saved));
            }
            Decision::Write { expiry, issued } => (expiry, issued),
        };
        let value = self.seal(session, expiry, issued)?;
        let written = |chunks: usize| {
            let w = Written { bytes: value.len(), chunks, key_id: self.sealing_key_id(), value: value.clone() };
            match (carried, changed) {
                (false, _) => Saved::Created(w),
                (true, false) => Saved::Renewed(w),
                (true, true) => Saved::Rotated(w),
            }
        };
        let max_age = policy::max_age(expiry, now);
        if let Ok(line) = self.attributes.line(name, &value, max_age) {
            let mut lines = vec![line];
            lines.extend(held.stale(&self.attributes, name, 0));
            session.mark_saved(expiry, issued, Jar { whole: true, chunks: 0 });
            return Ok((lines, written(0)));
        }
        if !self.chunking() {
            let len = name.len() + 1 + value.len();
            return Err(SaveError::CookieTooLarge { len, max: MAX_COOKIE_BYTES });
        }
        let max = self.options.max_chunks;
        let mut lines = chunks::split(&self.attributes, name, &value, max_age, max)
            .map_err(|needed| SaveError::TooManyChunks { needed, max })?;
        let n = lines.len();
        if held.whole {
            lines.push(self.removal_cookie());
        }
        lines.extend(held.stale(&self.attributes, name, n));
        session.mark_saved(expiry, issued, Jar::chunked(n));
        Ok((lines, written(n)))
    }

    /// The cookie value of `session`, for a write with this expiry and issue time.
    fn seal(&self, session: &Session, expiry: Option<u64>, issued: u64) -> Result<String, SaveError> {
        let max = self.options.max_chunks;
        let value =
            self.sealer.seal(session, &self.binding, expiry, issued, max * MAX_COOKIE_BYTES).map_err(|e| match e {
                // The body alone is longer than every allowed chunk together.
                SaveError::CookieTooLarge { len, .. } if self.chunking() => {
                    SaveError::TooManyChunks { needed: (len * 4 / 3).div_ceil(MAX_COOKIE_BYTES - 64), max }
                }
                e => e,
            })?;
        // The cookie written now is the one the next request sends: the open cache learns it here,
        // so a session written on one request is not decrypted again on the next.
        if value.len() <= MAX_COOKIE_BYTES
            && self.opened.slots() > 0
            && let Some(opened) = self.sealer.opened_form(session, expiry, issued)
        {
            self.remember(value.clone(), opened);
        }
        Ok(value)
    }

    /// Keeps an opened cookie value in the open cache, weighed as the value and its session.
    fn remember(&self, value: String, session: Session) {
        let weight = value.len() + session.heap_bytes();
        self.opened.insert_weighing(Token(value), session, weight);
    }

    /// The `Set-Cookie` value that deletes the session cookie.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert_eq!(m.removal_cookie(), "session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax");
    /// ```
    pub fn removal_cookie(&self) -> String {
        self.attributes.removal(&self.options.cookie_name)
    }

    /// The `Set-Cookie` values that delete the session cookie and every chunk name it may have
    /// been split across (`NAME.0` … `NAME.<max_chunks - 1>`): for a logout that must end the
    /// session whatever form the browser holds it in.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.format = edge_session::Format::Plain;
    /// o.max_chunks = 1;
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert_eq!(m.removal_cookies(), [m.removal_cookie()]);
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let names: Vec<String> = m.removal_cookies().iter().map(|l| l.split('=').next().unwrap().to_owned()).collect();
    /// assert_eq!(names, ["session", "session.0", "session.1", "session.2", "session.3"]);
    /// ```
    pub fn removal_cookies(&self) -> Vec<String> {
        let name = &self.options.cookie_name;
        let chunks = if self.chunking() { self.options.max_chunks } else { 0 };
        core::iter::once(self.removal_cookie())
            .chain((0..chunks).map(|i| self.attributes.removal(&chunks::chunk_name(name, i))))
            .collect()
    }

    /// Secrets derived from each configured `sealed` key (the current one first), one per key,
    /// as `SHA-256(label | key)`: for other uses of the same secret, such as keyed hashes in
    /// logs. Never the sealing keys themselves; empty for the other formats.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let s = m.derive_secrets("my-app/log-hash");
    /// assert_eq!(s.len(), 1);
    /// assert_ne!(s[0].expose(), m.derive_secrets("another label")[0].expose());
    /// assert!(format!("{:?}", s[0]).contains("redacted"));
    /// ```
    pub fn derive_secrets(&self, label: &str) -> Vec<DerivedSecret> {
        self.sealer.ring().map_or_else(Vec::new, |ring| {
            ring.iter().map(|k| DerivedSecret::new(k.id_hex(), k.derive(label.as_bytes()))).collect()
        })
    }

    /// The public id (8 hex digits) of the key that seals, for the `sealed` format: what a save
    /// that writes a cookie used (rotation telemetry counts seals per key). `None` otherwise.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// assert_eq!(edge_session::SessionManager::new(o).unwrap().sealing_key_id().map(|id| id.len()), Some(8));
    /// ```
    pub fn sealing_key_id(&self) -> Option<String> {
        self.sealer.ring().map(|ring| ring.current.id_hex())
    }

    /// Seals `data` for `purpose` with the current key, to open until `ttl` seconds after `now`
    /// (µs): a magic link, an invitation, an e-mail confirmation. The purpose is bound into the
    /// AEAD; a token never opens as a session cookie, nor a cookie as a token. The `sealed`
    /// format only ([`TokenError::NotSealed`](crate::TokenError::NotSealed) otherwise).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let now = 1_800_000_000_000_000;
    /// let t = m.seal_token("login", r#"{"user":"alice"}"#, 900, now).unwrap();
    /// assert_eq!(m.open_token(&t, "login", now + 1).as_deref(), Some(r#"{"user":"alice"}"#));
    /// assert_eq!(m.open_token(&t, "invite", now + 1), None, "another purpose");
    /// assert_eq!(m.open_token(&t, "login", now + 900_000_000), None, "expired");
    /// assert!(m.load(Some(&format!("session={t}")), now).is_empty(), "never a session cookie");
    /// ```
    pub fn seal_token(&self, purpose: &str, data: &str, ttl: u64, now: u64) -> Result<String, crate::TokenError> {
        let ring = self.sealer.ring().ok_or(crate::TokenError::NotSealed)?;
        crate::token::seal(ring, purpose, data, ttl, now)
    }

    /// The data of a token [`seal_token`](Self::seal_token) made for `purpose` with a key still
    /// configured, before it expires at `now` (µs); `None` when it is tampered, expired, made for
    /// another purpose or with a key no longer configured, or not a token at all.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// assert_eq!(m.open_token("garbage", "login", 0), None);
    /// ```
    pub fn open_token(&self, token: &str, purpose: &str, now: u64) -> Option<String> {
        crate::token::open(self.sealer.ring()?, purpose, token, now)
    }

    /// The positions (from 0) in [`Options::keys`] of passphrases below the strength rule, which
    /// only [`Options::allow_weak_passphrases`] admits: a start-up warning's list. Empty otherwise.
    ///
    /// ```
    /// use edge_session::{Format, Options, SessionManager};
    /// # if cfg!(not(feature = "apache")) { return; } // the format is the `apache` feature's
    /// let mut o = Options::default();
    /// o.format = Format::Apache;
    /// o.keys = vec!["a passphrase of more than thirty-two characters".into(), "secret".into()];
    /// assert!(SessionManager::new(o.clone()).is_err(), "older passphrases are checked too");
    /// o.allow_weak_passphrases = true;
    /// assert_eq!(SessionManager::new(o).unwrap().weak_keys(), [1]);
    /// ```
    pub fn weak_keys(&self) -> &[usize] {
        self.sealer.weak_keys()
    }

    /// The warning every face logs once when it starts with this manager, if any: today only
    /// [`Notice::WeakPassphrases`](crate::notice::Notice::WeakPassphrases).
    ///
    /// ```
    /// use edge_session::{Format, Options, SessionManager};
    /// use edge_session::proxy::Notice;
    /// # if cfg!(not(feature = "apache")) { return; } // the format is the `apache` feature's
    /// let mut o = Options::default();
    /// o.format = Format::Apache;
    /// o.allow_weak_passphrases = true;
    /// o.keys = vec!["secret".into()];
    /// let n = SessionManager::new(o).unwrap().startup_notice().unwrap();
    /// assert!(n.to_json().starts_with(r#"{"edge_session":"weak-passphrase","keys":"0","#));
    /// ```
    pub fn startup_notice(&self) -> Option<crate::notice::Notice> {
        let weak = self.weak_keys();
        (!weak.is_empty()).then(|| crate::notice::Notice::WeakPassphrases(weak.to_vec()))
    }
}

fn rejected(why: Rejection) -> Session {
    Session::ended(Provenance::ended(LoadStatus::Rejected(why), Jar::default()))
}

#[cfg(test)]
// Options is #[non_exhaustive]: callers outside the crate build it this way, so the tests do too.
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::limits::DEFAULT_ATTRIBUTES;
    use crate::limits::MAX_SECONDS;
    use crate::{CookieError, Format, KeyError};

    const T0: u64 = 1_800_000_000_000_000;
    const SEC: u64 = 1_000_000;

    fn manager(f: impl FnOnce(&mut Options)) -> SessionManager {
        let mut o = Options::default();
        o.keys = vec![crate::generate_key().unwrap()];
        f(&mut o);
        SessionManager::new(o).unwrap()
    }

    fn cookie_of(set_cookie: &str) -> &str {
        set_cookie.split(';').next().unwrap()
    }

    fn login(m: &SessionManager, now: u64) -> String {
        let mut s = m.load(None, now);
        s.insert("user", "alice").unwrap();
        cookie_of(&m.save(&mut s, now).unwrap().unwrap()).to_owned()
    }

    #[test]
    fn anonymous_visitors_get_no_cookie() {
        let m = manager(|o| o.max_age = 60);
        let mut s = m.load(Some("other=1"), T0);
        assert_eq!(s.status(), LoadStatus::New);
        assert_eq!(m.save(&mut s, T0).unwrap(), None);
    }

    #[test]
    fn sliding_max_age() {
        let m = manager(|o| {
            o.max_age = 60;
            o.expiry_update_interval = 0;
        });
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 30 * SEC);
        assert_eq!(s.get("user"), Some("alice"));
        assert_eq!(s.expiry(), Some(T0 + 60 * SEC));
        let renewed = m.save(&mut s, T0 + 30 * SEC).unwrap().unwrap();
        assert!(renewed.contains("; Max-Age=60;"), "{renewed}");
        assert_eq!(s.expiry(), Some(T0 + 90 * SEC));
        let s = m.load(Some(cookie_of(&renewed)), T0 + 89 * SEC);
        assert_eq!(s.status(), LoadStatus::Loaded);
        let s = m.load(Some(cookie_of(&renewed)), T0 + 90 * SEC);
        assert_eq!(s.status(), LoadStatus::Expired);
        assert!(s.is_empty());
    }

    #[test]
    fn expired_session_is_not_saved_and_cookie_removed() {
        let m = manager(|o| o.max_age = 60);
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 61 * SEC);
        assert!(s.is_empty());
        assert_eq!(m.save(&mut s, T0 + 61 * SEC).unwrap(), Some(m.removal_cookie()));
    }

    #[test]
    fn absolute_lifetime_caps_sliding_expiry() {
        let m = manager(|o| {
            o.max_age = 60;
            o.max_lifetime = 100;
            o.expiry_update_interval = 0;
        });
        let mut c = login(&m, T0);
        let mut now = T0;
        for _ in 0..3 {
            now += 30 * SEC;
            let mut s = m.load(Some(&c), now);
            assert_eq!(s.get("user"), Some("alice"), "at {}", (now - T0) / SEC);
            let set = m.save(&mut s, now).unwrap().unwrap();
            assert!(s.expiry().unwrap() <= T0 + 100 * SEC);
            c = cookie_of(&set).to_owned();
        }
        // at t=90 the expiry was capped to t=100 (Max-Age=10): at t=100 it is gone.
        assert_eq!(m.load(Some(&c), T0 + 99 * SEC).status(), LoadStatus::Loaded);
        assert_eq!(m.load(Some(&c), T0 + 100 * SEC).status(), LoadStatus::Expired);
    }

    #[test]
    fn lifetime_without_max_age() {
        let m = manager(|o| o.max_lifetime = 10);
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 5 * SEC);
        assert_eq!(s.get("user"), Some("alice"));
        assert_eq!(m.save(&mut s, T0 + 5 * SEC).unwrap(), None, "unmodified, no max age: no write");
        assert!(m.load(Some(&c), T0 + 10 * SEC).is_empty());
    }

    #[test]
    fn lifetime_shortened_by_config_applies_to_old_cookies() {
        let long = manager(|o| o.max_lifetime = 1000);
        let c = login(&long, T0);
        let mut o = long.options().clone();
        o.max_lifetime = 10;
        let short = SessionManager::new(o).unwrap();
        assert_eq!(short.load(Some(&c), T0 + 11 * SEC).status(), LoadStatus::Expired);
    }

    #[test]
    fn expiry_update_interval() {
        let m = manager(|o| {
            o.max_age = 600;
            o.expiry_update_interval = 60;
        });
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 59 * SEC);
        assert_eq!(m.save(&mut s, T0 + 59 * SEC).unwrap(), None, "moved 59 s < 60 s");
        let mut s = m.load(Some(&c), T0 + 60 * SEC);
        assert!(m.save(&mut s, T0 + 60 * SEC).unwrap().is_some(), "moved 60 s");
        let mut s = m.load(Some(&c), T0 + SEC);
        s.insert("k", "v").unwrap();
        assert!(m.save(&mut s, T0 + SEC).unwrap().is_some(), "modified: always written");
    }

    #[test]
    fn no_max_age_unmodified_is_not_rewritten() {
        let m = manager(|_| {});
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + SEC);
        assert_eq!(m.save(&mut s, T0 + SEC).unwrap(), None);
        assert_eq!(s.expiry(), None);
    }

    #[test]
    fn zero_interval_writes_every_time_with_max_age() {
        let m = manager(|o| {
            o.max_age = 600;
            o.expiry_update_interval = 0;
        });
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0);
        assert!(m.save(&mut s, T0).unwrap().is_some());
    }

    #[test]
    fn clear_sends_removal_cookie() {
        let m = manager(|_| {});
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0);
        s.clear();
        assert_eq!(m.save(&mut s, T0).unwrap().unwrap(), format!("session=; Max-Age=0; {DEFAULT_ATTRIBUTES}"));
    }

    #[test]
    fn rotation_reseals_with_the_first_key() {
        let old = crate::generate_key().unwrap();
        let new = crate::generate_key().unwrap();
        let m_old = manager(|o| o.keys = vec![old.clone()]);
        let c = login(&m_old, T0);
        let m = manager(|o| o.keys = vec![new.clone(), old.clone()]);
        let mut s = m.load(Some(&c), T0);
        assert_eq!(s.get("user"), Some("alice"));
        let resealed = m.save(&mut s, T0).unwrap().expect("opened with an old key: written again");
        let only_new = manager(|o| o.keys = vec![new.clone()]);
        assert_eq!(only_new.load(Some(cookie_of(&resealed)), T0).get("user"), Some("alice"));
        assert_eq!(
            only_new.load(Some(&c), T0).status(),
            LoadStatus::Rejected(Rejection::UnknownKey),
            "the old cookie needs the old key"
        );
        let mut again = m.load(Some(cookie_of(&resealed)), T0);
        assert_eq!(m.save(&mut again, T0).unwrap(), None, "current key: no rewrite");
    }

    #[test]
    fn issued_is_kept_across_saves() {
        let m = manager(|o| o.max_age = 60);
        let c = login(&m, T0);
        let mut s = m.load(Some(&c), T0 + 10 * SEC);
        assert_eq!(s.issued(), Some(T0));
        s.insert("x", "1").unwrap();
        let c2 = m.save(&mut s, T0 + 10 * SEC).unwrap().unwrap();
        assert_eq!(m.load(Some(cookie_of(&c2)), T0 + 20 * SEC).issued(), Some(T0));
    }

    #[test]
    fn duplicate_and_garbage_cookies_are_empty_sessions() {
        let m = manager(|_| {});
        let c = login(&m, T0);
        let other = login(&m, T0);
        let s = m.load(Some(&format!("{c}; {other}")), T0);
        assert_eq!(s.status(), LoadStatus::Rejected(Rejection::Duplicate));
        assert_eq!(m.load(Some(&format!("{c}; {c}")), T0).get("user"), Some("alice"));
        for junk in ["session=%%%", "session=\u{0}\u{1}", "session===", "session=AAAA"] {
            assert!(m.load(Some(junk), T0).is_empty(), "{junk:?}");
        }
        let big = format!("session={}", "A".repeat(MAX_COOKIE_BYTES + 1));
        assert_eq!(m.load(Some(&big), T0).status(), LoadStatus::Rejected(Rejection::TooLarge));
    }

    #[test]
    fn regenerate_reissues_and_restarts_the_lifetime() {
        let m = manager(|o| {
            o.max_age = 0;
            o.max_lifetime = 100;
        });
        let c = login(&m, T0);
        // 90 s later the origin logs in again and asks for a new session.
        let mut s = m.load(Some(&c), T0 + 90 * SEC);
        assert_eq!(s.issued(), Some(T0));
        s.apply_update("role=admin&!regenerate=1").unwrap();
        let fresh = cookie_of(&m.save(&mut s, T0 + 90 * SEC).unwrap().unwrap()).to_owned();
        assert_ne!(fresh, c);
        let s = m.load(Some(&fresh), T0 + 150 * SEC);
        assert_eq!((s.get("user"), s.get("role"), s.issued()), (Some("alice"), Some("admin"), Some(T0 + 90 * SEC)));
        assert!(m.load(Some(&c), T0 + 150 * SEC).is_empty(), "the old one ended with its own lifetime");
        assert!(s.iter().all(|(k, _)| k != crate::codec::REGENERATE_KEY), "never stored");
        // Reserved for the session API, and ignored inside a stored session.
        let mut s = m.load(None, T0);
        assert_eq!(s.insert(crate::codec::REGENERATE_KEY, "1"), Err(crate::SessionError::ReservedKey));
        let plain = manager(|o| {
            o.format = Format::Plain;
            o.keys.clear();
        });
        let s = plain.load(Some("session=user=bob&%21regenerate=1"), T0);
        assert_eq!((s.to_string().as_str(), s.is_modified()), ("user=bob", false));
    }

    #[test]
    fn plain_format_matches_apache() {
        let mut o = Options::default();
        o.format = Format::Plain;
        o.max_age = 3600;
        let m = SessionManager::new(o).unwrap();
        let mut s = m.load(None, T0);
        s.apply_update("user=alice&role=admin").unwrap();
        let set = m.save(&mut s, T0).unwrap().unwrap();
        assert_eq!(
            set,
            format!("session=user=alice&role=admin&expiry={}; Max-Age=3600; {DEFAULT_ATTRIBUTES}", T0 + 3600 * SEC)
        );
        let s = m.load(Some(cookie_of(&set)), T0 + SEC);
        assert_eq!(s.to_string(), format!("user=alice&role=admin&expiry={}", T0 + 3600 * SEC));
    }

    /// The npm package's default entry builds the core without the `apache` feature: the format
    /// is refused at construction, with the error that says so, whatever the keys.
    #[test]
    fn the_apache_format_needs_its_feature() {
        let m = SessionManager::new({
            let mut o = Options::default();
            o.format = crate::Format::Apache;
            o.keys = vec!["a passphrase that is long enough to be accepted".to_owned()];
            o
        });
        let unavailable = ConfigError::FormatUnavailable(crate::Format::Apache);
        if cfg!(feature = "apache") {
            assert!(m.is_ok());
            assert_eq!(
                unavailable.to_string(),
                "format: the apache format is not in this build (the crate's \"apache\" feature)"
            );
        } else {
            assert_eq!(m.err(), Some(unavailable));
        }
    }

    #[test]
    fn config_errors() {
        let err = |f: &dyn Fn(&mut Options)| {
            let mut o = Options::default();
            o.keys = vec![crate::generate_key().unwrap()];
            f(&mut o);
            SessionManager::new(o).unwrap_err()
        };
        assert_eq!(err(&|o| o.keys.clear()), ConfigError::NoKeys);
        assert!(matches!(err(&|o| o.cookie_name = "a b".into()), ConfigError::Cookie(CookieError::InvalidName(_))));
        assert_eq!(
            err(&|o| o.header = "X Bad".into()),
            ConfigError::InvalidHeaderName(crate::option_table::Opt::Header, "X Bad".into())
        );
        assert_eq!(
            err(&|o| o.include = vec!["app".into()]),
            ConfigError::InvalidPathPrefix(crate::option_table::Opt::Include, "app".into())
        );
        assert_eq!(
            err(&|o| o.max_age = MAX_SECONDS + 1),
            ConfigError::OutOfRange { option: crate::option_table::Opt::MaxAge, value: MAX_SECONDS + 1 }
        );
        assert_eq!(err(&|o| o.format = Format::Plain), ConfigError::KeysUnused);
        assert_eq!(
            err(&|o| {
                o.keys.clear();
                o.format = Format::Plain;
                o.max_lifetime = 5;
            }),
            ConfigError::LifetimeNeedsSealed
        );
        let dup = crate::generate_key().unwrap();
        assert_eq!(
            err(&|o| o.keys = vec![dup.clone(), dup.clone()]),
            ConfigError::Key { index: 1, error: KeyError::Duplicate }
        );
    }

    #[test]
    fn secrets_never_reach_debug_output() {
        let key = crate::generate_key().unwrap();
        let pass = "a passphrase that is long enough to be accepted".to_owned();
        let m = manager(|o| o.keys = vec![key.clone(), pass.clone()]);
        let dbg = format!("{m:?} {:?}", m.options());
        assert!(!dbg.contains(&key) && !dbg.contains(&pass), "{dbg}");
        assert!(dbg.contains("redacted"));
    }

    /// The open cache: a repeated cookie is found by its whole value, and expiry, lifetime and
    /// revocation are still decided on every load.
    #[test]
    fn open_cache_keeps_every_check() {
        let m = manager(|o| {
            o.max_age = 60;
            o.max_lifetime = 600;
            o.expiry_update_interval = 30;
        });
        let c = login(&m, T0);
        let first = m.load(Some(&c), T0 + SEC);
        assert_eq!(m.opened.len(), 1);
        let again = m.load(Some(&c), T0 + 2 * SEC);
        assert_eq!((again.get("user"), again.status()), (Some("alice"), LoadStatus::Loaded));
        assert_eq!((again.expiry(), again.issued()), (first.expiry(), first.issued()));
        assert_eq!(m.opened.len(), 1, "the second load was a hit");
        // A read inside the update interval writes nothing.
        let mut read = m.load(Some(&c), T0 + 3 * SEC);
        assert_eq!(m.save(&mut read, T0 + 3 * SEC).unwrap(), None);
        // Past its expiry the cached session is expired, not loaded.
        assert_eq!(m.load(Some(&c), T0 + 61 * SEC).status(), LoadStatus::Expired);
        // A revocation after issue ends a cached session like a decrypted one.
        let mut s = m.load(Some(&c), T0 + 4 * SEC);
        assert!(m.revoke_if_issued_before(&mut s, T0 + 1));
        // A value that differs in one character is not a hit: it is opened, and refused.
        let (name, value) = c.split_once('=').unwrap();
        let mut bytes = value.as_bytes().to_vec();
        let last = bytes.last_mut().unwrap();
        *last = if *last == b'A' { b'B' } else { b'A' };
        let forged = format!("{name}={}", String::from_utf8(bytes).unwrap());
        assert!(matches!(m.load(Some(&forged), T0 + 5 * SEC).status(), LoadStatus::Rejected(_)));
        assert_eq!(m.opened.len(), 1, "refused values are not kept");
    }

    /// A saved cookie is in the open cache at once, as exactly the session that decrypting it
    /// gives: the next request's load is a hit and cannot tell the difference.
    #[test]
    fn open_cache_learns_what_save_writes() {
        let key = crate::generate_key().unwrap();
        let old = crate::generate_key().unwrap();
        let with = |cache: usize| {
            manager(|o| {
                o.keys = vec![key.clone(), old.clone()];
                o.max_age = 60;
                o.open_cache = cache;
            })
        };
        let (m, fresh, off) = (with(16), with(16), with(0));
        let sessions: [&[(&str, &str)]; 4] = [
            &[("user", "alice")],
            &[("a b", "c&d=e"), ("ü", "ß"), ("empty", ""), ("k", "v;w,x")],
            &[("user", "bob"), ("+%20", "%zz")],
            &[],
        ];
        for (i, entries) in sessions.into_iter().enumerate() {
            let mut s = m.load(None, T0);
            for (k, v) in entries {
                s.insert(k, v).unwrap();
            }
            s.insert("n", &i.to_string()).unwrap();
            // A time that is not a whole second: the token keeps microseconds.
            let now = T0 + 123_457 * i as u64;
            let c = cookie_of(&m.save(&mut s, now).unwrap().unwrap()).to_owned();
            assert_eq!(m.opened.len(), i + 1, "known from the save, before any load");
            let cached = m.load(Some(&c), now + SEC);
            assert_eq!(cached, fresh.load(Some(&c), now + SEC), "session {i}");
            assert_eq!(cached.status(), LoadStatus::Loaded);
        }
        assert_eq!(m.opened.len(), 4, "one entry per saved cookie, no second one from the loads");
        let c = login(&off, T0);
        assert_eq!((off.opened.len(), off.load(Some(&c), T0).get("user")), (0, Some("alice")));
        // The other formats learn a value when it is first opened, not when it is written.
        if cfg!(not(feature = "apache")) {
            return;
        }
        let apache = manager(|o| {
            o.format = crate::Format::Apache;
            o.keys = vec!["a passphrase that is long enough to be accepted".to_owned()];
        });
        let c = login(&apache, T0);
        assert_eq!(apache.opened.len(), 0);
        assert_eq!(apache.load(Some(&c), T0).get("user"), Some("alice"));
        assert_eq!(apache.opened.len(), 1);
    }

    #[test]
    fn open_cache_bounded_and_switched_off() {
        let m = manager(|o| o.open_cache = 2);
        let cookies: Vec<String> = (0..3).map(|i| login(&m, T0 + i)).collect();
        for c in &cookies {
            assert_eq!(m.load(Some(c), T0 + SEC).get("user"), Some("alice"));
        }
        assert_eq!(m.opened.len(), 2);
        let off = manager(|o| o.open_cache = 0);
        let c = login(&off, T0);
        assert_eq!(off.load(Some(&c), T0 + 1).get("user"), Some("alice"));
        assert_eq!(off.opened.len(), 0);
        // An older key's session stays marked for re-sealing when it comes from the cache.
        let old = crate::generate_key().unwrap();
        let before = manager(|o| o.keys = vec![old.clone()]);
        let c = login(&before, T0);
        let after = manager(|o| o.keys.push(old));
        for _ in 0..2 {
            let mut s = after.load(Some(&c), T0 + 1);
            assert!(after.save(&mut s, T0 + 1).unwrap().is_some(), "re-sealed with the first key");
        }
        let mut o = Options::default();
        o.keys = vec![crate::generate_key().unwrap()];
        o.open_cache = crate::limits::MAX_OPEN_CACHE + 1;
        assert_eq!(
            SessionManager::new(o).unwrap_err(),
            ConfigError::OutOfRange {
                option: crate::option_table::Opt::OpenCache,
                value: crate::limits::MAX_OPEN_CACHE as u64 + 1
            }
        );
    }

    /// What each save did, as data: what the faces count and log (never reading `Set-Cookie` back).
    #[test]
    fn saves_say_what_they_did() {
        let m = manager(|o| {
            o.max_age = 60;
            o.expiry_update_interval = 0;
        });
        let kind = |saved: &Saved| match saved {
            Saved::Nothing => "nothing",
            Saved::Created(_) => "created",
            Saved::Renewed(_) => "renewed",
            Saved::Rotated(_) => "rotated",
            Saved::Ended => "ended",
            Saved::Removed => "removed",
        };
        let mut s = m.load(None, T0);
        assert_eq!(kind(&m.save_lines(&mut s, T0).unwrap().1), "nothing", "no session, nothing sent");
        s.insert("user", "alice").unwrap();
        let (lines, saved) = m.save_lines(&mut s, T0).unwrap();
        let Saved::Created(w) = &saved else { panic!("{saved:?}") };
        assert_eq!(lines[0], format!("session={}; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Lax", w.value));
        assert_eq!((w.bytes, w.chunks, w.key_id.clone()), (w.value.len(), 0, m.sealing_key_id()));
        let cookie = format!("session={}", w.value);
        let mut s = m.load(Some(&cookie), T0 + SEC);
        assert_eq!(kind(&m.save_lines(&mut s, T0 + SEC).unwrap().1), "renewed", "only the expiry slid");
        let mut s = m.load(Some(&cookie), T0 + SEC);
        s.insert("cart", "3").unwrap();
        assert_eq!(kind(&m.save_lines(&mut s, T0 + SEC).unwrap().1), "rotated");
        let mut s = m.load(Some(&cookie), T0 + SEC);
        s.regenerate();
        assert_eq!(kind(&m.save_lines(&mut s, T0 + SEC).unwrap().1), "rotated", "regenerated");
        let mut s = m.load(Some(&cookie), T0 + SEC);
        s.clear();
        assert_eq!(kind(&m.save_lines(&mut s, T0 + SEC).unwrap().1), "ended");
        let mut s = m.load(Some("session=garbage"), T0);
        assert_eq!(kind(&m.save_lines(&mut s, T0).unwrap().1), "removed", "a cookie that held no session");
        let mut s = m.load(None, T0);
        s.insert("big", &"x".repeat(6000)).unwrap();
        let (lines, saved) = m.save_lines(&mut s, T0).unwrap();
        let Saved::Created(w) = saved else { panic!() };
        assert_eq!((w.chunks, lines.len()), (3, 3), "chunked: 6000 bytes are 8000 of base64");
    }

    /// The open cache is bounded in bytes, not only in entries: 4096 sessions of 2.5 KB would
    /// otherwise be held whole (over 20 MiB per manager).
    #[test]
    fn open_cache_bounded_in_bytes() {
        let value = "x".repeat(2500);
        let fill = |m: &SessionManager| {
            for i in 0..crate::limits::MAX_OPEN_CACHE as u64 {
                let mut s = m.load(None, T0 + i);
                s.insert("user", &value).unwrap();
                m.save(&mut s, T0 + i).unwrap().unwrap();
            }
        };
        let m = manager(|o| o.open_cache = crate::limits::MAX_OPEN_CACHE);
        fill(&m);
        assert!(m.opened.weight() <= crate::limits::DEFAULT_OPEN_CACHE_BYTES, "{} bytes", m.opened.weight());
        assert!(m.opened.len() > 500 && m.opened.len() < crate::limits::MAX_OPEN_CACHE, "{} entries", m.opened.len());
        let small = manager(|o| {
            o.open_cache = crate::limits::MAX_OPEN_CACHE;
            o.open_cache_bytes = 64 * 1024;
        });
        fill(&small);
        assert!(small.opened.weight() <= 64 * 1024 && small.opened.len() >= 8, "{}", small.opened.len());
        let mut o = Options::default();
        o.keys = vec![crate::generate_key().unwrap()];
        o.open_cache_bytes = crate::limits::MAX_OPEN_CACHE_BYTES + 1;
        assert_eq!(
            SessionManager::new(o).unwrap_err(),
            ConfigError::OutOfRange {
                option: crate::option_table::Opt::OpenCacheBytes,
                value: crate::limits::MAX_OPEN_CACHE_BYTES as u64 + 1
            }
        );
    }
}
