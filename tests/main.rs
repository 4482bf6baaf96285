//! The core's integration tests, one module per concern, in one test binary (natively, and on
//! wasm32 by `wasm-pack test --node` / `--chrome`): known-answer vectors (Apache's and our own
//! frozen tokens, Wycheproof's AES-GCM cases), tamper suites, chunked cookies, the CVE regressions,
//! and the wasm32-only checks.

#[cfg(feature = "apache")]
mod apache_vectors;
mod chunks;
mod cve_regressions;
#[cfg(feature = "dbsc")]
mod dbsc;
mod sealed_tamper;
mod sealed_vectors;
mod values;
mod wasm;
mod wycheproof;
