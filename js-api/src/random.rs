//! The platform's CSPRNG for getrandom (its `custom` backend): `crypto.getRandomValues`, which
//! node (19 and later), workerd, Deno, Bun and browsers all have on the global object. One call
//! per draw, straight into WebAssembly memory (the core draws 256 bytes at a time on wasm32).
//!
//! The registration is getrandom's macro: the `extern "Rust"` function it defines, which getrandom
//! links against, and the slice that function makes of its pointer are getrandom's code, expanded
//! here (this crate's own code has no `unsafe`).

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `crypto.getRandomValues(view)`: throws for more than [`MAX_DRAW`] bytes.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(buf: &mut [u8]) -> Result<(), JsValue>;
}

/// The most bytes `getRandomValues` fills in one call (the Web Crypto API's quota).
const MAX_DRAW: usize = 65_536;

/// Fills `buf` from the platform, `MAX_DRAW` bytes at a time.
fn fill(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    for chunk in buf.chunks_mut(MAX_DRAW) {
        get_random_values(chunk).map_err(|_| getrandom::Error::WEB_GET_RANDOM_VALUES)?;
    }
    Ok(())
}

getrandom::register_custom_getrandom!(fill);
