//! edge-session as a Cloudflare Worker: a session front proxy before an origin, doing for any
//! origin what Apache's mod_session does for its own content. It is one face of the core's flow
//! (`edge_session::SessionManager::plan_request` / `plan_response`): every decision about headers
//! is the core's, and this crate only executes the header operations on workers-rs `Request` /
//! `Response`, does the I/O the core has none of (the origin, the KV / Durable Object store, the
//! revocation lookups) and logs.
//!
//! Bad client input never becomes a 5xx: a bad cookie is an empty session. An unreachable origin
//! is the core's 502. A missing or weak key answers every request with a 500 that says so (and
//! logs it).
#![forbid(unsafe_code)]
// Natively (`cargo test -p edge-session-worker`) only the pure modules are built and tested;
// what calls them is wasm32-only.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

mod config;
mod events;
mod revocation;

// The Worker itself, wasm32 only, in rooms that read one way: `entry` (fetch, the isolate's
// configuration) -> `admin` | `request` (a proxied request) -> `store` (KV and Durable Object I/O),
// `revoke` (KV not-before lookups), `http` (headers, responses, the origin's fetch; `demo`),
// `telemetry` (event lines and counters). `session_store` is the Durable Object class.
#[cfg(target_arch = "wasm32")]
mod admin;
#[cfg(target_arch = "wasm32")]
mod demo;
#[cfg(target_arch = "wasm32")]
mod entry;
#[cfg(target_arch = "wasm32")]
mod http;
#[cfg(target_arch = "wasm32")]
mod request;
#[cfg(target_arch = "wasm32")]
mod revoke;
#[cfg(target_arch = "wasm32")]
mod session_store;
#[cfg(target_arch = "wasm32")]
mod store;
#[cfg(target_arch = "wasm32")]
mod telemetry;

#[cfg(target_arch = "wasm32")]
pub use session_store::SessionStore;
