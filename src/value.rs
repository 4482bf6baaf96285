//! Values with their types in mod_session's table of strings, and flash entries.
//!
//! A string is stored as mod_session stores it: `key=value` (Apache reads and writes it as it is).
//! Any other JSON value (number, boolean, null, array, object) is stored as its JSON text under
//! the key with the suffix `.json`, and a flash entry (shown on the next request only) under the
//! key with the prefix `flash.`:
//!
//! ```text
//! stored-name = [ "flash." ] key [ ".json" ]
//!   user=alice                      a string
//!   count.json=3                    the number 3
//!   cart.json=%7b%22items%22%3a%5b1%5d%7d   the object {"items":[1]}
//!   flash.notice=Saved              a flash string
//!   flash.undo.json=%5b1%2c2%5d     a flash array
//! ```
//!
//! An origin reads them from the SessionEnv header (`X-Session`) and writes them back through the
//! SessionHeader by the same names. A key holds one value: setting it as a string removes its JSON
//! form, and the reverse. The names `expiry`, `!…` (control keys), `flash.…` and `….json` are
//! reserved for keys set through the API.

use crate::codec;

/// The suffix of a stored name whose value is JSON text.
pub(crate) const JSON_SUFFIX: &str = ".json";
/// The prefix of a stored name that is a flash entry.
pub(crate) const FLASH_PREFIX: &str = "flash.";

/// A session value as it is stored: mod_session's string, or the JSON text of any other value.
/// The core keeps JSON as text; the faces parse it (JavaScript's `JSON.parse`, serde in Rust).
///
/// ```
/// use edge_session::{Session, Value};
/// let mut s = Session::new();
/// s.set_value("count", Value::Json("3")).unwrap();
/// s.insert("user", "alice").unwrap();
/// assert_eq!(s.value("count"), Some(Value::Json("3")));
/// assert_eq!(s.value("user"), Some(Value::Text("alice")));
/// assert_eq!(s.to_string(), "count.json=3&user=alice");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Value<'a> {
    /// A string, stored as it is.
    Text(&'a str),
    /// The JSON text of a value that is not a string.
    Json(&'a str),
}

impl<'a> Value<'a> {
    /// The stored text: the string, or the JSON text.
    ///
    /// ```
    /// assert_eq!(edge_session::Value::Json("[1]").as_str(), "[1]");
    /// ```
    pub fn as_str(&self) -> &'a str {
        match self {
            Self::Text(s) | Self::Json(s) => s,
        }
    }

    /// Whether it is JSON text.
    pub(crate) fn is_json(&self) -> bool {
        matches!(self, Self::Json(_))
    }
}

/// The stored name of `key` holding a value of this kind, flash or not.
pub(crate) fn stored_name(key: &str, json: bool, flash: bool) -> String {
    let mut name = String::with_capacity(key.len() + FLASH_PREFIX.len() + JSON_SUFFIX.len());
    if flash {
        name.push_str(FLASH_PREFIX);
    }
    name.push_str(key);
    if json {
        name.push_str(JSON_SUFFIX);
    }
    name
}

/// Whether a stored name is a flash entry's.
pub(crate) fn is_flash(stored: &str) -> bool {
    stored.starts_with(FLASH_PREFIX)
}

/// A stored name's key and whether its value is JSON (a flash entry's prefix kept).
pub(crate) fn key_of(stored: &str) -> (&str, bool) {
    match stored.strip_suffix(JSON_SUFFIX) {
        Some(key) if !key.is_empty() => (key, true),
        _ => (stored, false),
    }
}

/// The stored name of the other form of a stored name's key: `k.json` for `k`, `k` for `k.json`.
pub(crate) fn other_form(stored: &str) -> String {
    match key_of(stored) {
        (key, true) => key.to_owned(),
        (key, false) => format!("{key}{JSON_SUFFIX}"),
    }
}

/// Whether `key` may not be set through the API: the wire's reserved keys, and the names whose
/// prefix or suffix says how a value is stored.
pub(crate) fn reserved(key: &str) -> bool {
    codec::reserved(key) || key.ends_with(JSON_SUFFIX) || key.starts_with(FLASH_PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(stored_name("cart", true, true), "flash.cart.json");
        assert_eq!(key_of("cart.json"), ("cart", true));
        assert_eq!(key_of(".json"), (".json", false));
        assert_eq!(key_of("flash.a"), ("flash.a", false));
        assert!(is_flash("flash.a") && !is_flash("a"));
        for k in ["expiry", "!x", "a.json", "flash.a"] {
            assert!(reserved(k), "{k}");
        }
        assert!(!reserved("json") && !reserved("flash") && !reserved("a:b"));
    }
}
