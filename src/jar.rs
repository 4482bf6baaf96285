//! What the browser holds of the session cookie: the whole cookie `NAME`, and which chunks
//! `NAME.i`. Read from the request's `Cookie` header and carried by the session to its save,
//! which must remove whatever form it no longer writes.

use crate::chunks::{self, MAX_CHUNKS_LIMIT};
use crate::cookie_header;
use crate::limits::MAX_COOKIE_HEADER_BYTES;
use crate::set_cookie::Attributes;

/// The session cookie's forms in the browser: `whole` for `NAME`, a bit per chunk index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Jar {
    pub(crate) whole: bool,
    pub(crate) chunks: u16,
}

impl Jar {
    /// What the `Cookie` header holds of the session cookie `base`, in one pass. A header over
    /// the parsing cap counts as holding the whole cookie (refused, and removed on save).
    pub(crate) fn of(header: &str, base: &str) -> Self {
        if header.len() > MAX_COOKIE_HEADER_BYTES {
            return Self { whole: true, chunks: 0 };
        }
        let mut jar = Self::default();
        for (name, _) in cookie_header::pairs(header) {
            jar.see(name, base);
        }
        jar
    }

    /// Notes cookie `name` of the request, if it is the session cookie `base` or one of its chunks.
    pub(crate) fn see(&mut self, name: &str, base: &str) {
        match chunks::parse_name(name, base) {
            Some(None) => self.whole = true,
            Some(Some(index)) => self.chunks |= 1 << index,
            None => {}
        }
    }

    /// Chunks `0..n` (what a chunked write leaves).
    pub(crate) fn chunked(n: usize) -> Self {
        let bits = (1u32 << n.min(MAX_CHUNKS_LIMIT)) - 1;
        Self { whole: false, chunks: u16::try_from(bits).unwrap_or(u16::MAX) }
    }

    /// Whether chunk `index` is held.
    pub(crate) fn has_chunk(self, index: usize) -> bool {
        u32::from(self.chunks) & (1u32 << index.min(31)) != 0
    }

    /// Removals of the chunk cookies of `base` from index `from` on that the browser holds.
    pub(crate) fn stale<'a>(
        self,
        attributes: &'a Attributes,
        base: &'a str,
        from: usize,
    ) -> impl Iterator<Item = String> + 'a {
        (from..MAX_CHUNKS_LIMIT)
            .filter(move |&i| self.has_chunk(i))
            .map(move |i| attributes.removal(&chunks::chunk_name(base, i)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_the_whole_cookie_and_every_chunk() {
        let j = Jar::of("s=1; s.0=2*a; s.1=b; s.3=x; s.15=y; s.16=z", "s");
        assert!(j.whole);
        assert_eq!(j.chunks, 0b1000_0000_0000_1011);
        // `s.4` hides in `s.1`'s value: no cookie of its own (a `,` never separates cookies).
        assert_eq!(Jar::of("s.1=b,s.4=x", "s").chunks, 0b10);
        assert_eq!(Jar::of("x=1", "s"), Jar::default());
        assert_eq!(Jar::chunked(3).chunks, 0b111);
        assert!(Jar::chunked(3).has_chunk(2) && !Jar::chunked(3).has_chunk(3));
    }
}
