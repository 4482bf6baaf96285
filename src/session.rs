//! The session: an ordered table of string entries with an expiry, mod_session's `session_rec`.

use core::fmt;
use std::sync::Arc;

use crate::codec::{self, EXPIRY_KEY, MAX_AGE_KEY, Piece};
use crate::jar::Jar;
use crate::provenance::Provenance;
use crate::status::LoadStatus;
use crate::text;
use crate::value::{self, Value};

use crate::limits::{MAX_ENTRIES, MAX_SECONDS, MAX_UPDATE_BYTES};

/// Misuse of a [`Session`]: a key that cannot be stored, or an update past the limits.
///
/// ```
/// use edge_session::{Session, SessionError};
/// let mut s = Session::new();
/// assert!(matches!(s.insert("", "v"), Err(SessionError::EmptyKey)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SessionError {
    /// Keys must not be empty.
    EmptyKey,
    /// The key is reserved: `expiry` (use [`Session::set_expiry`]), the control keys starting
    /// with `!`, and the names that say how a value is stored (`flash.…`, `….json`).
    ReservedKey,
    /// Keys and values cannot hold a NUL character (Apache's cannot either).
    NulCharacter,
    /// The session would hold more than [`MAX_ENTRIES`] entries.
    TooManyEntries {
        /// The limit.
        max: usize,
    },
    /// A session's own max age past [`MAX_SECONDS`].
    MaxAgeOutOfRange {
        /// The seconds asked for.
        seconds: u64,
        /// The limit.
        max: u64,
    },
    /// JSON text must not be empty.
    EmptyJson,
    /// A SessionHeader update is longer than [`MAX_UPDATE_BYTES`].
    UpdateTooLarge {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyKey => f.write_str("session keys must not be empty"),
            Self::ReservedKey => f.write_str(
                "the key is reserved: `expiry` (set the expiry instead), keys starting with `!`, `flash.` or ending with `.json`",
            ),
            Self::MaxAgeOutOfRange { seconds, max } => {
                write!(f, "a session's max age of {seconds} seconds is past the {max}-second limit")
            }
            Self::EmptyJson => f.write_str("a JSON value's text must not be empty"),
            Self::NulCharacter => f.write_str("session keys and values cannot contain a NUL character"),
            Self::TooManyEntries { max } => write!(f, "a session holds at most {max} entries"),
            Self::UpdateTooLarge { len, max } => {
                write!(f, "session update of {len} bytes exceeds the {max}-byte limit")
            }
        }
    }
}

impl std::error::Error for SessionError {}

/// A session: ordered string entries, an optional expiry and issue time (µs since the epoch).
///
/// Its [`Display`](fmt::Display) is the plain session string, as Apache's `HTTP_SESSION`.
///
/// ```
/// use edge_session::Session;
/// let mut s = Session::new();
/// s.insert("user", "alice smith").unwrap();
/// s.apply_update("cart=3&user=").unwrap();
/// assert_eq!(s.get("user"), None);
/// assert_eq!(s.to_string(), "cart=3");
/// assert!(s.is_modified());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// Shared until written (copy on write): a session taken from the open cache costs a
    /// reference count, not a copy of every entry.
    entries: Arc<Vec<(String, String)>>,
    expiry: Option<u64>,
    /// Its own sliding lifetime in seconds ("remember me"), over the manager's `max_age`.
    max_age: Option<u64>,
    /// A device-bound session's state (`!device`, see `device_bound.rs`): read from the sealed
    /// cookie, written back by every save, never set by a SessionHeader.
    #[cfg(feature = "dbsc")]
    device: Option<String>,
    /// A soft-bound session's client fingerprint (`!fp`, see `client_binding.rs`): like `device`.
    #[cfg(feature = "dbsc")]
    client: Option<String>,
    /// The network a face saw the request come from (the Worker: `request.cf`'s ASN and country),
    /// for the client fingerprint; this request's only, never written.
    #[cfg(feature = "dbsc")]
    network: Option<String>,
    /// The stored names of the flash entries it arrived with: shown by [`value`](Self::value)
    /// during this request, dropped by its save unless set again.
    flashed: Vec<String>,
    modified: bool,
    /// Its bookkeeping: status, issue time, the key that opened it, the cookies the browser holds.
    prov: Provenance,
}

impl Session {
    /// About how many bytes of memory the session holds (what the open cache counts): the
    /// entries' text, their strings' bookkeeping and the value itself.
    pub(crate) fn heap_bytes(&self) -> usize {
        let per_entry = 2 * core::mem::size_of::<String>();
        self.entries.iter().map(|(k, v)| k.len() + v.len() + per_entry).sum::<usize>() + core::mem::size_of::<Self>()
    }

