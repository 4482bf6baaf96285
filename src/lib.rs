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
mod codec;
mod cookie_header;
mod error;
mod flow;
mod format;
mod inspect;
mod jar;
mod keys;
mod limits;
mod manager;
mod notice;
mod option_table;
mod options;
mod policy;
mod saved;
mod sealed;
mod sealer;
mod session;
mod set_cookie;
mod signature;
mod status;
mod text;

pub use codec::{REGENERATE_KEY, encode_update, form_value};
pub use cookie_header::find_cookie;
pub use error::{ConfigError, SaveError};
pub use flow::{FAILURE_CONTENT_TYPE, HeaderOp, ORIGIN_FAILURE_BODY, ORIGIN_FAILURE_STATUS, RequestPlan, ResponsePlan};
pub use format::{ApacheCipher, Format};
pub use inspect::{InspectOptions, Inspection, Reading, Warning, inspect};
pub use keys::{DerivedSecret, KeyError, MIN_PASSPHRASE_CHARS, PASSPHRASE_ITERATIONS, RAW_KEY_PREFIX, generate_key};
pub use limits::{
    DEFAULT_MAX_CHUNKS, DEFAULT_OPEN_CACHE, DEFAULT_OPEN_CACHE_BYTES, MAX_CHUNKS_LIMIT, MAX_COOKIE_BYTES,
    MAX_COOKIE_HEADER_BYTES, MAX_ENTRIES, MAX_OPEN_CACHE, MAX_OPEN_CACHE_BYTES, MAX_SECONDS, MAX_UPDATE_BYTES,
};
pub use manager::SessionManager;
pub use notice::{Level, Notice, log_line};
pub use option_table::{Kind, OPTIONS, Opt, OptionSpec, Spelling};
pub use options::{OptionValue, Options};
pub use saved::{Saved, Written};
pub use session::{Session, SessionError};
pub use set_cookie::{CookieError, DEFAULT_ATTRIBUTES, SetCookie};
pub use signature::{DEFAULT_TOLERANCE_SECS, SignatureError, verify_signature};
pub use status::{LoadStatus, Rejection};

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
