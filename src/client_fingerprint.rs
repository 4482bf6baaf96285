//! Soft binding's fingerprint and check (the `dbsc` feature; the setting is `client_binding.rs`):
//! the browser and OS families of the User-Agent and the network a face gave, hashed, kept in the
//! sealed session; a request from another client is reported or regenerates the session.
//!
//! ```text
//! !fp = 16 hex digits: SHA-256("v1" NUL BROWSER "/" OS NUL NETWORK), its first 8 bytes
//!       kept in the sealed session only (never shown to the origin)
//! ```

use sha2::{Digest, Sha256};

use crate::client_binding::ClientBinding;
use crate::notice::Notice;
use crate::session::Session;
use crate::status::LoadStatus;
use crate::{SessionManager, text};

/// Whether `hay` holds `needle` (bytes compared: no string searcher in the WebAssembly).
fn has(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The browser and OS families of a User-Agent: `chrome/windows`, `safari/ios`, `other/other`.
///
/// ```
/// let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0.0.0 Safari/537.36";
/// assert_eq!(edge_session::device_bound::client_family(ua), "chrome/windows");
/// ```
pub fn client_family(user_agent: &str) -> String {
    let ua = user_agent.as_bytes();
    let browser = [
        (&b"Edg/"[..], "edge"),
        (b"OPR/", "opera"),
        (b"Firefox/", "firefox"),
        (b"FxiOS/", "firefox"),
        (b"CriOS/", "chrome"),
        (b"Chrome/", "chrome"),
        (b"Safari/", "safari"),
    ]
    .into_iter()
    .find(|(n, _)| has(ua, n))
    .map_or("other", |(_, f)| f);
    let os = [
        (&b"Android"[..], "android"),
        (b"iPhone", "ios"),
        (b"iPad", "ios"),
        (b"CrOS", "chromeos"),
        (b"Windows", "windows"),
        (b"Macintosh", "mac"),
        (b"Linux", "linux"),
    ]
    .into_iter()
    .find(|(n, _)| has(ua, n))
    .map_or("other", |(_, f)| f);
    format!("{browser}/{os}")
}

/// The stored fingerprint of a client family and network.
fn fingerprint(family: &str, network: &str) -> String {
    let digest = Sha256::new().chain_update(b"v1\0").chain_update(family).chain_update(b"\0").chain_update(network);
    text::hex(digest.finalize().get(..8).unwrap_or_default())
}

impl SessionManager {
    /// Checks `session` against the request's client (its User-Agent, and the network a face
    /// gave with [`Session::set_client_network`]): records the fingerprint of a session that has
    /// none, and for one that changed reports it (and regenerates, if asked). The notice to log,
    /// exactly when the client changed (the origin is then told `!client=changed`).
    pub(crate) fn check_client(&self, session: &mut Session, user_agent: &str) -> Option<Notice> {
        let mode = self.options().client_binding;
        if mode == ClientBinding::Off {
            return None;
        }
        let family = client_family(user_agent);
        let fp = fingerprint(&family, session.client_network().unwrap_or_default());
        match session.client() {
            Some(stored) if stored == fp => None,
            Some(_) if session.status() == LoadStatus::Loaded => {
                // `report` keeps the login's fingerprint (every request from another client is
                // reported); `regenerate` starts the session again from this client.
                if mode == ClientBinding::Regenerate {
                    session.regenerate();
                    session.set_client(fp, true);
                }
                let detail = format!("{} ({family})", mode.as_str());
                Some(Notice::ClientChanged(detail))
            }
            _ => {
                // First seen: kept with the session when it is next written (an empty session is not
                // written for it).
                let loaded = session.status() == LoadStatus::Loaded && !session.is_empty();
                session.set_client(fp, loaded);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_are_coarse() {
        for (ua, want) in [
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15",
                "safari/mac",
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/146.0 Mobile/15E148 Safari/604.1",
                "chrome/ios",
            ),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0", "firefox/linux"),
            (
                "Mozilla/5.0 (Linux; Android 15) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0 Mobile Safari/537.36",
                "chrome/android",
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0 Safari/537.36 Edg/146.0",
                "edge/windows",
            ),
            ("curl/8.5.0", "other/other"),
            ("", "other/other"),
        ] {
            assert_eq!(client_family(ua), want, "{ua}");
        }
        assert_eq!(fingerprint("chrome/linux", "").len(), 16);
        assert_ne!(fingerprint("chrome/linux", "AS1/FR"), fingerprint("chrome/linux", "AS2/FR"));
    }
}
