//! HTTP plumbing: the platform's headers, requests and responses. Executing the core's header
//! operations, copying a response with other headers, forwarding to the origin (or the demo
//! origin), and the answers the face makes itself.

use edge_session::proxy::{FAILURE_CONTENT_TYPE, HeaderOp};
use wasm_bindgen::{JsCast, JsValue};
use worker::{Headers, Response, Result};

use crate::config::WorkerConfig;
use crate::demo;

/// An answer of the face's own (not the origin's): plain text.
pub(crate) fn plain(body: &str, status: u16) -> Result<web_sys::Response> {
    let headers = Headers::new();
    headers.set("content-type", FAILURE_CONTENT_TYPE)?;
    Ok(Response::error(body, status)?.with_headers(headers).into())
}

/// The core's own answer (a device-bound session endpoint's): its status, headers and body.
pub(crate) fn answer(a: &edge_session::proxy::Answer) -> Result<web_sys::Response> {
    let headers = Headers::new();
    execute(&headers, &a.headers)?;
    let init = web_sys::ResponseInit::new();
    init.set_status(a.status);
    init.set_headers(&headers.0.into());
    Ok(web_sys::Response::new_with_opt_str_and_init(Some(&a.body), &init)?)
}

/// A mutable copy of a header list (those of requests and fetched responses are immutable).
pub(crate) fn copy(headers: &Headers) -> Result<Headers> {
    Ok(Headers(web_sys::Headers::new_with_headers(&headers.0)?))
}

/// Executes the core's header operations, in order.
pub(crate) fn execute(headers: &Headers, ops: &[HeaderOp]) -> Result<()> {
    for op in ops {
        match op {
            HeaderOp::Delete(n) => headers.delete(n)?,
            HeaderOp::Set(n, v) => headers.set(n, v)?,
            HeaderOp::Append(n, v) => headers.append(n, v)?,
            _ => {}
        }
    }
    Ok(())
}

/// The origin's response with other headers, its status, status text, body and (workerd) its
/// WebSocket kept.
pub(crate) fn respond(raw: web_sys::Response, headers: Headers) -> Result<web_sys::Response> {
    let init = web_sys::ResponseInit::new();
    init.set_status(raw.status());
    init.set_status_text(&raw.status_text());
    init.set_headers(&headers.0.into());
    let key = JsValue::from_str("webSocket");
    if let Ok(ws) = js_sys::Reflect::get(&raw, &key)
        && !ws.is_null()
        && !ws.is_undefined()
    {
        js_sys::Reflect::set(&init, &key, &ws)?;
    }
    Ok(web_sys::Response::new_with_opt_readable_stream_and_init(raw.body().as_ref(), &init)?)
}

/// Sends the request on to the origin (the platform's own `fetch`, so that the response keeps
/// everything it came with, status text included), or to the embedded demo origin.
pub(crate) async fn forward(
    config: &WorkerConfig,
    req: &web_sys::Request,
    method: &str,
    (path, query): (&str, Option<&str>),
    headers: Headers,
) -> Result<web_sys::Response> {
    let Some(origin) = &config.origin else {
        return Ok(demo::handle(config.manager.options(), (path, query), &headers)?.into());
    };
    let mut target = format!("{origin}{path}");
    if let Some(q) = query {
        target.push('?');
        target.push_str(q);
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    init.set_headers(&headers.0);
    init.set_redirect(web_sys::RequestRedirect::Manual);
    if !matches!(method, "GET" | "HEAD")
        && let Some(body) = req.body()
    {
        init.set_body(&body);
    }
    let upstream = web_sys::Request::new_with_str_and_init(&target, &init)?;
    let global = js_sys::global();
    let fetch: js_sys::Function = js_sys::Reflect::get(&global, &JsValue::from_str("fetch"))?.dyn_into()?;
    let promise: js_sys::Promise = fetch.call1(&global, &upstream)?.dyn_into()?;
    Ok(wasm_bindgen_futures::JsFuture::from(promise).await?.dyn_into()?)
}
