//! A SessionHeader update applied to a session; a refused update leaves it unchanged, and
//! whatever is accepted survives its own encoding.
#![no_main]
use edge_session::Session;
use edge_session::limits::MAX_UPDATE_BYTES;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let update = String::from_utf8_lossy(data);
    let mut s = Session::new();
    s.insert("user", "alice").expect("a valid key");
    let before = s.to_string();
    match s.apply_update(&update) {
        Err(_) => assert_eq!(s.to_string(), before, "a refused update changed the session"),
        // Escaping can make the encoding longer than the update (up to 3x): past the update
        // bound it cannot be fed back as an update, which is the documented refusal.
        Ok(()) if s.to_string().len() <= MAX_UPDATE_BYTES => {
            let mut again = Session::new();
            again.apply_update(&s.to_string()).expect("our own encoding is accepted");
            let a: Vec<_> = s.iter().collect();
            let b: Vec<_> = again.iter().collect();
            assert_eq!(a, b, "decode(encode(x)) != x");
        }
        Ok(()) => {}
    }
});
