//! The Worker's configuration from `wrangler.toml` `[vars]` and the `SESSION_KEYS` secret.
//! Pure parsing (no Workers types), so it is tested natively.

use core::fmt;

use edge_session::option_table::{Kind, OPTIONS, OptionSpec, OptionValue, Spelling};
use edge_session::{ConfigError, Format, Options, SessionManager};

use crate::events::LogWrites;
use edge_session::store::StoreSessions;
use edge_session::store::{self as records, HASH_KEY_LABEL, HashKey, MAX_SESSIONS_LIMIT};

/// The Worker's own variables; the session's options have theirs in the core's table.
const WORKER_VARS: [&str; 11] = [
    "SESSION_LOG_WRITES",
    "SESSION_REVOCATION_KV",
    "SESSION_USER_KEY",
    "SESSION_REVOCATION_CACHE",
    "SESSION_STORE",
    "SESSION_STORE_BINDING",
    "SESSION_MAX_SESSIONS",
    "SESSION_ADMIN_TOKEN",
    "SESSION_ALLOW_HTTP_ORIGIN",
    "SESSION_DEMO",
    "ORIGIN",
];

/// Every variable the Worker reads: the session options' (after Apache's directives, from the
/// core's table), then its own.
pub(crate) fn vars() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().map(|s| s.env).filter(|env| !env.is_empty()).chain(WORKER_VARS)
}

/// Shortest admin token accepted (it guards the metrics and "log out everywhere").
pub(crate) const MIN_ADMIN_TOKEN_CHARS: usize = 32;

/// A configuration the Worker cannot start with.
#[derive(Debug)]
pub(crate) enum WorkerConfigError {
    /// A variable has a value that cannot be used.
    Invalid { var: &'static str, reason: String },
    /// The session options are refused.
    Session(ConfigError),
}

impl fmt::Display for WorkerConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid { var, reason } => write!(f, "{var}: {reason}"),
            Self::Session(ConfigError::NoKeys) => f.write_str(
                "SESSION_KEYS is not set: run `npx edge-session keygen` and store the key with \
                 `wrangler secret put SESSION_KEYS` (or in .dev.vars for local runs)",
            ),
            // The option's variable, then what is wrong: the core's message in the Worker's spelling.
            Self::Session(e) => f.write_str(&e.message(Spelling::Env)),
        }
    }
}

/// Where the records are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Backend {
    /// A KV namespace binding: eventually consistent, for read-heavy sessions.
    Kv { binding: String },
    /// A Durable Object namespace binding: strongly consistent; at most `max_sessions` per user
    /// (0: no limit), the oldest evicted first.
    Durable { binding: String, max_sessions: usize },
}

/// What the Worker runs with.
#[derive(Debug)]
pub(crate) struct WorkerConfig {
    pub(crate) manager: SessionManager,
    /// The origin's base URL; `None` serves the embedded demo origin (only with `SESSION_DEMO`).
    pub(crate) origin: Option<String>,
    /// `ORIGIN`'s `host[:port]`, as the origin receives it in `Host`.
    pub(crate) origin_authority: Option<String>,
    /// Stateless revocation, when a KV namespace is named.
    pub(crate) revocation: Option<Revocation>,
    /// The server-side store (`None`: the session lives in the cookie), with its token manager.
    pub(crate) store: Option<(Backend, StoreSessions)>,
    /// The secret that keys log hashes and Durable Object names (the sealed format only), from
    /// the current key.
    pub(crate) hash_key: Option<HashKey>,
    /// The same secret from each older key of the ring: a user's sessions made before a key
    /// rotation live in the objects these name, until they move on their next write.
    pub(crate) older_hash_keys: Vec<HashKey>,
    /// The session key that names the user (revocation, Durable Object homes).
    pub(crate) user_key: String,
    /// The bearer token of the admin endpoints (`None`: they are off).
    pub(crate) admin_token: Option<AdminToken>,
    /// Which writes (created, renewed, rotated) are logged as well as counted
    /// (`SESSION_LOG_WRITES`: `created` by default; the other events are always logged).
    pub(crate) log_writes: LogWrites,
}

impl WorkerConfig {
    /// Every Durable Object that may hold `user`'s sessions: the one named under the current key
    /// first, then those named under older keys (sessions from before a rotation), distinct.
    pub(crate) fn user_homes(&self, user: &str) -> Vec<String> {
        let mut homes: Vec<String> = Vec::new();
        for key in self.hash_key.iter().chain(&self.older_hash_keys) {
            let home = records::user_home(key, user);
            if !homes.contains(&home) {
                homes.push(home);
            }
        }
        homes
    }
}

/// The admin endpoints' bearer token. Redacted in `Debug`; compared in constant time.
pub(crate) struct AdminToken(String);

