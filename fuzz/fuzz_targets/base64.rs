//! The base64 codec of cipher/src/base64.rs against the `base64` crate it replaced: the same
//! bytes (or the same refusal) for any text, in each configuration edge-session reads, and the
//! same text for any bytes.
#![no_main]
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use edge_session_cipher::base64::{decode, decode_into, encode, Alphabet, Padding};
use libfuzzer_sys::fuzz_target;

const APACHE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let engines: [(&GeneralPurpose, Alphabet, Padding); 5] = [
        (&STANDARD, Alphabet::Standard, Padding::Canonical),
        (&STANDARD_NO_PAD, Alphabet::Standard, Padding::None),
        (&URL_SAFE, Alphabet::UrlSafe, Padding::Canonical),
        (&URL_SAFE_NO_PAD, Alphabet::UrlSafe, Padding::None),
        (&APACHE, Alphabet::Standard, Padding::Optional),
    ];
    for (engine, alphabet, padding) in engines {
        let ours = decode(&text, alphabet, padding);
        assert_eq!(ours, engine.decode(text.as_bytes()).ok(), "{text:?} {alphabet:?} {padding:?}");
        let mut slot = [0u8; 32];
        let mut theirs = [0u8; 32];
        let n = decode_into(&text, alphabet, padding, &mut slot);
        assert_eq!(n, engine.decode_slice(text.as_bytes(), &mut theirs).ok(), "{text:?} into 32 bytes");
        // (What a refused input leaves in the buffer is unspecified: the crate may have begun.)
        if n.is_some() {
            assert_eq!(slot, theirs);
        }
        assert_eq!(encode(data, alphabet, padding != Padding::None), engine.encode(data));
    }
});
