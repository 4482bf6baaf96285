//! The one place core errors become JavaScript `Error`s: `name = "EdgeSessionError"`, a stable
//! `code`, and the core's message in the JavaScript API's spelling (`maxAge`, `saveAll`).

use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use edge_session::option_table::Spelling;
use edge_session::{ConfigError, CookieError, KeyError, SaveError, SessionError, TokenError};

/// A JavaScript `Error` with a stable `code` and `name = "EdgeSessionError"`.
pub(crate) fn error(code: &str, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("EdgeSessionError");
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &"code".into(), &code.into());
    err.into()
}

/// An option that cannot be used (`ERR_INVALID_OPTION`).
pub(crate) fn invalid(message: &str) -> JsValue {
    error("ERR_INVALID_OPTION", message)
}

pub(crate) fn config_error(e: &ConfigError) -> JsValue {
    let code = match e {
        ConfigError::Cookie(CookieError::InvalidName(_)) => "ERR_INVALID_COOKIE_NAME",
        ConfigError::Cookie(CookieError::PrefixRule { .. }) => "ERR_COOKIE_PREFIX",
        ConfigError::Cookie(_) => "ERR_INVALID_COOKIE_ATTRIBUTE",
        ConfigError::NoKeys => "ERR_NO_KEYS",
        ConfigError::Key { error: KeyError::Duplicate, .. } => "ERR_DUPLICATE_KEY",
        ConfigError::Key { error: KeyError::Random, .. } => "ERR_RANDOM",
        ConfigError::Key { error: KeyError::Unprefixed, .. } => "ERR_UNPREFIXED_KEY",
        ConfigError::Key { error: KeyError::BadRawKey, .. } => "ERR_INVALID_RAW_KEY",
        ConfigError::Key { .. } | ConfigError::OriginSecret(_) => "ERR_WEAK_KEY",
        // The default entry is built without the apache format: say where it is.
        ConfigError::FormatUnavailable(format) => {
            let name = format.as_str();
            let message = format!(
                "the {name} format is in the package's full entry: import {{ SessionManager }} from \"edge-session/full\""
            );
            return error("ERR_FORMAT_UNAVAILABLE", &message);
        }
        // The default and full entries are built without device-bound sessions: the message says where.
        ConfigError::DeviceBoundUnavailable(_) => "ERR_DEVICE_BOUND_UNAVAILABLE",
        _ => "ERR_INVALID_OPTION",
    };
    error(code, &e.message(Spelling::Js))
}

pub(crate) fn session_error(e: &SessionError) -> JsValue {
    let code = match e {
        SessionError::EmptyKey | SessionError::ReservedKey => "ERR_INVALID_KEY_NAME",
        SessionError::NulCharacter => "ERR_INVALID_CHARACTER",
        SessionError::TooManyEntries { .. } => "ERR_TOO_MANY_ENTRIES",
        SessionError::UpdateTooLarge { .. } => "ERR_UPDATE_TOO_LARGE",
        SessionError::MaxAgeOutOfRange { .. } => "ERR_OUT_OF_RANGE",
        _ => "ERR_INVALID_SESSION",
    };
    error(code, &e.to_string())
}

pub(crate) fn save_error(e: &SaveError) -> JsValue {
    let code = match e {
        SaveError::CookieTooLarge { .. } => "ERR_COOKIE_TOO_LARGE",
        SaveError::Random => "ERR_RANDOM",
        SaveError::TooManyChunks { .. } => "ERR_TOO_MANY_CHUNKS",
        SaveError::ChunkedSession => "ERR_CHUNKED_SESSION",
        _ => "ERR_SAVE",
    };
    error(code, &e.message(Spelling::Js))
}

pub(crate) fn token_error(e: &TokenError) -> JsValue {
    let code = match e {
        TokenError::NotSealed => "ERR_NO_KEYS",
        TokenError::DataTooLarge { .. } => "ERR_TOKEN_TOO_LARGE",
        TokenError::Random => "ERR_RANDOM",
        _ => "ERR_INVALID_ARG_VALUE",
    };
    error(code, &e.to_string())
}