impl AdminToken {
    /// Whether an `Authorization` header value carries this token.
    pub(crate) fn accepts(&self, authorization: Option<&str>) -> bool {
        use subtle::ConstantTimeEq;
        let given = authorization.and_then(|a| a.strip_prefix("Bearer ")).unwrap_or_default();
        // Lengths may differ: ct_eq is then false without comparing (the length is not secret).
        given.as_bytes().ct_eq(self.0.as_bytes()).into()
    }
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken([redacted])")
    }
}

/// Where and how revocations are looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Revocation {
    /// The KV namespace binding that holds the not-before times.
    pub(crate) binding: String,
    /// The session key that names the user.
    pub(crate) user_key: String,
    /// How long a looked-up value is trusted, in seconds.
    pub(crate) cache_seconds: u64,
}

fn seconds(var: &'static str, v: &str) -> Result<u64, WorkerConfigError> {
    v.trim()
        .parse()
        .map_err(|_| WorkerConfigError::Invalid { var, reason: format!("not a whole number of seconds: \"{v}\"") })
}

fn list(v: &str) -> Vec<String> {
    v.split(|c: char| c.is_whitespace() || c == ',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

/// A true-or-false variable (unset: false).
fn flag_value(var: &'static str, v: Option<&str>) -> Result<bool, WorkerConfigError> {
    match v.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false" | "off" | "0" | "no") => Ok(false),
        Some("true" | "on" | "1" | "yes") => Ok(true),
        Some(other) => Err(WorkerConfigError::Invalid { var, reason: format!("\"{other}\" is not true or false") }),
    }
}

/// A variable's text read as its option's kind: lists split on spaces or commas (keys on white
/// space only, as a key never holds one), numbers in decimal, flags as true / false words.
fn value_of(spec: &OptionSpec, v: &str) -> Result<OptionValue, WorkerConfigError> {
    let var = spec.env;
    Ok(match spec.kind {
        Kind::Text | Kind::Choice(_) | Kind::Secret => OptionValue::Text(v.trim().to_owned()),
        Kind::Secrets => OptionValue::Texts(v.split_whitespace().map(str::to_owned).collect()),
        Kind::Texts => OptionValue::Texts(list(v)),
        Kind::Seconds | Kind::Count { .. } => {
            OptionValue::Number(v.trim().parse().map_err(|_| WorkerConfigError::Invalid {
                var,
                reason: format!("must be {}, not \"{}\"", spec.kind.describe(), v.trim()),
            })?)
        }
        Kind::Flag => OptionValue::Flag(flag_value(var, Some(v))?),
        _ => return Err(WorkerConfigError::Invalid { var, reason: "this kind of variable is not read here".into() }),
    })
}

/// Reads the configuration through `get` (an unset or empty variable takes its default).
/// `parse_url` is the platform's WHATWG URL parser (see [`ParsedOrigin`]).
pub(crate) fn parse(
    get: impl Fn(&str) -> Option<String>,
    parse_url: impl Fn(&str) -> Option<ParsedOrigin>,
) -> Result<WorkerConfig, WorkerConfigError> {
    let var = |name: &str| get(name).filter(|v| !v.trim().is_empty());
    // The session's own options, by the core's table: each variable read as its kind says.
    let mut o = Options::default();
    for spec in OPTIONS.iter().filter(|s| !s.env.is_empty()) {
        if let Some(v) = var(spec.env) {
            o.set(spec.opt, value_of(spec, &v)?).map_err(WorkerConfigError::Session)?;
        }
    }
    let flag = |name: &'static str| flag_value(name, var(name).as_deref());
    let origin = var("ORIGIN").map(|v| v.trim().trim_end_matches('/').to_owned());
    let user_key = var("SESSION_USER_KEY").map_or_else(|| "user".to_owned(), |v| v.trim().to_owned());
    let revocation = match var("SESSION_REVOCATION_KV") {
        None => None,
        Some(binding) => {
            if o.format != Format::Sealed {
                return Err(WorkerConfigError::Invalid {
                    var: "SESSION_REVOCATION_KV",
                    reason: "revocation needs the sealed format (it carries the issue time)".into(),
                });
            }
            let cache_seconds = match var("SESSION_REVOCATION_CACHE") {
                None => 5,
                Some(v) => seconds("SESSION_REVOCATION_CACHE", &v)?,
            };
            if cache_seconds > 300 {
                return Err(WorkerConfigError::Invalid {
                    var: "SESSION_REVOCATION_CACHE",
                    reason: "at most 300 seconds (a revocation waits that long at most)".into(),
                });
            }
            Some(Revocation { binding: binding.trim().to_owned(), user_key: user_key.clone(), cache_seconds })
        }
    };
    let store = match var("SESSION_STORE").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("cookie") => None,
        Some(kind @ ("kv" | "durable-object")) => {
            let invalid = |reason: &str| WorkerConfigError::Invalid { var: "SESSION_STORE", reason: reason.into() };
            if o.format != Format::Sealed {
                return Err(invalid("a server-side store needs the sealed format (the cookie is a sealed id)"));
            }
            if o.max_age == 0 && o.max_lifetime == 0 {
                return Err(invalid(
                    "a server-side store needs SESSION_MAX_AGE or SESSION_MAX_LIFETIME (records must expire)",
                ));
            }
            let binding = var("SESSION_STORE_BINDING").map(|v| v.trim().to_owned());
            let max_sessions = match var("SESSION_MAX_SESSIONS") {
                None => 0,
                Some(v) => v.trim().parse::<usize>().ok().filter(|n| *n <= MAX_SESSIONS_LIMIT).ok_or_else(|| {
                    WorkerConfigError::Invalid {
                        var: "SESSION_MAX_SESSIONS",
                        reason: format!("not a whole number from 0 (no limit) to {MAX_SESSIONS_LIMIT}: \"{v}\""),
                    }
                })?,
            };
            if kind == "kv" {
                if max_sessions > 0 {
                    return Err(WorkerConfigError::Invalid {
                        var: "SESSION_MAX_SESSIONS",
                        reason: "a concurrent-session limit needs SESSION_STORE = \"durable-object\" (KV is eventually consistent)".into(),
                    });
                }
                Some(Backend::Kv { binding: binding.unwrap_or_else(|| "SESSIONS".into()) })
            } else {
                Some(Backend::Durable { binding: binding.unwrap_or_else(|| "SESSIONS".into()), max_sessions })
            }
        }
        Some(other) => {
            return Err(WorkerConfigError::Invalid {
                var: "SESSION_STORE",
                reason: format!("\"{other}\" is not cookie, kv or durable-object"),
            });
        }
    };
    let admin_token = match var("SESSION_ADMIN_TOKEN") {
        None => None,
        Some(t) if t.trim().chars().count() < MIN_ADMIN_TOKEN_CHARS => {
            return Err(WorkerConfigError::Invalid {
                var: "SESSION_ADMIN_TOKEN",
                reason: format!("too short: at least {MIN_ADMIN_TOKEN_CHARS} characters (run `edge-session keygen`)"),
            });
        }
        Some(t) => Some(AdminToken(t.trim().to_owned())),
    };
    let manager = SessionManager::new(o).map_err(|e| match e {
        ConfigError::OriginSecret(k) => WorkerConfigError::Invalid {
            var: "SESSION_ORIGIN_SECRET",
            reason: format!("{k} (it is a secret: `wrangler secret put SESSION_ORIGIN_SECRET`)"),
        },
        e => WorkerConfigError::Session(e),
    })?;
    // Where requests go: checked once the keys are (a Worker with nothing set hears of its key first).
    let demo = flag("SESSION_DEMO")?;
    let origin_authority = match (&origin, demo) {
        (Some(o), false) => Some(check_origin(parse_url(o), flag("SESSION_ALLOW_HTTP_ORIGIN")?)?),
        (None, true) => None,
        (Some(_), true) => {
            return Err(WorkerConfigError::Invalid {
                var: "SESSION_DEMO",
                reason: "the demo origin is served only without ORIGIN: set one of them".into(),
            });
        }
        (None, false) => {
            return Err(WorkerConfigError::Invalid {
                var: "ORIGIN",
                reason:
                    "not set: set ORIGIN to your origin's URL (https://…), or SESSION_DEMO = \"true\" to serve the \
                         embedded demo origin, whose /login?user=NAME logs anyone in as anyone (never in production)"
                        .into(),
            });
        }
    };
    let store = match store {
        None => None,
        Some(backend) => Some((backend, StoreSessions::new(manager.options()).map_err(WorkerConfigError::Session)?)),
    };
    let mut hash_keys = manager.derive_secrets(HASH_KEY_LABEL).iter().map(HashKey::new).collect::<Vec<_>>().into_iter();
    let hash_key = hash_keys.next();
    let older_hash_keys = hash_keys.collect();
    let log_writes =
        LogWrites::parse(var("SESSION_LOG_WRITES").as_deref()).ok_or_else(|| WorkerConfigError::Invalid {
            var: "SESSION_LOG_WRITES",
            reason: "must be \"created\" (the default), \"all\" or \"none\"".into(),
        })?;
    Ok(WorkerConfig {
        manager,
        origin,
        origin_authority,
        revocation,
        store,
        hash_key,
        older_hash_keys,
        user_key,
        admin_token,
        log_writes,
    })
}

