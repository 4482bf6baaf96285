//! The `SessionStore` Durable Object: the sessions of one signed-in user (or one anonymous
//! session), each expiring by an alarm at the earliest expiry it holds, its generation kept
//! across "log out everywhere". Its internal protocol and the generations: `store.rs`.

use std::collections::HashMap;

use edge_session::wire::form_value;
use worker::{Date, Env, Method, Request, Response, Result, State, durable_object};

use crate::store::{GENERATION_HEADER, GENERATION_KEY};
use edge_session::store::{self as records, DO_PREFIX, Held};

/// The Durable Object that holds sessions: one per signed-in user, one per anonymous session.
/// Each record expires by an alarm set to the earliest expiry it holds; an object left empty
/// deletes its storage, so nothing grows forever.
#[durable_object(alarm)]
pub struct SessionStore {
    state: State,
}

fn now_ms() -> u64 {
    Date::now().as_millis()
}

impl SessionStore {
    /// This object's generation: how many times it was cleared (0: never).
    async fn generation(&self) -> Result<u64> {
        let stored: Option<String> = self.state.storage().get(GENERATION_KEY).await?;
        Ok(stored.and_then(|g| g.parse().ok()).unwrap_or(0))
    }

    /// Whether the request's `gen`, if it carries one, is this object's generation.
    async fn generation_holds(&self, query: &str) -> Result<bool> {
        match form_value(query, "gen") {
            None => Ok(true),
            Some(g) => Ok(g.parse::<u64>().ok() == Some(self.generation().await?)),
        }
    }

    /// Deletes every session (and the alarm), keeping the generation: an object that was cleared
    /// keeps that one key.
    async fn empty(&self) -> Result<()> {
        let storage = self.state.storage();
        storage.delete_alarm().await?;
        let generation = self.generation().await?;
        storage.delete_all().await?;
        if generation > 0 {
            storage.put(GENERATION_KEY, generation.to_string()).await?;
        }
        Ok(())
    }

    /// Every session held, by storage key (expired ones included).
    async fn held(&self) -> Result<HashMap<String, Held>> {
        let opts = worker::ListOptions::new().prefix(DO_PREFIX);
        let map = self.state.storage().list_with_options(opts).await?;
        let mut out = HashMap::new();
        for entry in map.entries() {
            let Ok(pair) = entry else { continue };
            let pair = js_sys::Array::from(&pair);
            if let (Some(k), Some(v)) = (pair.get(0).as_string(), pair.get(1).as_string())
                && let Some(h) = Held::decode(&v)
            {
                out.insert(k, h);
            }
        }
        Ok(out)
    }

    /// Deletes what has expired and sets the alarm to the next expiry (or empties the object).
    async fn sweep(&self, now: u64) -> Result<()> {
        let held = self.held().await?;
        let (gone, live): (Vec<_>, Vec<_>) = held.into_iter().partition(|(_, h)| h.expires <= now);
        let storage = self.state.storage();
        if live.is_empty() {
            return self.empty().await;
        }
        if !gone.is_empty() {
            storage.delete_multiple(gone.into_iter().map(|(k, _)| k).collect::<Vec<_>>()).await?;
        }
        if let Some(next) = live.iter().map(|(_, h)| h.expires).min() {
            // An absolute time (worker's `From<i64>` would be an offset from now).
            let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(next as f64));
            storage.set_alarm(worker::ScheduledTime::new(at)).await?;
        }
        Ok(())
    }
}

fn id_key(query: &str, name: &str) -> Option<String> {
    form_value(query, name).and_then(|h| records::SessionId::parse(&h)).map(|id| format!("{DO_PREFIX}{}", id.hex()))
}

