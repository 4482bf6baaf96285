//! Server-side sessions through the core's public API: the cookie is a session of its own (a
//! "token" whose entries are `sid` and `home`, sealed under the token context `store`) kept in
//! step with the data session the origin sees, whose entries live in a record. The token
//! manager applies the same save rules to the token, so what it decides (nothing, slide the
//! expiry, re-issue, remove) is what the data session needs; this module only mirrors the data
//! session's changes onto the token. Pure: reading and writing the records is `backend.rs`'s.

use crate::error::{ConfigError, SaveError};
use crate::manager::SessionManager;
use crate::options::Options;
use crate::session::Session;
use crate::status::LoadStatus;

use crate::store_records::{self as records, HashKey, MAX_RECORD_BYTES, SessionId, StoreRef};

/// What a save writes with a server-side store.
/// Not `#[non_exhaustive]`: a face must carry out every kind of write, and a new one should stop
/// its build rather than be passed over.
#[derive(Debug)]
pub enum StoreWrite {
    /// Nothing to store or send.
    Nothing,
    /// Delete the record of `old` (if any); send `cookies` (removals).
    Remove {
        /// The record to delete.
        old: Option<StoreRef>,
        /// The `Set-Cookie` lines to send.
        cookies: Vec<String>,
    },
    /// Store `record` under `new` until `expiry` (µs); delete `old`'s record when `reissued`
    /// (a new id); send `cookies`.
    Put {
        /// Where the record goes.
        new: StoreRef,
        /// Where it was read from, if anywhere.
        old: Option<StoreRef>,
        /// The record ([`record`](crate::store::record)).
        record: String,
        /// When it expires (µs), if it does.
        expiry: Option<u64>,
        /// The `Set-Cookie` lines to send.
        cookies: Vec<String>,
        /// Whether `new` is another id than `old`'s (then `old`'s record is deleted).
        reissued: bool,
    },
}

/// Why a store save failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreSaveError {
    /// The record would pass the store's limit.
    RecordTooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// No id could be drawn.
    Random,
    /// The token could not be written.
    Save(SaveError),
}

impl StoreSaveError {
    /// The message in a face's spelling (the token's save error names options).
    ///
    /// ```
    /// use edge_session::store::StoreSaveError;
    /// use edge_session::option_table::Spelling;
    /// assert!(StoreSaveError::RecordTooLarge { len: 70_000 }.message(Spelling::Env).contains("70000 bytes"));
    /// ```
    pub fn message(&self, spelling: crate::option_table::Spelling) -> String {
        match self {
            Self::RecordTooLarge { len } => format!(
                "session record of {len} bytes exceeds the store's {MAX_RECORD_BYTES}-byte limit: store less in the session"
            ),
            Self::Random => "the platform's random number generator failed".to_owned(),
            Self::Save(e) => e.message(spelling),
        }
    }
}

impl core::fmt::Display for StoreSaveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.message(crate::option_table::Spelling::Rust))
    }
}

impl std::error::Error for StoreSaveError {}

/// The cookie as read: the token session (status, times, what the browser holds) and the
/// record it names.
#[derive(Debug)]
pub struct StoreCookie {
    /// The token session: status, times, what the browser holds.
    pub token: Session,
    /// The record it names, when it is authentic and well formed.
    pub sref: Option<StoreRef>,
}

/// Why a cookie gave no stored session, beyond the core's rejections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// An authentic token without a valid reference.
    Malformed,
    /// The store holds no record under the id (ended, evicted, expired there), or it does not decode.
    NotStored,
}

/// The token manager, made from the data manager's options.
#[derive(Debug)]
pub struct StoreSessions {
    token: SessionManager,
}

impl StoreSessions {
    /// The token manager for the data manager's options (the same keys, cookie and times; the
    /// token context `store`; one cookie).
    ///
    /// ```
    /// let mut o = edge_session::Options::default();
    /// o.keys = vec![edge_session::generate_key().unwrap()];
    /// assert!(edge_session::store::StoreSessions::new(&o).is_ok());
    /// ```
    pub fn new(data: &Options) -> Result<Self, ConfigError> {
        let mut o = data.clone();
        o.token_context = records::TOKEN_CONTEXT.into();
        o.max_chunks = 1;
        Ok(Self { token: SessionManager::new(o)? })
    }