/// The path and query of a request's URL as the platform serialises it (WHATWG; `http`/`https`
/// URLs always have a path after the host), without parsing it again: the path from the first `/`
/// after `://` up to `?` or `#`, the query after `?` (possibly empty) up to `#`. The same strings
/// as `url::Url::path` and `query` on such a URL.
pub(crate) fn split_url(href: &str) -> (&str, Option<&str>) {
    let after_scheme = href.find("://").map_or(0, |i| i + 3);
    let rest = href.get(after_scheme..).unwrap_or_default();
    let rest = rest.find(['/', '?', '#']).and_then(|i| rest.get(i..)).unwrap_or_default();
    let rest = rest.split_once('#').map_or(rest, |(r, _)| r);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    (if path.is_empty() { "/" } else { path }, query)
}

/// The path and query the origin receives (what the origin signature covers): `ORIGIN`'s own
/// path, if it has one, then the request's path and query.
pub(crate) fn origin_target(origin: Option<&str>, path: &str, query: Option<&str>) -> String {
    let base = origin
        .and_then(|o| o.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').and_then(|i| rest.get(i..)))
        .unwrap_or_default();
    match query {
        Some(q) => format!("{base}{path}?{q}"),
        None => format!("{base}{path}"),
    }
}

/// `ORIGIN` as a WHATWG URL parser reads it: workerd's own `URL` in the Worker (the parser `fetch`
/// itself uses, so the host decided on here is the host requests go to), the `url` crate in the
/// native tests. The host and port are as the parser serialises them (lowercase, IPv4 in dotted
/// decimal, IPv6 in brackets, a scheme's default port left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParsedOrigin {
    /// Without the colon: `https`.
    pub(crate) scheme: String,
    pub(crate) host: String,
    /// Empty for the scheme's default port.
    pub(crate) port: String,
    /// A user name or password before the host.
    pub(crate) credentials: bool,
    /// A query or fragment.
    pub(crate) query_or_fragment: bool,
}