impl worker::DurableObject for SessionStore {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let href = req.inner().url();
        let (path, query) = crate::config::split_url(&href);
        let query = query.unwrap_or_default();
        let now = now_ms();
        let storage = self.state.storage();
        match (req.method(), path) {
            (Method::Get, "/get") => {
                let Some(key) = id_key(query, "id") else { return Response::error("bad id", 400) };
                let held: Option<String> = storage.get(&key).await?;
                let resp = match held.as_deref().and_then(Held::decode).filter(|h| h.expires > now) {
                    Some(h) => Response::ok(h.record)?,
                    None => Response::error("no such session", 404)?,
                };
                let headers = worker::Headers::new();
                headers.set(GENERATION_HEADER, &self.generation().await?.to_string())?;
                Ok(resp.with_headers(headers))
            }
            (Method::Put, "/put") => {
                let Some(key) = id_key(query, "id") else { return Response::error("bad id", 400) };
                let num = |n: &str| form_value(query, n).and_then(|v| v.parse::<u64>().ok());
                let (Some(created), Some(expires)) = (num("created"), num("expires")) else {
                    return Response::error("bad times", 400);
                };
                let limit = num("limit").map_or(0, |l| usize::try_from(l).unwrap_or(usize::MAX));
                if !self.generation_holds(query).await? {
                    return Response::error("logged out since the session was read", 409);
                }
                let record = req.text().await?;
                if records::record_body(&record).is_none() {
                    return Response::error("bad record", 400);
                }
                if let Some(old) = id_key(query, "old") {
                    storage.delete(&old).await?;
                }
                let mut evicted = Vec::new();
                if limit > 0 {
                    let held = self.held().await?;
                    let mut others: Vec<(String, u64)> = held
                        .iter()
                        .filter(|(k, h)| **k != key && h.expires > now)
                        .map(|(k, h)| (k.clone(), h.created))
                        .collect();
                    // The user's sessions in other objects (named under older keys) count too;
                    // the caller deletes those evicted there.
                    let elsewhere = req.headers().get("x-elsewhere")?.unwrap_or_default();
                    others.extend(
                        records::parse_elsewhere(&elsewhere).map(|(id, created)| (format!("{DO_PREFIX}{id}"), created)),
                    );
                    evicted = records::evictions(others, 1, limit);
                    let here: Vec<String> = evicted.iter().filter(|k| held.contains_key(*k)).cloned().collect();
                    if !here.is_empty() {
                        storage.delete_multiple(here).await?;
                    }
                }
                storage.put(&key, Held { created, expires, record }.encode()).await?;
                self.sweep(now).await?;
                let ids: Vec<&str> = evicted.iter().filter_map(|k| k.strip_prefix(DO_PREFIX)).collect();
                let headers = worker::Headers::new();
                headers.set("x-evicted", &ids.join(","))?;
                Ok(Response::ok("stored")?.with_headers(headers))
            }
            (Method::Delete, "/delete") => {
                let Some(key) = id_key(query, "id") else { return Response::error("bad id", 400) };
                if !self.generation_holds(query).await? {
                    return Response::error("logged out since the session was read", 409);
                }
                storage.delete(&key).await?;
                self.sweep(now).await?;
                Response::ok("deleted")
            }
            (Method::Get, "/list") => {
                let mut out = String::new();
                for (k, h) in self.held().await?.into_iter().filter(|(_, h)| h.expires > now) {
                    if let Some(id) = k.strip_prefix(DO_PREFIX) {
                        out.push_str(&format!("{id} {}\n", h.created));
                    }
                }
                Response::ok(out)
            }
            (Method::Post, "/clear") => {
                let n = self.held().await?.values().filter(|h| h.expires > now).count();
                // The next generation first: a write read under the old one is refused from here on.
                let next = self.generation().await?.saturating_add(1);
                storage.put(GENERATION_KEY, next.to_string()).await?;
                self.empty().await?;
                Response::ok(n.to_string())
            }
            (Method::Get, "/stats") => {
                let held = self.held().await?;
                let live = held.values().filter(|h| h.expires > now).count();
                let alarm = storage.get_alarm().await?.unwrap_or(0);
                Response::ok(format!("{} {live} {alarm}", held.len()))
            }
            _ => Response::error("not found", 404),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        self.sweep(now_ms()).await?;
        Response::ok("swept")
    }
}