    /// An empty, unmodified session.
    ///
    /// ```
    /// assert!(edge_session::Session::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Decodes a plain session string (2.4.x rules; invalid pairs dropped). More than
    /// [`MAX_ENTRIES`] entries is an error; the caller bounds the string's length.
    pub(crate) fn decode(input: &str) -> Result<Self, SessionError> {
        // The usual string, one this crate wrote: distinct keys, no deletions. Its entries are
        // taken in order without a search per key (`put`'s is quadratic: 1,225 key comparisons
        // at 50 keys). Anything else (a repeated key, a deletion, too many entries) is decoded
        // again by the general rules, which decide what it means.
        let mut entries = Vec::new();
        let mut expiry = None;
        let mut max_age = None;
        let mut usual = true;
        for piece in codec::pieces(input) {
            match piece {
                Piece::Set(k, v) if entries.len() < MAX_ENTRIES => entries.push((k, v)),
                Piece::Expiry(e) => expiry = e,
                Piece::MaxAge(m) => max_age = m,
                Piece::Regenerate | Piece::Clear => {}
                // A bound or soft-bound session's state: read by `merge` below (one path for it).
                #[cfg(feature = "dbsc")]
                Piece::Device(_) | Piece::Client(_) => {
                    usual = false;
                    break;
                }
                Piece::Set(..) | Piece::Delete(_) => {
                    usual = false;
                    break;
                }
            }
        }
        if usual && distinct(&entries) {
            return Ok(Self { entries: Arc::new(entries), expiry, max_age, ..Self::default() });
        }
        let mut session = Self::new();
        session.merge(input)?;
        Ok(session)
    }

    /// The value of `key`.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.insert("k", "v").unwrap();
    /// assert_eq!(s.get("k"), Some("v"));
    /// ```
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Sets `key` to the string `value`, keeping the key's place (a JSON value it held is
    /// removed). An empty value deletes the key (the wire format cannot carry one). Returns the
    /// previous string.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// assert_eq!(s.insert("k", "1").unwrap(), None);
    /// assert_eq!(s.insert("k", "2").unwrap().as_deref(), Some("1"));
    /// ```
    pub fn insert(&mut self, key: &str, value: &str) -> Result<Option<String>, SessionError> {
        self.store(key, Value::Text(value), false)
    }

