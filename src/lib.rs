//! # edge-session
//!
//! Apache httpd's mod_session for edge runtimes: sessions that live in a cookie, sealed with
//! AES-256-GCM, updated by the origin through a response header, with no database in the hot
//! path. This crate is the pure core: no JavaScript, no I/O, no clock. The JavaScript bindings
//! (`js-api/`, the npm package) and the Cloudflare Worker (`worker/`) are crates beside it that
//! use only this public API (see `docs/ARCHITECTURE.md`).
//!
//! ```
//! use edge_session::{Options, SessionManager};
//!
//! let mut options = Options::default();
//! options.keys = vec![edge_session::generate_key()?];
//! options.max_age = 3600;
//! let manager = SessionManager::new(options)?;
//! let now_us = 1_800_000_000_000_000; // the caller's clock, µs since the Unix epoch
//!
//! // A request without a cookie: the origin logs the user in through the SessionHeader.
//! let mut session = manager.load(None, now_us);
//! session.apply_update("user=alice&role=admin")?;
//! let set_cookie = manager.save(&mut session, now_us)?.expect("a new session is written");
//!
//! // The next request sends the cookie back.
//! let cookie = set_cookie.split(';').next().unwrap_or_default();
//! let session = manager.load(Some(cookie), now_us + 1_000_000);
//! assert_eq!(session.get("user"), Some("alice"));
//! assert_eq!(session.to_string(), format!("user=alice&role=admin&expiry={}", now_us + 3_600_000_000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]
// No panics on any input: a panic in a Worker resets the isolate and drops every request in flight.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

#[cfg(feature = "apache")]
mod apache;
mod apache_wire;
mod cache;
#[cfg(feature = "apache")]
mod cbc;
mod chunks;
mod client_binding;
#[cfg(feature = "dbsc")]
mod client_fingerprint;
mod codec;
mod cookie_header;
#[cfg(feature = "dbsc")]
mod dbsc_proof;
pub mod device_bound;
mod error;
mod flow;
mod format;
pub mod inspect;
mod jar;
mod keys;
pub mod limits;
mod manager;
mod notice;
pub mod option_table;
mod options;
mod policy;
mod provenance;
mod saved;
mod sealed;
mod sealer;
mod session;
mod set_cookie;
pub mod signature;
mod status;
mod store_records;
mod store_sessions;
mod text;
mod thumbprint;
mod token;
#[cfg(feature = "serde")]
mod typed;
mod value;

pub use error::{ConfigError, SaveError};
pub use format::{ApacheCipher, Format};
pub use keys::{DerivedSecret, KeyError, generate_key};
pub use manager::SessionManager;
pub use options::Options;
pub use session::{Session, SessionError};
pub use set_cookie::CookieError;
pub use status::{LoadStatus, Rejection};
pub use token::TokenError;
#[cfg(feature = "serde")]
pub use typed::{TypedError, read_origin_session};
pub use value::Value;

/// The front proxy's flow as data, for the faces that execute it (the Worker, `handle`, Hono):
/// the plans of [`SessionManager::plan_request`] and [`SessionManager::plan_response`] (header
/// operations in order, log notices, what the save did) and the answer to a failing origin.
///
/// ```
/// use edge_session::proxy::{HeaderOp, ORIGIN_FAILURE_STATUS};
/// let op = HeaderOp::Delete("X-Session".into());
/// assert!(matches!(op, HeaderOp::Delete(_)));
/// assert_eq!(ORIGIN_FAILURE_STATUS, 502);
/// ```
pub mod proxy {
    pub use crate::device_bound::Answer;
    pub use crate::flow::{
        FAILURE_CONTENT_TYPE, HeaderOp, ORIGIN_FAILURE_BODY, ORIGIN_FAILURE_STATUS, RequestPlan, ResponsePlan,
    };
    pub use crate::notice::{Level, Notice, log_line};
    pub use crate::saved::{Saved, Written};
}

/// Server-side sessions (mod_session_dbd's analogue), as data for the faces that hold the records
/// (the Worker's Workers KV and Durable Objects): the cookie carries only a sealed reference to a
/// record; [`StoreSessions`](store::StoreSessions) decides what a save writes (a new id on every
/// change, the old record deleted), and the records' layout and names are here, so that every
/// face reads and writes the same store.
///
/// ```
/// use edge_session::store::{StoreSessions, StoreWrite};
/// let mut o = edge_session::Options::default();
/// o.keys = vec![edge_session::generate_key()?];
/// let store = StoreSessions::new(&o)?;
/// let mut cookie = store.load(None, 0);
/// let (mut session, _) = store.session(&cookie, None);
/// session.insert("user", "alice")?;
/// let StoreWrite::Put { record, cookies, .. } = store.save(&mut cookie, &session, None, 0)? else { panic!() };
/// assert_eq!(record, "1:user=alice");
/// assert!(cookies[0].starts_with("session="));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub mod store {
    pub use crate::store_records::{
        DO_PREFIX, HASH_KEY_LABEL, HashKey, Held, ID_BYTES, KV_MIN_TTL, KV_PREFIX, MAX_RECORD_BYTES,
        MAX_SESSIONS_LIMIT, RECORD_VERSION, SessionId, StoreRef, TOKEN_CONTEXT, evictions, home_for, kv_ttl, log_hash,
        parse_elsewhere, parse_list, record, record_body, user_home,
    };
    pub use crate::store_sessions::{Missing, StoreCookie, StoreSaveError, StoreSessions, StoreWrite};
}

/// The wire formats' pieces a face or an origin writes or reads: SessionHeader updates and form
/// values (mod_session's urlencoding), the `Cookie` header's grammar, `Set-Cookie` lines and the
/// written form of a key.
///
/// ```
/// use edge_session::wire::{REGENERATE_KEY, encode_update, find_cookie};
/// assert_eq!(encode_update([("user", "alice smith"), (REGENERATE_KEY, "1")]), "user=alice+smith&%21regenerate=1");
/// assert_eq!(find_cookie("a=1; session=xyz", "session"), Some("xyz"));
/// ```
pub mod wire {
    pub use crate::codec::{CLEAR_KEY, MAX_AGE_KEY, REGENERATE_KEY, encode_update, form_value};
    pub use crate::cookie_header::find_cookie;
    pub use crate::keys::{PASSPHRASE_ITERATIONS, RAW_KEY_PREFIX};
    pub use crate::set_cookie::SetCookie;
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

/// The API reference's Rust examples (docs/API.md), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../docs/API.md")]
struct ApiDoctests;
