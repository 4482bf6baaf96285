//! The embedded demo origin, served when `ORIGIN` is unset, so that a newcomer sees sessions work
//! with nothing else running. It is a real origin in all but location: it learns the session only
//! from the SessionEnv request header and changes it only through the SessionHeader (the
//! configured names, `X-Session` and `X-Replace-Session` by default).
//!
//! - `/login?user=NAME` writes `user` through the SessionHeader;
//! - `/` greets the user from the session it receives;
//! - `/counter` increments a counter kept in the session (the body is the new value);
//! - `/logout` deletes every key it was sent.

use edge_session::wire::{encode_update, form_value};
use edge_session::{Options, Session};
use worker::{Headers, Response, Result};

fn html_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '\'' => "&#39;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{title}</title>\
         <body style=\"font-family:system-ui;max-width:40em;margin:2em auto\"><h1>{title}</h1>{body}\
         <p><a href=\"/\">home</a> · <a href=\"/login?user=alice\">log in as alice</a> · \
         <a href=\"/counter\">counter</a> · <a href=\"/logout\">log out</a></p></body></html>"
    )
}

fn response(o: &Options, status: u16, content_type: &str, body: String, update: Option<String>) -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", content_type)?;
    if let Some(u) = update {
        headers.set(&o.header, &u)?;
    }
    Ok(Response::builder().with_status(status).with_headers(headers).fixed(body.into_bytes()))
}

/// Answers one request as the demo origin.
pub(crate) fn handle(o: &Options, (path, query): (&str, Option<&str>), headers: &Headers) -> Result<Response> {
    let mut session = Session::new();
    if let Some(s) = headers.get(&o.env_header)? {
        // The origin parses the session string it is sent (bounded like any SessionHeader).
        let _ = session.apply_update(&s);
    }
    let user = session.get("user").map(html_escape);
    match path {
        "/" => {
            let body = match &user {
                Some(u) => format!("<p>Hello, {u}. Your session is sealed in a cookie.</p>"),
                None => "<p>Hello, stranger. <a href=\"/login?user=alice\">Log in</a>.</p>".to_owned(),
            };
            response(o, 200, "text/html; charset=utf-8", page("edge-session demo", &body), None)
        }
        "/login" => {
            let name = form_value(query.unwrap_or_default(), "user");
            match name.filter(|n| !n.is_empty() && n.len() <= 64) {
                Some(n) => {
                    let body = format!("<p>Logged in as {}.</p>", html_escape(&n));
                    let update = encode_update([("user", n.as_str())]);
                    response(o, 200, "text/html; charset=utf-8", page("Logged in", &body), Some(update))
                }
                None => {
                    let usage = "usage: /login?user=NAME (1 to 64 bytes)\n";
                    response(o, 400, "text/plain; charset=utf-8", usage.into(), None)
                }
            }
        }
        "/counter" => {
            let n = session.get("counter").and_then(|v| v.parse::<u64>().ok()).unwrap_or(0).saturating_add(1);
            response(o, 200, "text/plain; charset=utf-8", format!("{n}\n"), Some(format!("counter={n}")))
        }
        "/logout" => {
            let update = encode_update(session.iter().map(|(k, _)| (k, "")));
            let body = page("Logged out", "<p>Your session is gone.</p>");
            response(o, 200, "text/html; charset=utf-8", body, Some(update))
        }
        _ => response(o, 404, "text/plain; charset=utf-8", "not found\n".into(), None),
    }
}