    /// Opens the cookie's store token (its expiry and lifetime checked before any store read).
    pub fn load(&self, cookie_header: Option<&str>, now: u64) -> StoreCookie {
        let token = self.token.load(cookie_header, now);
        let sref = (token.status() == LoadStatus::Loaded).then(|| StoreRef::read_from(&token)).flatten();
        StoreCookie { token, sref }
    }

    /// The data session: the token's status, times and cookie bookkeeping with the record's
    /// entries. A loaded token whose record is missing (`record` None) or malformed gives an
    /// emptied session (removed on save) and says why.
    pub fn session(&self, loaded: &StoreCookie, record: Option<&str>) -> (Session, Option<Missing>) {
        let mut s = loaded.token.clone();
        if loaded.token.status() != LoadStatus::Loaded {
            return (s, None);
        }
        if loaded.sref.is_none() {
            s.clear();
            return (s, Some(Missing::Malformed));
        }
        match record.and_then(records::record_body).map(|body| s.restore_entries(body)) {
            Some(Ok(())) => (s, None),
            _ => {
                s.clear();
                (s, Some(Missing::NotStored))
            }
        }
    }

    /// Saves `session` (loaded as `loaded`) at `now` under the core's save rules: a modified,
    /// regenerated or new session gets a new id (its old record deleted); a save that only slides
    /// the expiry keeps the id, as Apache does. `homes`: the session key naming the user whose
    /// Durable Object holds the record (`None`: KV).
    pub fn save(
        &self,
        loaded: &mut StoreCookie,
        session: &Session,
        homes: Option<(&str, &HashKey)>,
        now: u64,
    ) -> Result<StoreWrite, StoreSaveError> {
        let token = &mut loaded.token;
        let old = loaded.sref.clone();
        let mut new = None;
        let body = session.encode_entries();
        // Flash entries shown on this request are not stored again (`encode_entries` leaves them out).
        if session.nothing_stored() {
            token.clear();
        } else {
            if body.len() > MAX_RECORD_BYTES {
                return Err(StoreSaveError::RecordTooLarge { len: body.len() });
            }
            if session.issued().is_none() && token.issued().is_some() {
                token.regenerate();
            }
            if session.expiry() != token.expiry() {
                token.set_expiry(session.expiry());
            }
            let keep = old.as_ref().filter(|_| !session.is_modified() && token.status() == LoadStatus::Loaded);
            let reference = match keep {
                Some(r) => r.clone(),
                None => {
                    let id = SessionId::generate().map_err(|_| StoreSaveError::Random)?;
                    let home = homes.map(|(user_key, key)| records::home_for(key, session.get(user_key), &id));
                    let r = StoreRef { id, home };
                    r.write_to(token);
                    r
                }
            };
            new = Some(reference);
        }
        // The session's own max age ("remember me") is the token's: it decides the cookie's expiry
        // (set after the reference is written, which starts the token afresh).
        if new.is_some() && session.max_age() != token.max_age() {
            let _ = token.set_max_age(session.max_age());
        }
        let cookies = self.token.save_all(token, now).map_err(StoreSaveError::Save)?;
        Ok(match new {
            None if cookies.is_empty() => StoreWrite::Nothing,
            None => StoreWrite::Remove { old, cookies },
            Some(_) if cookies.is_empty() => StoreWrite::Nothing,
            Some(new) => {
                let reissued = old.as_ref().is_none_or(|o| !o.id.same(&new.id));
                StoreWrite::Put { new, old, record: records::record(&body), expiry: token.expiry(), cookies, reissued }
            }
        })
    }
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn managers(f: impl FnOnce(&mut Options)) -> (SessionManager, StoreSessions) {
        let mut o = Options::default();
        o.keys = vec![crate::generate_key().unwrap()];
        f(&mut o);
        let data = SessionManager::new(o).unwrap();
        let store = StoreSessions::new(data.options()).unwrap();
        (data, store)
    }

    fn cookie_line(w: &StoreWrite) -> String {
        match w {
            StoreWrite::Put { cookies, .. } | StoreWrite::Remove { cookies, .. } => {
                cookies[0].split(';').next().unwrap().to_owned()
            }
            StoreWrite::Nothing => panic!("nothing written"),
        }
    }