impl ParsedOrigin {
    /// `host[:port]`: what the origin receives as `Host`, and what the origin signature binds.
    pub(crate) fn authority(&self) -> String {
        if self.port.is_empty() { self.host.clone() } else { format!("{}:{}", self.host, self.port) }
    }

    /// Whether the host is a loopback one: `localhost`, 127.0.0.0/8 or `[::1]`.
    fn is_loopback(&self) -> bool {
        let host = self.host.as_str();
        if host == "localhost" {
            return true;
        }
        if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            return v6.parse::<std::net::Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
        }
        host.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
    }
}

/// `ORIGIN` is an `https://` URL: the plain session (and, signed or not, who the user is) crosses
/// the network to it. `http://` only to a loopback host, or with `SESSION_ALLOW_HTTP_ORIGIN`. The
/// host is decided on as the URL parser reads it: `http://127.0.0.1:1@host` names `host`, not a
/// loopback address. A base URL has no credentials, query or fragment. Returns the authority.
fn check_origin(parsed: Option<ParsedOrigin>, allow_http: bool) -> Result<String, WorkerConfigError> {
    let invalid = |reason: &str| WorkerConfigError::Invalid { var: "ORIGIN", reason: reason.into() };
    let url = parsed.ok_or_else(|| invalid("not a URL: give the origin's base URL, https://…"))?;
    if url.credentials {
        return Err(invalid("must not hold credentials (user:password@): give the origin's own URL"));
    }
    if url.query_or_fragment {
        return Err(invalid("must not hold a query or fragment: it is a base URL the request's path is added to"));
    }
    match url.scheme.as_str() {
        "https" => return Ok(url.authority()),
        "http" => {}
        _ => return Err(invalid("must be an https:// URL")),
    }
    if url.is_loopback() || allow_http {
        return Ok(url.authority());
    }
    Err(invalid(
        "must be an https:// URL: the session crosses the network in clear over http (loopback hosts are allowed; \
         set SESSION_ALLOW_HTTP_ORIGIN = \"true\" for a private network you trust)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// What workerd's `URL` gives, from the `url` crate (the same WHATWG rules).
    fn whatwg(s: &str) -> Option<ParsedOrigin> {
        let u = url::Url::parse(s).ok()?;
        Some(ParsedOrigin {
            scheme: u.scheme().to_owned(),
            host: u.host_str().unwrap_or_default().to_owned(),
            port: u.port().map(|p| p.to_string()).unwrap_or_default(),
            credentials: !u.username().is_empty() || u.password().is_some(),
            query_or_fragment: u.query().is_some() || u.fragment().is_some(),
        })
    }

    /// The configuration of exactly these variables.
    fn parse_exactly(pairs: &[(&str, &str)]) -> Result<WorkerConfig, WorkerConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        parse(|k| map.get(k).cloned(), whatwg)
    }

    /// The configuration of these variables, serving the demo origin when they name no origin.
    fn parse_map(pairs: &[(&str, &str)]) -> Result<WorkerConfig, WorkerConfigError> {
        let mut v = pairs.to_vec();
        if !pairs.iter().any(|(k, _)| *k == "ORIGIN" || *k == "SESSION_DEMO") {
            v.push(("SESSION_DEMO", "true"));
        }
        parse_exactly(&v)
    }

    #[test]
    fn defaults_need_only_a_key_and_an_origin() {
        let key = edge_session::generate_key().unwrap();
        let c = parse_map(&[("SESSION_KEYS", &key), ("SESSION_DEMO", "true")]).unwrap();
        assert_eq!(c.manager.options().env_header, "X-Session");
        assert!(!c.manager.options().cookie_remove);
        assert_eq!(c.origin, None);
        assert_eq!(c.manager.options().header, "X-Replace-Session");
        assert_eq!(c.log_writes, LogWrites::Created);
        assert_eq!(c.manager.options().open_cache, edge_session::limits::DEFAULT_OPEN_CACHE);
        let bad = parse_map(&[("SESSION_KEYS", &key), ("SESSION_DEMO", "true"), ("SESSION_LOG_WRITES", "sometimes")]);
        assert!(bad.err().is_some_and(|e| e.to_string().contains("SESSION_LOG_WRITES")));
    }

    /// The demo origin logs anyone in as anyone: never served by accident. Without ORIGIN and
    /// without SESSION_DEMO the Worker refuses to start, naming both.
    #[test]
    fn the_demo_origin_only_when_asked_for() {
        let key = edge_session::generate_key().unwrap();
        let e = parse_exactly(&[("SESSION_KEYS", &key)]).unwrap_err().to_string();
        assert!(e.starts_with("ORIGIN: not set") && e.contains("SESSION_DEMO"), "{e}");
        let e = parse_exactly(&[("SESSION_KEYS", &key), ("SESSION_DEMO", "false")]).unwrap_err().to_string();
        assert!(e.starts_with("ORIGIN: not set"), "{e}");
        let both = [("SESSION_KEYS", key.as_str()), ("SESSION_DEMO", "true"), ("ORIGIN", "https://app.example")];
        assert!(parse_map(&both).unwrap_err().to_string().starts_with("SESSION_DEMO: "));
        let origin = parse_map(&[("SESSION_KEYS", &key), ("ORIGIN", "https://App.Example:443/base/")]).unwrap();
        assert_eq!(origin.origin.as_deref(), Some("https://App.Example:443/base"));
        assert_eq!(origin.origin_authority.as_deref(), Some("app.example"), "as the Host header names it");
        let port = parse_map(&[("SESSION_KEYS", &key), ("ORIGIN", "http://127.1:8080")]).unwrap();
        assert_eq!(port.origin_authority.as_deref(), Some("127.0.0.1:8080"));
        let demo = parse_map(&[("SESSION_KEYS", &key)]).unwrap();
        assert_eq!(demo.origin_authority, None);
    }

    #[test]
    fn missing_key_is_a_clear_startup_error() {
        let e = parse_exactly(&[]).unwrap_err().to_string();
        assert!(e.contains("SESSION_KEYS is not set") && e.contains("keygen"), "{e}");
        let e = parse_map(&[("SESSION_KEYS", "short")]).unwrap_err().to_string();
        assert!(e.starts_with("SESSION_KEYS: key #0: key too short"), "{e}");
        assert!(!e.contains("short\""), "the key is not echoed: {e}");
    }

    #[test]
    fn every_var() {
        let (a, b) = (edge_session::generate_key().unwrap(), edge_session::generate_key().unwrap());
        let c = parse_map(&[
            ("SESSION_KEYS", &format!(" {a}\n{b} ")),
            ("SESSION_COOKIE_NAME", "__Host-sid"),
            ("SESSION_COOKIE_ATTRIBUTES", "Path=/; Secure; HttpOnly; SameSite=Strict"),
            ("SESSION_MAX_AGE", "600"),
            ("SESSION_MAX_LIFETIME", "86400"),
            ("SESSION_EXPIRY_UPDATE_INTERVAL", "60"),
            ("SESSION_HEADER", "X-Set-Session"),
            ("SESSION_ENV_HEADER", "X-Edge-Session"),
            ("SESSION_INCLUDE", "/app, /api"),
            ("SESSION_EXCLUDE", "/app/static"),
            ("SESSION_COOKIE_REMOVE", "On"),
            ("SESSION_MAX_CHUNKS", "8"),
            ("SESSION_OPEN_CACHE", "0"),
            ("SESSION_LOG_WRITES", "none"),
            ("ORIGIN", "https://origin.example/"),
        ])
        .unwrap();
        assert_eq!(c.log_writes, LogWrites::Nothing);
        let o = c.manager.options();
        assert_eq!(o.open_cache, 0);
        assert_eq!(o.keys.len(), 2);
        assert_eq!((o.max_age, o.max_lifetime, o.expiry_update_interval), (600, 86400, 60));
        assert_eq!(o.include, vec!["/app", "/api"]);
        assert_eq!(o.env_header, "X-Edge-Session");
        assert!(o.cookie_remove);
        assert_eq!(o.max_chunks, 8);
        assert_eq!(c.origin.as_deref(), Some("https://origin.example"));
    }

    #[test]
    fn bad_values_name_their_variable() {
        let key = edge_session::generate_key().unwrap();
        for (var, value) in [
            ("SESSION_MAX_AGE", "ten"),
            ("SESSION_FORMAT", "rot13"),
            ("SESSION_COOKIE_REMOVE", "maybe"),
            ("ORIGIN", "ftp://x"),
            ("SESSION_ENV_HEADER", "X-Replace-Session"),
            ("SESSION_MAX_AGE", "99999999999999"),
            ("SESSION_MAX_LIFETIME", "-1"),
            ("SESSION_COOKIE_ATTRIBUTES", "Path=/; Max-Age=5"),
            ("SESSION_HEADER", "bad header"),
            ("SESSION_INCLUDE", "app"),
            ("SESSION_MAX_CHUNKS", "0"),
            ("SESSION_OPEN_CACHE_BYTES", "999999999999"),
            ("SESSION_CIPHER", "des"),
            ("SESSION_HEADER", "Cookie"),
            ("SESSION_ENV_HEADER", "authorization"),
            ("SESSION_COOKIE_ATTRIBUTES", "Path=/; Partitioned"),
        ] {
            let e = parse_map(&[("SESSION_KEYS", &key), (var, value)]).unwrap_err().to_string();
            assert!(e.starts_with(&format!("{var}: ")), "{var}={value}: {e}");
            // In the Worker's own names: no Rust field or JavaScript key in the message.
            for spec in edge_session::option_table::OPTIONS.iter().filter(|s| !s.env.is_empty() && s.rust.contains('_'))
            {
                assert!(!e.contains(spec.rust) && !e.contains(spec.js), "{var}={value}: {e}");
            }
        }
    }

    /// The core's option table is what the Worker reads: every option that has a variable is one
    /// of `vars()`, read as its kind says; no variable of the Worker's own is also an option's.
    #[test]
    fn every_option_of_the_table_is_a_variable() {
        for spec in edge_session::option_table::OPTIONS.iter().filter(|s| !s.env.is_empty()) {
            assert!(vars().any(|v| v == spec.env), "{} is not read", spec.env);
        }
        let all: Vec<&str> = vars().collect();
        assert_eq!(all.len(), all.iter().collect::<std::collections::HashSet<_>>().len(), "{all:?}");
        let key = edge_session::generate_key().unwrap();
        let set = |var: &'static str, value: &'static str| parse_map(&[("SESSION_KEYS", &key), (var, value)]).unwrap();
        assert_eq!(set("SESSION_OPEN_CACHE_BYTES", "65536").manager.options().open_cache_bytes, 65536);
        assert_eq!(set("SESSION_COOKIE_NAME", " sid ").manager.options().cookie_name, "sid");
        assert_eq!(set("SESSION_EXCLUDE", "/a,/b /c").manager.options().exclude, ["/a", "/b", "/c"]);
    }

    /// The expected values are what `url::Url::path` / `query` give for the same URLs (checked
    /// with the url crate, which workers-rs uses, when this was written).
    #[test]
    fn urls_split_as_the_url_crate_splits_them() {
        for (href, path, query) in [
            ("https://example.com/", "/", None),
            ("https://example.com/a/b?x=1&y=%20#frag", "/a/b", Some("x=1&y=%20")),
            ("http://user:pw@127.0.0.1:8787/__edge-session/metrics", "/__edge-session/metrics", None),
            ("https://example.com/?", "/", Some("")),
            ("https://example.com/a?#", "/a", Some("")),
            ("https://example.com/a%3Fb?q=/c?d", "/a%3Fb", Some("q=/c?d")),
            ("https://example.com", "/", None),
            ("https://example.com?x", "/", Some("x")),
            ("https://example.com#f?x", "/", None),
            ("https://[::1]:8080/p?q", "/p", Some("q")),
        ] {
            assert_eq!(split_url(href), (path, query), "{href}");
        }
    }

    #[test]
    fn the_signed_target_is_what_the_origin_receives() {
        assert_eq!(origin_target(None, "/a", Some("x=1")), "/a?x=1");
        assert_eq!(origin_target(Some("https://o.example"), "/a", None), "/a");
        assert_eq!(origin_target(Some("https://o.example/base"), "/a%20b", Some("q")), "/base/a%20b?q");
    }

    #[test]
    fn origin_secret_is_a_long_secret() {
        let key = edge_session::generate_key().unwrap();
        let e = parse_map(&[("SESSION_KEYS", &key), ("SESSION_ORIGIN_SECRET", "hunter2")]).unwrap_err().to_string();
        assert!(e.starts_with("SESSION_ORIGIN_SECRET: key too short") && !e.contains("hunter2"), "{e}");
        let c = parse_map(&[
            ("SESSION_KEYS", &key),
            ("SESSION_ORIGIN_SECRET", "an origin secret of 32 characters or more"),
        ]);
        assert!(c.unwrap().manager.options().origin_secret.starts_with("an origin"));
    }

    #[test]
    fn a_user_has_a_home_under_every_key_of_the_ring() {
        let (new, old) = (edge_session::generate_key().unwrap(), edge_session::generate_key().unwrap());
        let before = parse_map(&[("SESSION_KEYS", &old)]).unwrap().user_homes("alice");
        let after = parse_map(&[("SESSION_KEYS", &format!("{new} {old}"))]).unwrap().user_homes("alice");
        assert_eq!(before.len(), 1);
        assert_eq!(after.len(), 2);
        assert_eq!(after[1], before[0], "the home named under the old key is still reached");
        assert_ne!(after[0], before[0], "new sessions go to the current key's home");
    }

    #[test]
    fn origin_is_https_unless_loopback_or_allowed() {
        let key = edge_session::generate_key().unwrap();
        for ok in [
            "https://app.example",
            "http://127.0.0.1:8080",
            "http://localhost",
            "http://[::1]:9000/x",
            "http://127.5.0.1",
        ] {
            assert!(parse_map(&[("SESSION_KEYS", &key), ("ORIGIN", ok)]).is_ok(), "{ok}");
        }
        for bad in [
            "http://app.example",
            "http://10.0.0.2:8080",
            "http://127.0.0.1.evil.example",
            "http://[::2]",
            // The host is what follows the credentials: not a loopback address.
            "http://127.0.0.1:1@app.example",
            "http://localhost@app.example",
            "http://[::1]:80@app.example",
        ] {
            let e = parse_map(&[("SESSION_KEYS", &key), ("ORIGIN", bad)]).unwrap_err().to_string();
            let why = if bad.contains('@') { "credentials" } else { "SESSION_ALLOW_HTTP_ORIGIN" };
            assert!(e.starts_with("ORIGIN: must") && e.contains(why), "{bad}: {e}");
            if !bad.contains('@') {
                let allowed = [("SESSION_KEYS", key.as_str()), ("ORIGIN", bad), ("SESSION_ALLOW_HTTP_ORIGIN", "true")];
                assert!(parse_map(&allowed).is_ok(), "{bad}");
            }
        }
        for (bad, why) in [
            ("https://user:pw@app.example", "credentials"),
            ("http://127.0.0.1:1@app.example", "credentials"),
            ("https://app.example/?a=1", "query"),
            ("https://app.example/#x", "query or fragment"),
            ("app.example", "not a URL"),
            ("https://", "not a URL"),
            ("ftp://app.example", "https://"),
        ] {
            let e = parse_map(&[("SESSION_KEYS", &key), ("ORIGIN", bad), ("SESSION_ALLOW_HTTP_ORIGIN", "true")])
                .unwrap_err()
                .to_string();
            assert!(e.starts_with("ORIGIN: ") && e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn weak_passphrases_only_by_opt_in_and_only_for_apache() {
        let apache =
            [("SESSION_FORMAT", "apache"), ("SESSION_KEYS", "a strong passphrase for the apache format, 2026 secret")];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut v = apache.to_vec();
            v.extend_from_slice(extra);
            parse_map(&v)
        };
        let e = with(&[("SESSION_KEYS", "secret")]).unwrap_err().to_string();
        assert!(e.starts_with("SESSION_KEYS: key #0: key too short"), "{e}");
        let c = with(&[("SESSION_KEYS", "secret"), ("SESSION_ALLOW_WEAK_PASSPHRASES", "true")]).unwrap();
        assert_eq!(c.manager.weak_keys(), [0]);
        let key = edge_session::generate_key().unwrap();
        let e =
            parse_map(&[("SESSION_KEYS", &key), ("SESSION_ALLOW_WEAK_PASSPHRASES", "true")]).unwrap_err().to_string();
        assert!(e.starts_with("SESSION_ALLOW_WEAK_PASSPHRASES: is for the apache format only"), "{e}");
    }

    #[test]
    fn plain_format_needs_no_key() {
        assert!(parse_map(&[("SESSION_FORMAT", "plain")]).is_ok());
    }

    #[test]
    fn store_settings() {
        let key = edge_session::generate_key().unwrap();
        let k = key.as_str();
        assert!(parse_map(&[("SESSION_KEYS", k)]).unwrap().store.is_none(), "the cookie by default");
        let c = parse_map(&[("SESSION_KEYS", k), ("SESSION_STORE", "kv"), ("SESSION_MAX_AGE", "60")]).unwrap();
        assert_eq!(c.store.map(|s| s.0), Some(Backend::Kv { binding: "SESSIONS".into() }));
        let c = parse_map(&[
            ("SESSION_KEYS", k),
            ("SESSION_STORE", "durable-object"),
            ("SESSION_STORE_BINDING", "STORE"),
            ("SESSION_MAX_SESSIONS", "3"),
            ("SESSION_MAX_LIFETIME", "86400"),
        ])
        .unwrap();
        assert_eq!(c.store.map(|s| s.0), Some(Backend::Durable { binding: "STORE".into(), max_sessions: 3 }));
        for bad in [
            vec![("SESSION_KEYS", k), ("SESSION_STORE", "redis")],
            vec![("SESSION_FORMAT", "plain"), ("SESSION_STORE", "kv")],
            vec![("SESSION_KEYS", k), ("SESSION_STORE", "kv"), ("SESSION_MAX_AGE", "0"), ("SESSION_MAX_LIFETIME", "0")],
            vec![
                ("SESSION_KEYS", k),
                ("SESSION_STORE", "kv"),
                ("SESSION_MAX_AGE", "60"),
                ("SESSION_MAX_SESSIONS", "2"),
            ],
            vec![
                ("SESSION_KEYS", k),
                ("SESSION_STORE", "durable-object"),
                ("SESSION_MAX_AGE", "60"),
                ("SESSION_MAX_SESSIONS", "-1"),
            ],
            vec![
                ("SESSION_KEYS", k),
                ("SESSION_STORE", "durable-object"),
                ("SESSION_MAX_AGE", "60"),
                ("SESSION_MAX_SESSIONS", "1001"),
            ],
        ] {
            let e = parse_map(&bad).unwrap_err().to_string();
            assert!(e.starts_with("SESSION_STORE") || e.starts_with("SESSION_MAX_SESSIONS"), "{e}");
        }
    }

    #[test]
    fn admin_token_is_long_redacted_and_compared_whole() {
        let key = edge_session::generate_key().unwrap();
        let e = parse_map(&[("SESSION_KEYS", &key), ("SESSION_ADMIN_TOKEN", "short")]).unwrap_err().to_string();
        assert!(e.starts_with("SESSION_ADMIN_TOKEN: too short") && !e.contains("\"short\""), "{e}");
        let token = edge_session::generate_key().unwrap();
        let c = parse_map(&[("SESSION_KEYS", &key), ("SESSION_ADMIN_TOKEN", &token)]).unwrap();
        let t = c.admin_token.as_ref().unwrap();
        assert!(t.accepts(Some(&format!("Bearer {token}"))));
        for bad in [None, Some(token.as_str()), Some("Bearer "), Some(&format!("Bearer {}", &token[..43]))] {
            assert!(!t.accepts(bad), "{bad:?}");
        }
        let debug = format!("{c:?}");
        assert!(!debug.contains(&token) && !debug.contains(&key) && debug.contains("AdminToken([redacted])"));
    }

    #[test]
    fn revocation_settings() {
        let key = edge_session::generate_key().unwrap();
        let c = parse_map(&[("SESSION_KEYS", &key)]).unwrap();
        assert_eq!(c.revocation, None, "off unless a KV namespace is named");
        let c = parse_map(&[("SESSION_KEYS", &key), ("SESSION_REVOCATION_KV", "REVOCATIONS")]).unwrap();
        let want = Revocation { binding: "REVOCATIONS".into(), user_key: "user".into(), cache_seconds: 5 };
        assert_eq!(c.revocation, Some(want));
        let c = parse_map(&[
            ("SESSION_KEYS", &key),
            ("SESSION_REVOCATION_KV", "R"),
            ("SESSION_USER_KEY", "uid"),
            ("SESSION_REVOCATION_CACHE", "30"),
        ])
        .unwrap();
        assert_eq!(c.revocation.map(|r| (r.user_key, r.cache_seconds)), Some(("uid".into(), 30)));
        for bad in [
            vec![("SESSION_KEYS", key.as_str()), ("SESSION_REVOCATION_KV", "R"), ("SESSION_REVOCATION_CACHE", "301")],
            vec![("SESSION_KEYS", key.as_str()), ("SESSION_REVOCATION_KV", "R"), ("SESSION_REVOCATION_CACHE", "soon")],
            vec![("SESSION_FORMAT", "plain"), ("SESSION_REVOCATION_KV", "R")],
        ] {
            let e = parse_map(&bad).unwrap_err().to_string();
            assert!(e.starts_with("SESSION_REVOCATION_"), "{e}");
        }
    }
}