    /// The value of `key` with its type: a string, or the JSON text of any other value (stored
    /// under `key.json`, see [`Value`]). A flash entry the session arrived with is found too,
    /// during this request only ([`flash`](Self::flash)).
    ///
    /// ```
    /// use edge_session::{Session, Value};
    /// let mut s = Session::new();
    /// s.apply_update("user=alice&cart.json=%7B%22items%22%3A%5B1%5D%7D").unwrap();
    /// assert_eq!(s.value("user"), Some(Value::Text("alice")));
    /// assert_eq!(s.value("cart"), Some(Value::Json(r#"{"items":[1]}"#)));
    /// assert_eq!(s.value("none"), None);
    /// ```
    pub fn value(&self, key: &str) -> Option<Value<'_>> {
        let mut flash = None;
        for (name, v) in self.entries.iter() {
            let (k, json) = value::key_of(name);
            let found = if json { Value::Json(v) } else { Value::Text(v) };
            if k == key {
                return Some(found);
            }
            if flash.is_none()
                && k.strip_prefix(value::FLASH_PREFIX) == Some(key)
                && self.flashed.iter().any(|f| f == name)
            {
                flash = Some(found);
            }
        }
        flash
    }

    /// Sets `key` to a value with its type ([`Value`]), keeping the key's place when the type
    /// stays; the other form of the key is removed. An empty string deletes the key; empty JSON
    /// text is an error.
    ///
    /// ```
    /// use edge_session::{Session, Value};
    /// let mut s = Session::new();
    /// s.insert("n", "1").unwrap();
    /// s.set_value("n", Value::Json("1")).unwrap();
    /// assert_eq!(s.to_string(), "n.json=1");
    /// assert!(s.set_value("n.json", Value::Text("x")).is_err(), "reserved");
    /// ```
    pub fn set_value(&mut self, key: &str, value: Value<'_>) -> Result<(), SessionError> {
        self.store(key, value, false).map(|_| ())
    }

    /// Stores a flash entry: `key` holds `value` for the next request only. That request sees it
    /// through [`value`](Self::value) (and the origin in the SessionEnv header, as
    /// `flash.key=value`); its save drops it, unless it was set again. An origin sets one through
    /// the SessionHeader: `flash.notice=Saved` (`flash.key.json=…` for JSON).
    ///
    /// ```
    /// use edge_session::{Session, Value};
    /// let mut s = Session::new();
    /// s.flash("notice", Value::Text("Saved")).unwrap();
    /// assert_eq!(s.value("notice"), None, "not on the request that set it");
    /// assert_eq!(s.to_string(), "flash.notice=Saved");
    /// ```
    pub fn flash(&mut self, key: &str, value: Value<'_>) -> Result<(), SessionError> {
        self.store(key, value, true).map(|_| ())
    }

    /// The one way a key set through the API is stored (see `value.rs`).
    fn store(&mut self, key: &str, value: Value<'_>, flash: bool) -> Result<Option<String>, SessionError> {
        if key.is_empty() {
            return Err(SessionError::EmptyKey);
        }
        if value::reserved(key) {
            return Err(SessionError::ReservedKey);
        }
        let text = value.as_str();
        if key.contains('\0') || text.contains('\0') {
            return Err(SessionError::NulCharacter);
        }
        if value.is_json() && text.is_empty() {
            return Err(SessionError::EmptyJson);
        }
        let name = value::stored_name(key, value.is_json(), flash);
        if text.is_empty() {
            self.remove_stored(&value::other_form(&name));
            return Ok(self.remove_stored(&name));
        }
        self.put_one(name, text.to_owned())
    }

    /// Sets the stored name `name`, and removes its other form (`k` / `k.json`): a key holds one
    /// value, whether the API or a SessionHeader sets it. At the entry limit, the other form's
    /// place makes the room.
    fn put_one(&mut self, name: String, value: String) -> Result<Option<String>, SessionError> {
        let other = value::other_form(&name);
        if self.entries.len() >= MAX_ENTRIES && self.remove_stored(&other).is_some() {
            return self.put(name, value);
        }
        let previous = self.put(name, value)?;
        self.remove_stored(&other);
        Ok(previous)
    }

    fn put(&mut self, key: String, value: String) -> Result<Option<String>, SessionError> {
        if !self.flashed.is_empty() {
            // Set again during this request: kept by the save.
            self.flashed.retain(|f| *f != key);
        }
        if let Some(index) = self.entries.iter().position(|(k, _)| *k == key) {
            if self.entries.get(index).is_some_and(|(_, v)| *v == value) {
                return Ok(Some(value));
            }
            self.modified = true;
            let slot = Arc::make_mut(&mut self.entries).get_mut(index).map(|(_, v)| v);
            return Ok(slot.map(|v| core::mem::replace(v, value)));
        }
        if self.entries.len() >= MAX_ENTRIES {
            return Err(SessionError::TooManyEntries { max: MAX_ENTRIES });
        }
        self.modified = true;
        Arc::make_mut(&mut self.entries).push((key, value));
        Ok(None)
    }

    /// Removes `key` (its string or its JSON value), returning the stored text.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.insert("k", "v").unwrap();
    /// assert_eq!(s.remove("k").as_deref(), Some("v"));
    /// assert!(s.is_empty());
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<String> {
        let text = self.remove_stored(key);
        let json = self.remove_stored(&value::stored_name(key, true, false));
        text.or(json)
    }

    /// Removes the entry of this stored name.
    fn remove_stored(&mut self, key: &str) -> Option<String> {
        let index = self.entries.iter().position(|(k, _)| k == key)?;
        self.modified = true;
        Some(Arc::make_mut(&mut self.entries).remove(index).1)
    }

    /// Removes every entry and the session's own max age (the next save sends a removal cookie).
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.insert("k", "v").unwrap();
    /// s.clear();
    /// assert!(s.is_empty() && s.is_modified());
    /// ```
    pub fn clear(&mut self) {
        if !self.entries.is_empty() {
            self.modified = true;
        }
        if self.max_age.is_some() {
            self.modified = true;
        }
        self.entries = Arc::default();
        self.flashed.clear();
        self.max_age = None;
        self.prov.weak_passphrase = None;
        #[cfg(feature = "dbsc")]
        self.drop_device();
    }

    /// The entries as they are stored, in order: stored names (`count.json`, `flash.notice`) and
    /// text, as the SessionEnv header and Apache show them. [`values`](Self::values) gives keys
    /// and typed values.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.insert("a", "1").unwrap();
    /// assert_eq!(s.iter().collect::<Vec<_>>(), [("a", "1")]);
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The keys and their values with their types, in order, without flash entries.
    ///
    /// ```
    /// use edge_session::{Session, Value};
    /// let mut s = Session::new();
    /// s.apply_update("a=1&b.json=true&flash.c=x").unwrap();
    /// assert_eq!(s.values().collect::<Vec<_>>(), [("a", Value::Text("1")), ("b", Value::Json("true"))]);
    /// ```
    pub fn values(&self) -> impl Iterator<Item = (&str, Value<'_>)> + '_ {
        self.entries.iter().filter(|(k, _)| !value::is_flash(k)).map(|(name, v)| match value::key_of(name) {
            (k, true) => (k, Value::Json(v.as_str())),
            (k, false) => (k, Value::Text(v.as_str())),
        })
    }

    /// How many entries (as stored: flash entries count).
    ///
    /// ```
    /// assert_eq!(edge_session::Session::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No entries.
    ///
    /// ```
    /// assert!(edge_session::Session::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The expiry in microseconds since the Unix epoch, if any.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.set_expiry(Some(1_700_000_000_000_000));
    /// assert_eq!(s.expiry(), Some(1_700_000_000_000_000));
    /// ```
    pub fn expiry(&self) -> Option<u64> {
        self.expiry
    }

    /// Sets the expiry (µs; `None` or `Some(0)` for none). A configured max age overrides it
    /// when the session is saved, as in Apache.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.set_expiry(Some(0));
    /// assert_eq!(s.expiry(), None);
    /// ```
    pub fn set_expiry(&mut self, expiry: Option<u64>) {
        let expiry = expiry.filter(|&e| e != 0);
        if expiry != self.expiry {
            self.expiry = expiry;
            self.modified = true;
        }
    }

    /// This session's own sliding lifetime in seconds ("remember me"), if set: used instead of
    /// the manager's `max_age` on every save, and kept in the cookie.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// assert_eq!(s.max_age(), None);
    /// s.set_max_age(Some(30 * 86_400)).unwrap();
    /// assert_eq!(s.max_age(), Some(2_592_000));
    /// ```
    pub fn max_age(&self) -> Option<u64> {
        self.max_age
    }

    /// Sets this session's own sliding lifetime in seconds (`None` or `Some(0)`: the manager's
    /// `max_age` again). Over [`MAX_SECONDS`] is an error. A save then writes the cookie with an
    /// expiry of now plus this many seconds (capped by `max_lifetime`), and so does every later
    /// save, by any face.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// assert!(s.set_max_age(Some(u64::MAX)).is_err());
    /// s.set_max_age(Some(0)).unwrap();
    /// assert_eq!(s.max_age(), None);
    /// ```
    pub fn set_max_age(&mut self, seconds: Option<u64>) -> Result<(), SessionError> {
        let seconds = seconds.filter(|&s| s != 0);
        if let Some(seconds) = seconds.filter(|&s| s > MAX_SECONDS) {
            return Err(SessionError::MaxAgeOutOfRange { seconds, max: MAX_SECONDS });
        }
        if seconds != self.max_age {
            self.max_age = seconds;
            self.modified = true;
        }
        Ok(())
    }

    /// When the session was first issued (µs), once it has been saved or loaded from a sealed
    /// cookie. The absolute lifetime counts from it.
    ///
    /// ```
    /// assert_eq!(edge_session::Session::new().issued(), None);
    /// ```
    pub fn issued(&self) -> Option<u64> {
        self.prov.issued
    }

    /// The public id (8 hex digits) of the key that opened this session, for the `sealed` format
    /// (`None` for a new session and the other formats): what rotation telemetry counts, so an
    /// operator sees when an old key no longer opens anything.
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// let m = edge_session::SessionManager::new(o).unwrap();
    /// let mut s = m.load(None, 0);
    /// assert_eq!(s.key_id(), None);
    /// s.insert("a", "1").unwrap();
    /// let cookie = m.save(&mut s, 0).unwrap().unwrap().to_string();
    /// let again = m.load(Some(cookie.split(';').next().unwrap()), 0);
    /// assert_eq!(again.key_id(), m.sealing_key_id());
    /// ```
    pub fn key_id(&self) -> Option<String> {
        self.prov.opened_by.map(|id| crate::text::hex(&id))
    }

    /// Whether this session was opened with a passphrase below the strength rule, admitted only
    /// by [`Options::allow_weak_passphrases`](crate::Options::allow_weak_passphrases) (`apache`
    /// format): anyone who guesses that passphrase can forge such a session, so treat what it
    /// says with that in mind (for example, ask for the password again before anything
    /// sensitive). Such a session is written back under the passphrase that opened it, never
    /// re-encrypted under a strong one: it ends when the operator drops that passphrase, or when
    /// it is cleared.
    ///
    /// ```
    /// use edge_session::{Format, Options, SessionManager};
    /// # if cfg!(not(feature = "apache")) { return; } // the format is the `apache` feature's
    /// let mut o = Options::default();
    /// o.format = Format::Apache;
    /// o.allow_weak_passphrases = true;
    /// o.keys = vec!["secret".into()];
    /// let m = SessionManager::new(o).unwrap();
    /// let mut s = m.load(None, 0);
    /// s.insert("user", "alice").unwrap();
    /// let cookie = m.save(&mut s, 0).unwrap().unwrap().to_string();
    /// let again = m.load(Some(cookie.split(';').next().unwrap()), 0);
    /// assert_eq!(again.get("user"), Some("alice"));
    /// assert!(again.weak_key());
    /// assert!(!m.load(None, 0).weak_key());
    /// ```
    pub fn weak_key(&self) -> bool {
        self.prov.weak_passphrase.is_some()
    }

    /// Re-issues the session on its next save, keeping its entries: a new token under a fresh
    /// nonce and a new issue time, so the absolute lifetime (`max_lifetime`) counts from now (the
    /// expiry is computed again from `max_age` and `max_lifetime`).
    /// Call it after a login or a change of privilege (session fixation defence); an origin asks
    /// for it with the reserved key `!regenerate` in its SessionHeader (`!regenerate=1&user=alice`).
    /// To start from an empty session, [`clear`](Self::clear) it too.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.apply_update("user=alice&!regenerate=1").unwrap();
    /// assert!(s.is_modified() && s.issued().is_none());
    /// assert_eq!(s.to_string(), "user=alice");
    /// ```
    pub fn regenerate(&mut self) {
        #[cfg(feature = "dbsc")]
        self.drop_device();
        self.prov.issued = None;
        self.expiry = None;
        self.modified = true;
    }

    /// Replaces the entries with those of a stored session string, as if loaded with them: the
    /// status, expiry and issue time stay, and the session is unmodified afterwards. For
    /// server-side stores, where the cookie holds a reference and the entries live in a record
    /// (the caller bounds the string's length). `expiry` and the control keys in it are ignored.
    /// Flash entries in it are shown during this request and dropped by its save (the session is
    /// then modified).
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.restore_entries("user=alice&expiry=5").unwrap();
    /// assert_eq!((s.get("user"), s.expiry(), s.is_modified()), (Some("alice"), None, false));
    /// ```
    pub fn restore_entries(&mut self, session_string: &str) -> Result<(), SessionError> {
        let decoded = Self::decode(session_string)?;
        self.entries = decoded.entries;
        self.take_flashes();
        Ok(())
    }

    /// Notes the flash entries the session arrived with (shown now, dropped by the save): the
    /// session is modified when there are any, so that the save drops them.
    fn take_flashes(&mut self) {
        self.flashed = self.entries.iter().filter(|(k, _)| value::is_flash(k)).map(|(k, _)| k.clone()).collect();
        self.modified = !self.flashed.is_empty();
    }

    /// Whether a save would store no entry (flash entries shown this request are not stored again).
    pub(crate) fn nothing_stored(&self) -> bool {
        self.entries.len() <= self.flashed.len()
    }

    /// Whether the session changed since it was loaded or saved.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// assert!(!s.is_modified());
    /// s.insert("k", "v").unwrap();
    /// assert!(s.is_modified());
    /// ```
    pub fn is_modified(&self) -> bool {
        self.modified
    }

    /// Where this session came from.
    ///
    /// ```
    /// assert_eq!(edge_session::Session::new().status(), edge_session::LoadStatus::New);
    /// ```
    pub fn status(&self) -> LoadStatus {
        self.prov.status.unwrap_or(LoadStatus::New)
    }

    /// Merges a SessionHeader update (`k=v&k2=&expiry=N`, session-string escaping) into the
    /// session, as mod_session does with the origin's response header: set, delete on empty,
    /// `expiry=` sets the expiry, invalid pairs dropped. Marks the session modified.
    ///
    /// The update is bounded first: over [`MAX_UPDATE_BYTES`] bytes, or a result over
    /// [`MAX_ENTRIES`] entries, is an error and leaves the session as it was.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.apply_update("user=alice&cart=3+items").unwrap();
    /// s.apply_update("cart=&theme=dark").unwrap();
    /// assert_eq!(s.to_string(), "user=alice&theme=dark");
    /// ```
    pub fn apply_update(&mut self, update: &str) -> Result<(), SessionError> {
        if update.len() > MAX_UPDATE_BYTES {
            return Err(SessionError::UpdateTooLarge { len: update.len(), max: MAX_UPDATE_BYTES });
        }
        let pieces: Vec<Piece> = codec::pieces(update).collect();
        let sets = pieces.iter().filter(|p| matches!(p, Piece::Set(..))).count();
        if self.entries.len().saturating_add(sets) <= MAX_ENTRIES {
            // Cannot pass the entry limit: apply in place.
            self.apply(pieces)?;
        } else {
            // Might: apply to a copy, so that a refused update changes nothing.
            let mut next = self.clone();
            next.apply(pieces)?;
            *self = next;
        }
        self.modified = true;
        Ok(())
    }

    /// Decodes a stored session string into this session (a `!regenerate` or `!clear` in it is
    /// ignored: only an update may ask for one).
    fn merge(&mut self, input: &str) -> Result<(), SessionError> {
        for piece in codec::pieces(input) {
            match piece {
                Piece::Regenerate | Piece::Clear => {}
                #[cfg(feature = "dbsc")]
                Piece::Device(d) => self.device = Some(d),
                #[cfg(feature = "dbsc")]
                Piece::Client(c) => self.client = Some(c),
                p => self.apply([p])?,
            }
        }
        self.modified = false;
        Ok(())
    }

    fn apply(&mut self, pieces: impl IntoIterator<Item = Piece>) -> Result<(), SessionError> {
        for piece in pieces {
            match piece {
                Piece::Set(k, v) => {
                    self.put_one(k, v)?;
                }
                Piece::Delete(k) => {
                    self.remove_stored(&k);
                }
                Piece::Expiry(e) => self.expiry = e,
                Piece::MaxAge(m) => self.max_age = m,
                Piece::Regenerate => self.regenerate(),
                Piece::Clear => self.clear(),
                // Only a sealed cookie carries it (`merge`, `decode`): an origin cannot bind a session.
                #[cfg(feature = "dbsc")]
                Piece::Device(_) | Piece::Client(_) => {}
            }
        }
        Ok(())
    }

    /// The entries alone as a session string (no `expiry`, no `!maxage`, no flash entry shown
    /// during this request): what a server-side store keeps.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.apply_update("a=1&b=x+y&expiry=5&!maxage=9").unwrap();
    /// assert_eq!(s.encode_entries(), "a=1&b=x+y");
    /// ```
    pub fn encode_entries(&self) -> String {
        let mut out = String::with_capacity(self.room());
        codec::encode_into(&mut out, self.stored());
        out
    }

    /// The entries a save writes: all but the flash entries shown during this request.
    fn stored(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        let skip = !self.flashed.is_empty();
        self.iter().filter(move |(k, _)| !skip || !self.flashed.iter().any(|f| f == k))
    }

    /// Room for the unescaped entries, their separators, a max age and an expiry: one
    /// allocation for the usual session (escaping grows it only when there is something to escape).
    fn room(&self) -> usize {
        self.entries.iter().map(|(k, v)| k.len() + v.len() + 2).sum::<usize>() + 48
    }

    /// The session string a save writes: the stored entries, a device-bound session's state,
    /// the session's own max age and `expiry` (not necessarily the session's own) last.
    pub(crate) fn encode(&self, expiry: Option<u64>) -> String {
        let mut out = self.encode_entries();
        #[cfg(feature = "dbsc")]
        for (key, value) in [(codec::DEVICE_KEY, &self.device), (codec::CLIENT_KEY, &self.client)] {
            if let Some(v) = value {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(key);
                out.push('=');
                out.push_str(v);
            }
        }
        self.push_times(&mut out, expiry);
        out
    }

    /// A device-bound session's state (`device_bound.rs` reads it): its own field with the `dbsc`
    /// feature, an entry without it.
    pub(crate) fn device(&self) -> Option<&str> {
        #[cfg(feature = "dbsc")]
        return self.device.as_deref();
        #[cfg(not(feature = "dbsc"))]
        return self.get(codec::DEVICE_KEY);
    }

    /// Sets a device-bound session's state: the session is then modified (written by its save).
    #[cfg(feature = "dbsc")]
    pub(crate) fn set_device(&mut self, state: String) {
        self.device = Some(state);
        self.modified = true;
    }

    /// The network a face saw this request come from, for soft binding (`client_binding`): the
    /// Worker gives `request.cf`'s ASN and country. Never written into the cookie; a fingerprint
    /// of it is.
    ///
    /// ```
    /// let mut s = edge_session::Session::new();
    /// s.set_client_network("AS13335/FR");
    /// assert!(!s.is_modified());
    /// ```
    pub fn set_client_network(&mut self, network: &str) {
        #[cfg(feature = "dbsc")]
        {
            self.network = Some(network.to_owned());
        }
        #[cfg(not(feature = "dbsc"))]
        let _ = network;
    }

    #[cfg(feature = "dbsc")]
    pub(crate) fn client_network(&self) -> Option<&str> {
        self.network.as_deref()
    }

    #[cfg(feature = "dbsc")]
    pub(crate) fn client(&self) -> Option<&str> {
        self.client.as_deref()
    }

    /// Records the client fingerprint; `modified` to have the next save write it.
    #[cfg(feature = "dbsc")]
    pub(crate) fn set_client(&mut self, fingerprint: String, modified: bool) {
        self.client = Some(fingerprint);
        self.modified |= modified;
    }

    /// Ends a device binding (a logout, a regeneration): the next save offers a new one. (Without
    /// the `dbsc` feature the state is an entry: `clear` drops it with the others.)
    #[cfg(feature = "dbsc")]
    fn drop_device(&mut self) {
        if self.device.take().is_some() {
            self.modified = true;
        }
    }

    /// Appends `&!maxage=N` (when set) and `&expiry=N` (when given).
    fn push_times(&self, out: &mut String, expiry: Option<u64>) {
        for (key, n) in [(MAX_AGE_KEY, self.max_age), (EXPIRY_KEY, expiry.filter(|&e| e != 0))] {
            if let Some(n) = n {
                if !out.is_empty() {
                    out.push('&');
                }
                out.push_str(key);
                out.push('=');
                text::push_decimal(out, n);
            }
        }
    }

    /// A new, unmodified session with `other`'s stored entries and max age (nothing else: no
    /// times, status or cookie bookkeeping): what a save of `other` wrote.
    pub(crate) fn with_entries_of(other: &Session) -> Self {
        let entries = if other.flashed.is_empty() {
            Arc::clone(&other.entries)
        } else {
            Arc::new(other.stored().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
        };
        Self {
            entries,
            max_age: other.max_age,
            #[cfg(feature = "dbsc")]
            device: other.device.clone(),
            #[cfg(feature = "dbsc")]
            client: other.client.clone(),
            ..Self::default()
        }
    }

    /// The session a cookie held, as a format opened it: `entries` with `expiry` and the
    /// bookkeeping the format returns, unmodified.
    pub(crate) fn opened(mut entries: Session, expiry: Option<u64>, prov: Provenance) -> Self {
        entries.expiry = expiry;
        entries.prov = prov;
        entries.modified = false;
        entries
    }

    /// An empty session with this bookkeeping (rejected, expired, revoked).
    pub(crate) fn ended(prov: Provenance) -> Self {
        Self { prov, ..Self::default() }
    }

    /// Its bookkeeping, to read.
    pub(crate) fn provenance(&self) -> &Provenance {
        &self.prov
    }

    /// As the manager hands it out after a load: what the browser holds, and its expiry (after
    /// the max-age fill) as loaded; unmodified.
    /// Flash entries it holds are shown during this request and dropped by its save (the session
    /// is then modified).
    pub(crate) fn arrived(&mut self, jar: Jar, expiry: Option<u64>) {
        self.prov.jar = jar;
        self.expiry = expiry;
        self.prov.loaded_expiry = expiry;
        self.take_flashes();
    }

    /// Drops the flash entries shown during this request (after a save wrote the rest).
    fn drop_flashes(&mut self) {
        if !self.flashed.is_empty() {
            let flashed = core::mem::take(&mut self.flashed);
            Arc::make_mut(&mut self.entries).retain(|(k, _)| !flashed.contains(k));
        }
    }

    /// After a save: written with this expiry and issue time (with the current key), the
    /// browser holding `jar`; unmodified.
    pub(crate) fn mark_saved(&mut self, expiry: Option<u64>, issued: u64, jar: Jar) {
        self.drop_flashes();
        self.expiry = expiry;
        self.modified = false;
        self.prov = Provenance {
            status: Some(LoadStatus::Loaded),
            issued: Some(issued),
            loaded_expiry: expiry,
            reseal: false,
            jar,
            ..self.prov
        };
    }

    /// After a removal: the browser holds no form of the cookie.
    pub(crate) fn mark_removed(&mut self) {
        self.drop_flashes();
        self.prov.jar = Jar::default();
    }
}

impl fmt::Display for Session {
    /// The plain session string (Apache's `HTTP_SESSION`): every entry (flash entries shown
    /// during this request too), then `!maxage` and `expiry` when set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(self.room());
        codec::encode_into(&mut out, self.iter());
        self.push_times(&mut out, self.expiry);
        f.write_str(&out)
    }
}