    /// One request through a store held in `db` (id hex -> record): load, update, save.
    fn request(
        store: &StoreSessions,
        db: &mut HashMap<String, String>,
        cookie: Option<&str>,
        update: Option<&str>,
        homes: Option<(&str, &HashKey)>,
        now: u64,
    ) -> (Session, Option<Missing>, StoreWrite) {
        let mut loaded = store.load(cookie, now);
        let record = loaded.sref.as_ref().and_then(|r| db.get(&r.id.hex()).cloned());
        let (mut s, missing) = store.session(&loaded, record.as_deref());
        let seen = s.clone();
        if let Some(u) = update {
            s.apply_update(u).unwrap();
        }
        let w = store.save(&mut loaded, &s, homes, now).unwrap();
        match &w {
            StoreWrite::Put { new, old, record, reissued, .. } => {
                if *reissued {
                    old.iter().for_each(|o| drop(db.remove(&o.id.hex())));
                }
                db.insert(new.id.hex(), record.clone());
            }
            StoreWrite::Remove { old, .. } => old.iter().for_each(|o| drop(db.remove(&o.id.hex()))),
            StoreWrite::Nothing => {}
        }
        (seen, missing, w)
    }

    #[test]
    fn sessions_live_in_the_record_and_ids_are_reissued_on_change() {
        let (_, store) = managers(|o| {
            o.max_age = 600;
            o.expiry_update_interval = 60;
        });
        let mut db = HashMap::new();
        let t = 1_800_000_000_000_000;
        let (_, _, w) = request(&store, &mut db, None, Some("user=alice&role=admin"), None, t);
        let c1 = cookie_line(&w);
        assert!(!c1.contains("alice") && c1.len() < 150, "the cookie holds only the sealed id: {c1}");
        assert_eq!(db.values().collect::<Vec<_>>(), ["1:user=alice&role=admin"]);

        // Read without change, within the update interval: nothing written, same id.
        let (s, _, w) = request(&store, &mut db, Some(&c1), None, None, t + 1_000_000);
        assert_eq!((s.get("user"), s.status()), (Some("alice"), LoadStatus::Loaded));
        assert!(matches!(w, StoreWrite::Nothing), "{w:?}");

        // The expiry slides past the interval: rewritten under the same id (as Apache does).
        let (_, _, w) = request(&store, &mut db, Some(&c1), None, None, t + 120_000_000);
        let StoreWrite::Put { reissued: false, ref new, expiry, .. } = w else { panic!("{w:?}") };
        assert_eq!(expiry, Some(t + 720_000_000));
        let first_id = new.id.hex();
        let c2 = cookie_line(&w);

        // A change re-issues the id; the old record is gone, the old cookie finds nothing.
        let (_, _, w) = request(&store, &mut db, Some(&c2), Some("cart=3"), None, t + 130_000_000);
        let StoreWrite::Put { reissued: true, ref new, .. } = w else { panic!("{w:?}") };
        assert_ne!(new.id.hex(), first_id);
        assert_eq!(db.len(), 1);
        let c3 = cookie_line(&w);
        let (s, missing, _) = request(&store, &mut db, Some(&c2), None, None, t + 131_000_000);
        assert_eq!((s.is_empty(), missing), (true, Some(Missing::NotStored)));
        let (s, _, _) = request(&store, &mut db, Some(&c3), None, None, t + 132_000_000);
        assert_eq!(s.to_string(), format!("user=alice&role=admin&cart=3&expiry={}", t + 730_000_000));

        // Emptied: the record is deleted and the cookie removed.
        let (_, _, w) = request(&store, &mut db, Some(&c3), Some("user=&role=&cart="), None, t + 133_000_000);
        assert!(matches!(w, StoreWrite::Remove { old: Some(_), .. }), "{w:?}");
        assert_eq!(cookie_line(&w), "session=", "{w:?}");
        assert!(db.is_empty());
    }

