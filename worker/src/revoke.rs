//! Revocation lookups ("log out everywhere" by not-before times in Workers KV): the I/O around
//! `revocation.rs`, which is pure.

use std::cell::RefCell;

use edge_session::proxy::log_line;
use edge_session::{LoadStatus, Session};
use worker::{Env, console_error};

use crate::config::{Revocation, WorkerConfig};
use crate::revocation::{self, NotBeforeCache};

thread_local! {
    /// Not-before times read from KV, per isolate.
    static NOT_BEFORE: RefCell<Option<NotBeforeCache>> = const { RefCell::new(None) };
}

/// Ends `session` if its user, or everyone, was logged out after it was issued. At most one KV
/// read (a bulk get of what the isolate's cache does not hold fresh). If KV cannot be read, the
/// session is kept (and the failure logged): an outage of KV does not log everyone out.
pub(crate) async fn revoke(config: &WorkerConfig, rev: &Revocation, env: &Env, session: &mut Session, now: u64) {
    if session.status() != LoadStatus::Loaded {
        return;
    }
    let mut keys = vec![revocation::GLOBAL_KEY.to_owned()];
    keys.extend(session.get(&rev.user_key).and_then(revocation::user_key));
    let ttl = rev.cache_seconds.saturating_mul(1_000_000);
    let cached: Vec<Option<Option<u64>>> = NOT_BEFORE.with(|c| {
        let mut c = c.borrow_mut();
        let cache = c.get_or_insert_with(|| NotBeforeCache::new(ttl));
        keys.iter().map(|k| cache.get(k, now)).collect()
    });
    let missing: Vec<&String> = keys.iter().zip(&cached).filter(|(_, c)| c.is_none()).map(|(k, _)| k).collect();
    let mut values: Vec<(String, Option<u64>)> = Vec::new();
    if !missing.is_empty() {
        match kv_get_many(env, &rev.binding, &missing).await {
            Ok(fetched) => {
                NOT_BEFORE.with(|c| {
                    let mut c = c.borrow_mut();
                    let cache = c.get_or_insert_with(|| NotBeforeCache::new(ttl));
                    for (k, v) in &fetched {
                        cache.put(k.clone(), *v, now);
                    }
                });
                values = fetched;
            }
            Err(e) => {
                console_error!("{}", log_line("revocation-error", &[("error", &e)]));
                return;
            }
        }
    }
    let not_before = cached.iter().flatten().flatten().chain(values.iter().filter_map(|(_, v)| v.as_ref())).max();
    if let Some(&nb) = not_before {
        // The plan's notices then say `rejected` / `revoked`.
        config.manager.revoke_if_issued_before(session, nb);
    }
}

/// One KV read for several keys (KV's bulk `get([...])`): each key with its not-before time.
async fn kv_get_many(
    env: &Env,
    binding: &str,
    keys: &[&String],
) -> core::result::Result<Vec<(String, Option<u64>)>, String> {
    let kv = env.kv(binding).map_err(|e| e.to_string())?;
    let names: Vec<String> = keys.iter().map(|k| (*k).clone()).collect();
    let found = kv.get_bulk(&names).text().await.map_err(|e| e.to_string())?;
    Ok(names
        .into_iter()
        .map(|k| {
            let v = found.get(&k).cloned().flatten();
            (k, v.as_deref().and_then(revocation::parse_not_before))
        })
        .collect())
}
