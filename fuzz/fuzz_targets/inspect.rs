//! The inspector's parser: any text, with and without keys.
#![no_main]
use edge_session::{inspect, InspectOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let _ = inspect(&input, &InspectOptions::default());
    let mut o = InspectOptions::default();
    o.keys = vec!["base64:q6vN4Oa1x7bCWbN2b0JXhJd7gQ0WmL5t1y1sQk2Kq2E=".into(), "secret".into()];
    let _ = inspect(&input, &o);
});