    #[test]
    fn store_tokens_and_cookie_tokens_do_not_open_as_each_other() {
        let (data, store) = managers(|o| o.max_age = 600);
        let mut db = HashMap::new();
        // A cookie-format session whose entries look like a store token.
        let mut s = data.load(None, 0);
        s.insert("sid", &"ab".repeat(16)).unwrap();
        let cookie_format = data.save(&mut s, 0).unwrap().unwrap();
        let loaded = store.load(Some(cookie_format.split(';').next().unwrap()), 1);
        assert_eq!(loaded.token.status(), LoadStatus::Rejected(crate::Rejection::Tampered));
        // And a store token is not a cookie-format session.
        let (_, _, w) = request(&store, &mut db, None, Some("user=bob"), None, 0);
        let store_cookie = cookie_line(&w);
        assert_eq!(data.load(Some(&store_cookie), 1).status(), LoadStatus::Rejected(crate::Rejection::Tampered));
        // A record that does not decode is no session.
        let loaded = store.load(Some(&store_cookie), 1);
        let (s, missing) = store.session(&loaded, Some("9:user=bob"));
        assert_eq!((s.is_empty(), missing), (true, Some(Missing::NotStored)));
    }

    #[test]
    fn homes_follow_the_user_and_regenerate_reissues() {
        let (data, store) = managers(|o| o.max_age = 600);
        let key = HashKey::new(&data.derive_secrets(records::HASH_KEY_LABEL).remove(0));
        let homes = Some(("user", &key));
        let mut db = HashMap::new();
        let (_, _, w) = request(&store, &mut db, None, Some("cart=1"), homes, 0);
        let StoreWrite::Put { ref new, .. } = w else { panic!() };
        let anon_home = new.home.clone().unwrap();
        assert_eq!(anon_home, format!("a{}", new.id.hex()), "anonymous: an object of its own");
        let c = cookie_line(&w);
        let (_, _, w) = request(&store, &mut db, Some(&c), Some("!regenerate=1&user=alice"), homes, 1);
        let StoreWrite::Put { ref new, ref old, reissued: true, .. } = w else { panic!() };
        assert_eq!(old.as_ref().and_then(|o| o.home.clone()), Some(anon_home));
        let alice_home = new.home.clone().unwrap();
        assert!(alice_home.starts_with('u') && !alice_home.contains("alice"));
        let c = cookie_line(&w);
        let (s, _, w) = request(&store, &mut db, Some(&c), Some("theme=dark"), homes, 2);
        assert_eq!(s.get("cart"), Some("1"));
        let StoreWrite::Put { ref new, .. } = w else { panic!() };
        assert_eq!(new.home.as_deref(), Some(alice_home.as_str()), "a user's sessions share one object");
    }

    #[test]
    fn records_are_capped() {
        let (_, store) = managers(|_| {});
        let mut s = Session::new();
        for i in 0..5 {
            s.insert(&format!("k{i}"), &"x".repeat(15_000)).unwrap();
        }
        let mut loaded = store.load(None, 0);
        assert!(matches!(store.save(&mut loaded, &s, None, 0), Err(StoreSaveError::RecordTooLarge { .. })));
        s.remove("k0");
        assert!(matches!(store.save(&mut loaded, &s, None, 0), Ok(StoreWrite::Put { .. })), "60 KB fits a store");
    }

    #[test]
    fn remember_me_and_flash_entries_in_a_store() {
        let (_, store) = managers(|o| o.max_age = 600);
        let mut db = HashMap::new();
        let (_, _, w) = request(&store, &mut db, None, Some("user=alice&!maxage=2592000&flash.notice=Hi"), None, 0);
        let StoreWrite::Put { cookies, record, .. } = &w else { panic!("{w:?}") };
        assert!(cookies[0].contains("; Max-Age=2592000;"), "{}", cookies[0]);
        assert_eq!(record, "1:user=alice&flash.notice=Hi", "the max age is the token's, not the record's");
        let c = cookie_line(&w);
        // The next request shows the flash; its save drops it from the record and keeps the max age.
        let (s, _, w) = request(&store, &mut db, Some(&c), None, None, 1_000_000);
        assert_eq!((s.value("notice"), s.max_age()), (Some(crate::Value::Text("Hi")), Some(2_592_000)));
        let StoreWrite::Put { cookies, record, .. } = &w else { panic!("{w:?}") };
        assert_eq!(record, "1:user=alice");
        assert!(cookies[0].contains("; Max-Age=2592000;"), "{}", cookies[0]);
    }
}
