//! Telemetry: the session events of this isolate, as JSON log lines (ids as keyed hashes only)
//! and as counters (read at the admin metrics endpoint); the core's notices printed with the
//! console method of their level.

use std::cell::RefCell;

use edge_session::Session;
use edge_session::option_table::Spelling;
use edge_session::proxy::{Notice, log_line};
use worker::{console_error, console_log, console_warn};

use crate::config::WorkerConfig;
use crate::events::{self, Counters, Event, KeyOp, Why};
use crate::store;
use edge_session::LoadStatus;
use edge_session::store::StoreWrite;
use edge_session::store::{self as records, StoreRef};

/// Prints a notice of the core's flow with the console method of its level.
pub(crate) fn print(notice: &Notice) {
    let line = notice.line(Spelling::Env, &[]);
    match notice.level() {
        edge_session::proxy::Level::Info => console_log!("{line}"),
        edge_session::proxy::Level::Warn => console_warn!("{line}"),
        _ => console_error!("{line}"),
    }
}

thread_local! {
    /// Session event counts of this isolate (read at the admin metrics endpoint).
    pub(crate) static COUNTERS: RefCell<Counters> = RefCell::new(Counters::default());
}

/// Logs one session event (a JSON line; ids as keyed hashes only) and counts it.
pub(crate) fn emit(event: Event, sid: Option<&str>, prev: Option<&str>, n: Option<u64>) {
    COUNTERS.with(|c| c.borrow_mut().count(event, n.unwrap_or(1)));
    console_log!("{}", events::line(event, sid, prev, n, None));
}

/// Logs a write (created, renewed, rotated) with the id of the key that sealed it (as
/// `SESSION_LOG_WRITES` says), and counts it and the seal for that key; warns once when this isolate's
/// seals with one key near AES-GCM's bound.
pub(crate) fn emit_write(config: &WorkerConfig, event: Event, sid: Option<&str>, prev: Option<&str>) {
    let key = config.manager.sealing_key_id();
    COUNTERS.with(|c| c.borrow_mut().count(event, 1));
    if config.log_writes.logs(event) {
        console_log!("{}", events::line(event, sid, prev, None, key.as_deref()));
    }
    if let Some(id) = key
        && COUNTERS.with(|c| c.borrow_mut().count_key(&id, KeyOp::Seal))
    {
        let n = events::SEALS_WARN_PER_ISOLATE.to_string();
        console_warn!("{}", log_line("key-seal-budget", &[("key", &id), ("seals", &n), ("advice", SEAL_ADVICE)]));
    }
}

/// What the seal-budget warning advises.
const SEAL_ADVICE: &str = "rotate this key: AES-GCM with random nonces allows 2^32 seals per key across all isolates";

/// Counts an opened session for the key that opened it.
pub(crate) fn count_open(session: &Session) {
    if let Some(id) = session.key_id() {
        COUNTERS.with(|c| c.borrow_mut().count_key(&id, KeyOp::Open));
    }
}

/// A notice of the request side (a refused or expired cookie): logged and counted as a session
/// event, with the hash of the cookie it came from.
pub(crate) fn note(notice: &Notice, sid: Option<&str>) {
    match notice {
        Notice::Rejected(why) => emit(Event::Rejected(Why::Cookie(*why)), sid, None, None),
        Notice::Expired => emit(Event::Expired, sid, None, None),
        other => print(other),
    }
}

/// The log hash of a stored session's id.
pub(crate) fn id_hash(config: &WorkerConfig, r: &StoreRef) -> Option<String> {
    config.hash_key.as_ref().map(|k| records::log_hash(k, r.id.as_bytes()))
}

/// `prev`: the log hash of the id the request's cookie named.
pub(crate) fn log_store_write(
    config: &WorkerConfig,
    w: &StoreWrite,
    written: &store::Written,
    prev: Option<&str>,
    before: LoadStatus,
) {
    // `prev` names the replaced record only when there was one (not a refused cookie's value).
    let prev =
        prev.filter(|_| matches!(w, StoreWrite::Put { old: Some(_), .. } | StoreWrite::Remove { old: Some(_), .. }));
    match w {
        StoreWrite::Nothing => {}
        // A rejected or expired cookie was logged as such when it was read.
        StoreWrite::Remove { .. } if before == LoadStatus::Loaded => emit(Event::Ended, None, prev, None),
        StoreWrite::Remove { .. } => {}
        StoreWrite::Put { new, reissued, .. } => {
            let sid = id_hash(config, new);
            match (prev, reissued) {
                (None, _) => emit_write(config, Event::Created, sid.as_deref(), None),
                (Some(p), true) => emit_write(config, Event::Rotated, sid.as_deref(), Some(p)),
                (Some(_), false) => emit_write(config, Event::Renewed, sid.as_deref(), None),
            }
        }
    }
    for id in &written.evicted {
        let h = records::SessionId::parse(id)
            .and_then(|i| config.hash_key.as_ref().map(|k| records::log_hash(k, i.as_bytes())));
        emit(Event::Evicted, h.as_deref(), None, None);
    }
}
