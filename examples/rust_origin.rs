//! An origin written in Rust behind the edge-session front proxy (the Worker, or `handle`): it
//! checks `X-Session-Signature` and reads `X-Session` into a struct with the core's `serde`
//! feature, then answers, logging the user in or out through the SessionHeader.
//!
//! ```text
//! ORIGIN_SECRET=… cargo run --features serde --example rust_origin -- 127.0.0.1:8787
//! ```
//!
//! (std's TcpListener keeps the example free of a web framework; in axum or actix the handler is
//! the same three lines: read the headers, `read_origin_session`, answer.)

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::time::{SystemTime, UNIX_EPOCH};

use edge_session::signature::DEFAULT_TOLERANCE_SECS;
use edge_session::{TypedError, read_origin_session};
use serde::Deserialize;

/// What this application keeps in the session.
#[derive(Debug, Deserialize, PartialEq)]
struct Visit {
    user: Option<String>,
    #[serde(default)]
    visits: u32,
}

/// The answer to one request: status, SessionHeader update (if any), body.
fn answer(
    secret: &str,
    method: &str,
    host: &str,
    target: &str,
    headers: &[(String, String)],
    now_us: u64,
) -> (u16, Option<String>, String) {
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    let x_session = header("x-session").unwrap_or("");
    let visit: Visit = match read_origin_session(
        &[secret],
        header("x-session-signature"),
        method,
        host,
        target,
        x_session,
        now_us,
        DEFAULT_TOLERANCE_SECS,
    ) {
        Ok(v) => v,
        Err(TypedError::Signature(why)) => return (403, None, format!("not from the proxy: {why}\n")),
        Err(e) => return (400, None, format!("{e}\n")),
    };
    match target {
        "/login" => (200, Some("user=alice&visits.json=1&!regenerate=1".into()), "logged in\n".into()),
        "/logout" => (200, Some("!clear=1".into()), "bye\n".into()),
        _ => {
            let next = visit.visits + 1;
            let body = format!("{} visit {next}\n", visit.user.as_deref().unwrap_or("stranger"));
            (200, visit.user.is_some().then(|| format!("visits.json={next}")), body)
        }
    }
}

fn main() -> std::io::Result<()> {
    let addr = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:8787".into());
    let secret = std::env::var("ORIGIN_SECRET").map_err(|_| std::io::Error::other("set ORIGIN_SECRET"))?;
    let listener = TcpListener::bind(&addr)?;
    eprintln!("rust origin on http://{addr}");
    for stream in listener.incoming() {
        let mut stream = stream?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let mut parts = line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or("GET").to_owned(), parts.next().unwrap_or("/").to_owned());
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
                break;
            }
            if let Some((n, v)) = h.trim_end().split_once(':') {
                headers.push((n.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let host = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_micros() as u64).unwrap_or(0);
        let (status, update, body) = answer(&secret, &method, &host, &target, &headers, now);
        let update = update.map(|u| format!("X-Replace-Session: {u}\r\n")).unwrap_or_default();
        write!(
            stream,
            "HTTP/1.1 {status} OK\r\ncontent-type: text/plain\r\n{update}content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use edge_session::proxy::HeaderOp;
    use edge_session::{Options, SessionManager};

    const SECRET: &str = "an origin secret of at least 32 characters";
    const NOW: u64 = 1_800_000_000_000_000;

    /// The headers the front proxy sends the origin for a request carrying `cookie`: the core's own
    /// request plan, as the Worker and `handle` execute it.
    fn proxied(m: &SessionManager, target: &str, cookie: Option<&str>, now: u64) -> Vec<(String, String)> {
        let sent: Vec<(&str, &str)> =
            cookie.map(|c| ("cookie", c)).into_iter().chain([("x-session", "user=mallory")]).collect();
        let plan = m.plan_request("GET", "app.example", target, &sent, now);
        let mut headers: Vec<(String, String)> = sent.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        for op in plan.headers {
            match op {
                HeaderOp::Delete(n) => headers.retain(|(h, _)| !h.eq_ignore_ascii_case(&n)),
                HeaderOp::Set(n, v) => {
                    headers.retain(|(h, _)| !h.eq_ignore_ascii_case(&n));
                    headers.push((n, v));
                }
                HeaderOp::Append(n, v) => headers.push((n, v)),
                _ => {}
            }
        }
        headers
    }

    #[test]
    fn a_rust_origin_reads_the_signed_session_into_a_struct() {
        let mut o = Options::default();
        o.keys = vec![edge_session::generate_key().unwrap()];
        o.origin_secret = SECRET.into();
        let m = SessionManager::new(o).unwrap();
        let mut s = m.load(None, NOW);
        s.apply_update("user=alice&visits.json=4").unwrap();
        let cookie = m.save(&mut s, NOW).unwrap().unwrap();
        let cookie = cookie.split(';').next().unwrap();

        let headers = proxied(&m, "/", Some(cookie), NOW);
        let (status, update, body) = answer(SECRET, "GET", "app.example", "/", &headers, NOW);
        assert_eq!((status, body.as_str()), (200, "alice visit 5\n"));
        assert_eq!(update.as_deref(), Some("visits.json=5"));
        // The origin's update goes back through the core: a typed value for the next request.
        let mut s = m.load(Some(cookie), NOW);
        s.apply_update(&update.unwrap()).unwrap();
        assert_eq!(s.value("visits"), Some(edge_session::Value::Json("5")));

        // A client that reaches the origin directly with its own X-Session is refused.
        let forged = vec![("x-session".to_owned(), "user=admin".to_owned())];
        assert_eq!(answer(SECRET, "GET", "app.example", "/", &forged, NOW).0, 403);
        // So is the proxy's signature replayed on another path, or too late.
        assert_eq!(answer(SECRET, "GET", "app.example", "/admin", &headers, NOW).0, 403);
        assert_eq!(answer(SECRET, "GET", "app.example", "/", &headers, NOW + 3_600_000_000).0, 403);
        // No session: a stranger, still signed.
        let headers = proxied(&m, "/", None, NOW);
        assert_eq!(answer(SECRET, "GET", "app.example", "/", &headers, NOW).2, "stranger visit 1\n");
    }
}
