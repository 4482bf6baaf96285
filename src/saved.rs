//! What a save did, as data: so that a face counts, logs and stores what the core decided rather
//! than reading its `Set-Cookie` lines back.

/// What a save did to the session cookie ([`ResponsePlan::saved`](crate::proxy::ResponsePlan::saved)).
///
/// ```
/// use edge_session::{Options, SessionManager};
/// use edge_session::proxy::Saved;
/// let mut o = Options::default();
/// o.keys = vec![edge_session::generate_key().unwrap()];
/// let m = SessionManager::new(o).unwrap();
/// let mut s = m.load(None, 0);
/// let plan = m.plan_response(Some(&mut s), &[("x-replace-session", "user=alice")], 0);
/// let Saved::Created(written) = &plan.saved else { panic!("{:?}", plan.saved) };
/// assert_eq!(written.key_id, m.sealing_key_id());
/// assert!(plan.headers.iter().any(|op| op.name() == "set-cookie"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Saved {
    /// Nothing was sent: no session, nothing to write (unchanged within the update interval), or
    /// not saved (a notice says why), or saved by the face itself.
    Nothing,
    /// A session was written where the request carried none.
    Created(Written),
    /// The session the request carried was written again unchanged: its expiry slid, or it was
    /// sealed again under the current key.
    Renewed(Written),
    /// The session the request carried was written again changed (or regenerated).
    Rotated(Written),
    /// The session the request carried was ended: its cookie (and chunks) removed.
    Ended,
    /// A cookie that held no session (rejected, expired, revoked) was removed.
    Removed,
}

/// A session cookie that a save wrote.
///
/// ```
/// # use edge_session::{Options, SessionManager};
/// # use edge_session::proxy::Saved;
/// # let mut o = Options::default();
/// # o.keys = vec![edge_session::generate_key().unwrap()];
/// # let m = SessionManager::new(o).unwrap();
/// # let mut s = m.load(None, 0);
/// let plan = m.plan_response(Some(&mut s), &[("x-replace-session", "user=alice")], 0);
/// if let Saved::Created(w) = plan.saved {
///     assert_eq!((w.chunks, w.value.len()), (0, w.bytes));
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Written {
    /// The cookie's value: the whole token, its chunks joined (what the next request's cookie
    /// opens as). A bearer credential: log a keyed hash of it, never the value.
    pub value: String,
    /// The value's length in bytes.
    pub bytes: usize,
    /// How many cookies it was split across (0: one cookie, `NAME`).
    pub chunks: usize,
    /// The public id (hex) of the key that sealed it: `None` in the `plain` and `apache` formats.
    pub key_id: Option<String>,
}
