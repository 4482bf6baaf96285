//! Every bound the core enforces, in one place (the faces and the inspector read them from here
//! rather than retyping them).
//!
//! ```
//! use edge_session::limits::{MAX_COOKIE_BYTES, MAX_ENTRIES};
//! assert_eq!((MAX_COOKIE_BYTES, MAX_ENTRIES), (4096, 256));
//! ```

/// Largest `Set-Cookie` value written: name + value + attributes (browsers keep 4096 bytes).
pub const MAX_COOKIE_BYTES: usize = 4096;
/// Longest `Cookie` header scanned; past it the session is read as absent-and-rejected.
pub const MAX_COOKIE_HEADER_BYTES: usize = 64 * 1024;
/// The most chunks `max_chunks` may allow.
pub const MAX_CHUNKS_LIMIT: usize = 16;
/// The default cookie attributes (`cookie_attributes`).
pub const DEFAULT_ATTRIBUTES: &str = "Path=/; HttpOnly; Secure; SameSite=Lax";
/// The default `max_chunks`.
pub const DEFAULT_MAX_CHUNKS: usize = 4;
/// The default `open_cache`: cookies kept opened per manager.
pub const DEFAULT_OPEN_CACHE: usize = 256;
/// The most `open_cache` may allow (each entry holds at most a 4 KiB cookie and its session).
pub const MAX_OPEN_CACHE: usize = 4096;
/// The default `open_cache_bytes`: what the open cache of one manager may hold, 4 MiB.
pub const DEFAULT_OPEN_CACHE_BYTES: usize = 4 << 20;
/// The most `open_cache_bytes` may allow, 64 MiB.
pub const MAX_OPEN_CACHE_BYTES: usize = 64 << 20;
/// Most entries a session may hold (loaded, set or merged).
pub const MAX_ENTRIES: usize = 256;
/// Largest SessionHeader update accepted, in bytes (CVE-2021-26691 class: bound it first).
pub const MAX_UPDATE_BYTES: usize = 16_384;
/// Shortest passphrase accepted, in characters.
pub const MIN_PASSPHRASE_CHARS: usize = 32;
/// Longest time setting accepted, in seconds (100 years): keeps µs arithmetic far from overflow.
pub const MAX_SECONDS: u64 = 100 * 366 * 24 * 3600;
/// The most bytes of data a sealed token carries (it travels in URLs).
pub const MAX_TOKEN_DATA_BYTES: usize = 2048;
/// The longest DBSC proof (`Secure-Session-Response`) read, in bytes: a JWT with a P-256 key is
/// about 600.
pub const MAX_PROOF_BYTES: usize = 4096;
/// The longest purpose of a sealed token, in bytes.
pub const MAX_PURPOSE_BYTES: usize = 128;