/// Whether every key differs: a table of the keys' indexes, placed by their hash (FNV-1a) with
/// linear probing, so that a key is compared only with the keys it meets in its probe. The caller
/// caps the count ([`MAX_ENTRIES`]), which bounds the worst case (every hash the same) at `put`'s.
fn distinct(entries: &[(String, String)]) -> bool {
    if entries.len() < 2 {
        return true;
    }
    // At most half full: a free slot ends every probe.
    let mask = (entries.len() * 2).next_power_of_two() - 1;
    // The index + 1 of the key placed there; 0 for a free slot.
    let mut slots = vec![0u16; mask + 1];
    for (index, (key, _)) in (1..).zip(entries) {
        let hash = key.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
        let mut at = hash as usize;
        loop {
            at &= mask;
            match slots.get_mut(at) {
                Some(free @ 0) => {
                    *free = index;
                    break;
                }
                Some(other) if entries.get(usize::from(*other) - 1).is_some_and(|(k, _)| k == key) => return false,
                Some(_) => at += 1,
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_odd_strings() {
        let mut s = Session::new();
        for (k, v) in [("k é", "v&al=ue x"), ("emoji😀", "%+*.-_~"), ("tab\t", "\"quote'"), ("a", "b=c")] {
            s.insert(k, v).unwrap();
        }
        s.set_expiry(Some(42));
        let back = Session::decode(&s.to_string()).unwrap();
        assert_eq!(back.iter().collect::<Vec<_>>(), s.iter().collect::<Vec<_>>());
        assert_eq!(back.expiry(), Some(42));
        assert!(!back.is_modified());
    }

    #[test]
    fn update_merges_deletes_and_sets_expiry() {
        let mut s = Session::decode("a=1&b=2&c=3").unwrap();
        s.apply_update("b=&d=4&a=9&expiry=77").unwrap();
        assert_eq!(s.to_string(), "a=9&c=3&d=4&expiry=77");
        assert!(s.is_modified());
    }

    #[test]
    fn empty_update_still_marks_modified() {
        let mut s = Session::decode("a=1").unwrap();
        s.apply_update("").unwrap();
        assert!(s.is_modified());
        assert_eq!(s.to_string(), "a=1");
    }

    #[test]
    fn update_is_bounded_and_atomic() {
        let mut s = Session::decode("a=1").unwrap();
        let big = "x".repeat(MAX_UPDATE_BYTES + 1);
        assert_eq!(
            s.apply_update(&big),
            Err(SessionError::UpdateTooLarge { len: MAX_UPDATE_BYTES + 1, max: MAX_UPDATE_BYTES })
        );
        let many: Vec<String> = (0..MAX_ENTRIES).map(|i| format!("k{i}=v")).collect();
        assert_eq!(s.apply_update(&many.join("&")), Err(SessionError::TooManyEntries { max: MAX_ENTRIES }));
        assert_eq!(s.to_string(), "a=1", "a failed update leaves the session untouched");
        assert!(!s.is_modified());
        // Up to the limit, with deletions and rewrites of earlier keys: applied in place.
        let full: Vec<String> = (1..MAX_ENTRIES).map(|i| format!("k{i}=v")).collect();
        s.apply_update(&full.join("&")).unwrap();
        assert_eq!(s.len(), MAX_ENTRIES);
        s.apply_update("a=&k1=w&n=1").unwrap();
        assert_eq!((s.len(), s.get("a"), s.get("k1"), s.get("n")), (MAX_ENTRIES, None, Some("w"), Some("1")));
    }

    /// Found by the `session_update` fuzzer: a raw NUL in an update was kept, then written as
    /// `%00` and dropped on the next read.
    #[test]
    fn raw_nul_in_an_update_is_dropped_like_percent_00() {
        let mut s = Session::new();
        s.apply_update("a=1&b=x\0y&c\0=2&d=4").unwrap();
        assert_eq!(s.to_string(), "a=1&d=4");
    }

    #[test]
    fn ten_thousand_ampersands_are_nothing() {
        let mut s = Session::new();
        s.apply_update(&"&".repeat(MAX_UPDATE_BYTES)).unwrap();
        assert!(s.is_empty());
    }

    #[test]
    fn insert_rules() {
        let mut s = Session::new();
        assert_eq!(s.insert("expiry", "1"), Err(SessionError::ReservedKey));
        assert_eq!(s.insert("k\0", "v"), Err(SessionError::NulCharacter));
        assert_eq!(s.insert("k", "a\0b"), Err(SessionError::NulCharacter));
        s.insert("k", "v").unwrap();
        s.mark_saved(None, 1, Jar::default());
        s.insert("k", "v").unwrap();
        assert!(!s.is_modified(), "setting the same value changes nothing");
        s.insert("k", "").unwrap();
        assert!(s.is_empty() && s.is_modified());
    }

    /// The general rules alone (what `decode` did before its fast path).
    fn by_the_rules(input: &str) -> Result<Session, SessionError> {
        let mut session = Session::new();
        session.merge(input)?;
        Ok(session)
    }

    #[test]
    fn decode_agrees_with_the_general_rules() {
        // Repeated keys (one, several, far apart), deletions, expiry anywhere, regenerate, and
        // the entry limit on both sides, with and without a repeat past it.
        let many = |n: usize| (0..n).map(|i| format!("k{i}=v")).collect::<Vec<_>>().join("&");
        let mut inputs: Vec<String> = [
            "",
            "a=1",
            "a=1&b=2",
            "a=1&a=2",
            "a=1&b=2&a=3",
            "a=1&b=&c=3",
            "b=&a=1",
            "a=1&expiry=5&b=2",
            "expiry=5&expiry=0",
            "a=1&!regenerate=1&b=2",
            "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&c=0",
            "%61=1&a=2",
            "a=1&a=",
            "x=1&y=2&x=&y=3",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for n in [MAX_ENTRIES - 1, MAX_ENTRIES, MAX_ENTRIES + 1] {
            inputs.push(many(n));
            inputs.push(format!("{}&k0=again", many(n)));
            inputs.push(format!("{}&k0=", many(n)));
        }
        // Random strings of few keys, so that repeats are common.
        let keys = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "expiry"];
        let pairs: Vec<String> = keys.iter().flat_map(|k| ["", "1", "22", "x y"].map(|v| format!("{k}={v}"))).collect();
        let pairs: Vec<&str> = pairs.iter().map(String::as_str).collect();
        inputs.extend(crate::codec::tests::random_strings(0x2545_f491_4f6c_dd1d, 12, &pairs, "&"));
        for input in &inputs {
            assert_eq!(Session::decode(input), by_the_rules(input), "{input:?}");
        }
    }

    #[test]
    fn distinct_finds_every_repeat() {
        let keys: Vec<(String, String)> = (0..300).map(|i| (format!("key{i}"), String::new())).collect();
        assert!(distinct(&keys));
        for i in 0..keys.len() {
            for j in [0, i / 2, keys.len() - 1] {
                if i != j {
                    let mut k = keys.clone();
                    k[i].0 = k[j].0.clone();
                    assert!(!distinct(&k), "{i} {j}");
                }
            }
        }
    }
}
