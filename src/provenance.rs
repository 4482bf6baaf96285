//! A session's bookkeeping, in one value: where it came from, when it was issued, which key opened
//! its cookie and what the browser holds. The formats return it with the entries they open
//! ([`Session::opened`](crate::Session)), the manager with what it loads and saves; only the
//! session itself changes it afterwards (a `regenerate`, a `clear`, a save).

use crate::jar::Jar;
use crate::keys::KEY_ID_BYTES;
use crate::status::LoadStatus;

/// See the module's docs. The default is a new session's: no cookie, no times, no key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Provenance {
    /// Where it came from; `None` before it was loaded (a new session).
    pub(crate) status: Option<LoadStatus>,
    /// When it was first issued (µs): carried by a `sealed` token, set by a save.
    pub(crate) issued: Option<u64>,
    /// The expiry as loaded or last saved (after the max-age fill), for SessionExpiryUpdateInterval.
    pub(crate) loaded_expiry: Option<u64>,
    /// Opened with an older key or an old salt: written again with the current one.
    pub(crate) reseal: bool,
    /// The public id of the `sealed` key that opened it.
    pub(crate) opened_by: Option<[u8; KEY_ID_BYTES]>,
    /// Opened with the passphrase at this index, below the strength rule
    /// (`allow_weak_passphrases`): written back under it.
    pub(crate) weak_passphrase: Option<usize>,
    /// The session cookies the browser holds (sent with the request, or set since): what a save
    /// must remove when it writes the other form.
    pub(crate) jar: Jar,
}

impl Provenance {
    /// A cookie just opened by a format: loaded, with what the format read from it.
    pub(crate) fn opened(issued: Option<u64>) -> Self {
        Self { status: Some(LoadStatus::Loaded), issued, ..Self::default() }
    }

    /// An empty session that ended this way (rejected, expired, revoked), the browser holding `jar`.
    pub(crate) fn ended(status: LoadStatus, jar: Jar) -> Self {
        Self { status: Some(status), jar, ..Self::default() }
    }
}
