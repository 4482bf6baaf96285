//! The options object of `new SessionManager(options)`, read by the core's option table
//! (`edge_session::option_table::OPTIONS`): every key the table gives a JavaScript name, as its kind says, set
//! through `Options::set`. No list of names here: the table is the list.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use edge_session::option_table::{Kind, OPTIONS, Opt, OptionSpec, OptionValue};
use edge_session::{Format, Options};

use crate::errors::{config_error, invalid};

#[wasm_bindgen]
extern "C" {
    /// `SessionManagerOptions` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "SessionManagerOptions")]
    pub type JsOptions;
}

/// An own property of an options object: never one inherited through the prototype chain (a
/// polluted `Object.prototype` must not change a setting). `undefined` and `null` are absent.
pub(crate) fn get(obj: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    let key = JsValue::from_str(name);
    if !Object::has_own(&Object::from(obj.clone()), &key) {
        return Ok(None);
    }
    let v = Reflect::get(obj, &key)?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

#[cfg(feature = "full")]
pub(crate) fn string_opt(obj: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    get(obj, name)?.map(|v| v.as_string().ok_or_else(|| invalid(&format!("{name}: must be a string")))).transpose()
}

#[cfg(feature = "full")]
pub(crate) fn strings_opt(obj: &JsValue, name: &str) -> Result<Option<Vec<String>>, JsValue> {
    let Some(v) = get(obj, name)? else {
        return Ok(None);
    };
    strings_of(&v).map(Some).ok_or_else(|| invalid(&format!("{name}: must be a list of strings")))
}

fn strings_of(v: &JsValue) -> Option<Vec<String>> {
    if !Array::is_array(v) {
        return None;
    }
    Array::from(v).iter().map(|item| item.as_string()).collect()
}

/// A JavaScript value read as `spec`'s kind; `None` when it is not of that kind.
fn value_of(spec: &OptionSpec, v: &JsValue) -> Option<OptionValue> {
    match spec.kind {
        Kind::Text | Kind::Secret | Kind::Choice(_) => v.as_string().map(OptionValue::Text),
        Kind::Texts | Kind::Secrets => strings_of(v).map(OptionValue::Texts),
        // A whole, non-negative number (its bounds are the core's to check, and to say).
        Kind::Seconds | Kind::Count { .. } => v
            .as_f64()
            .filter(|n| n.is_finite() && *n >= 0.0 && n.fract() == 0.0 && *n <= u64::MAX as f64)
            .map(|n| OptionValue::Number(n as u64)),
        Kind::Flag => v.as_bool().map(OptionValue::Flag),
        _ => None,
    }
}

/// The JavaScript names of the options, as the table lists them.
fn js_names() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().map(|s| s.js).filter(|n| !n.is_empty())
}

/// `new SessionManager(options)`'s options.
pub(crate) fn parse_options(js: &JsValue) -> Result<Options, JsValue> {
    let mut o = Options::default();
    if js.is_undefined() || js.is_null() {
        return Ok(o);
    }
    if !js.is_object() {
        return Err(invalid("options must be an object"));
    }
    for name in Object::keys(&Object::from(js.clone())).iter() {
        let name = name.as_string().unwrap_or_default();
        if !js_names().any(|n| n == name) {
            let known: Vec<&str> = js_names().collect();
            return Err(invalid(&format!("unknown option \"{name}\" (known: {})", known.join(", "))));
        }
    }
    for spec in OPTIONS.iter().filter(|s| !s.js.is_empty()) {
        let Some(v) = get(js, spec.js)? else { continue };
        let value =
            value_of(spec, &v).ok_or_else(|| invalid(&format!("{}: must be {}", spec.js, spec.kind.describe())))?;
        o.set(spec.opt, value).map_err(|e| config_error(&e))?;
    }
    // A cipher is the apache format's: given for another, it would be silently unused.
    if get(js, Opt::Cipher.spec().js)?.is_some() && o.format != Format::Apache {
        return Err(invalid(&format!("{}: is for format \"apache\" only", Opt::Cipher.spec().js)));
    }
    Ok(o)
}
