//! Managers shared by the fuzz targets (fixed test keys; fuzzing needs no secrets).
#![allow(dead_code)]
use edge_session::{Format, Options, SessionManager};

pub const SEALED_KEY: &str = "base64:q6vN4Oa1x7bCWbN2b0JXhJd7gQ0WmL5t1y1sQk2Kq2E=";
pub const PASSPHRASE: &str = "a fuzzing passphrase, long enough: 2026";

/// A manager for `format` with `keys`, after `tune` has adjusted the options.
pub fn manager(format: Format, keys: &[&str], tune: impl Fn(&mut Options)) -> SessionManager {
    let mut o = Options::default();
    o.format = format;
    o.keys = keys.iter().map(|k| k.to_string()).collect();
    tune(&mut o);
    SessionManager::new(o).expect("fuzz configuration")
}

/// One manager per format: sealed, apache (with a weak older passphrase, admitted by
/// `allow_weak_passphrases`, so the weak path is fuzzed too), plain.
pub fn all_formats(tune: fn(&mut Options)) -> [SessionManager; 3] {
    [
        manager(Format::Sealed, &[SEALED_KEY], tune),
        manager(Format::Apache, &[PASSPHRASE, "secret"], |o| {
            o.allow_weak_passphrases = true;
            tune(o);
        }),
        manager(Format::Plain, &[], tune),
    ]
}
