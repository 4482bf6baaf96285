//! The inspector's parser: any text, with and without keys.
#![no_main]
use edge_session::inspect::{InspectOptions, inspect};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let mut o = InspectOptions::default();
    o.keys = vec!["base64:q6vN4Oa1x7bCWbN2b0JXhJd7gQ0WmL5t1y1sQk2Kq2E=".into(), "secret".into()];
    for options in [InspectOptions::default(), o] {
        let i = inspect(&input, &options);
        // Every face shows `reading` as the status when the contents were read, `problem` when
        // they were not: always exactly one of them.
        assert_eq!(i.ok, i.problem.is_none());
        assert_eq!(i.ok, i.reading.is_some());
        assert_eq!(i.ok, i.session.is_some());
    }
});
