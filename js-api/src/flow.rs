//! The front proxy's flow over a `SessionManager`, for the faces (`handle`, the Hono middleware,
//! adapters): the core's plans as data, header operations and log lines. Not the user's API: the
//! package exports these from `edge-session/flow` only (`flow(manager)`).

use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use edge_session::option_table::Spelling;
use edge_session::proxy::{HeaderOp, Notice, Saved};

use crate::errors::error;
use crate::manager::SessionManager;
use crate::session::Session;
use crate::values::{micros, object, string_or_null, text};

#[wasm_bindgen(typescript_custom_section)]
const TS_FLOW: &'static str = r#"
/** One header operation, in order: delete a header, set it, or append a value (Set-Cookie). Names are lowercase. */
export type HeaderOp = ["delete", string] | ["set", string, string] | ["append", string, string];

/** A log line to print with `console[level]`: one JSON object, the same in every face. */
export interface LogNotice {
  level: "info" | "warn" | "error";
  line: string;
}

/** What `planRequest` decided: the session (null outside include/exclude), the operations on the request's headers before it goes to the origin, and what to log. */
export interface RequestPlan {
  session: Session | null;
  headers: HeaderOp[];
  notices: LogNotice[];
}

/** What to answer when the origin cannot be reached, throws or answers with something that is not a Response. */
export interface OriginFailure {
  status: number;
  body: string;
  contentType: string;
  notice: LogNotice;
}

/** What a save did: `outcome` is "nothing", "created", "renewed", "rotated", "ended" or "removed"; a written cookie's sealing key id, size in bytes and chunk count (0: one cookie). */
export interface SaveOutcome {
  outcome: "nothing" | "created" | "renewed" | "rotated" | "ended" | "removed";
  keyId: string | null;
  bytes: number | null;
  chunks: number | null;
}

/** What `planResponse` decided: the operations on the response's headers before it goes to the client, what to log (the response always goes out), and what the save did. */
export interface ResponsePlan {
  headers: HeaderOp[];
  notices: LogNotice[];
  saved: SaveOutcome;
}
"#;

#[wasm_bindgen]
extern "C" {
    /// `RequestPlan` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "RequestPlan")]
    pub type JsRequestPlan;
    /// `ResponsePlan` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "ResponsePlan")]
    pub type JsResponsePlan;
    /// `Array<[string, string]>` of headers on the JavaScript side.
    #[wasm_bindgen(typescript_type = "Iterable<[string, string]> | Array<[string, string]>")]
    pub type JsHeaders;
    /// `OriginFailure` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "OriginFailure")]
    pub type JsOriginFailure;
}

/// The front proxy's decisions for a request (its method; the host, `url.host`, and target,
/// path and query, the origin receives; and its headers, `[...request.headers]`): the session
/// (null outside include/exclude), the operations on the headers before the request goes to
/// the origin (with `originSecret`, its signature over method, host and target), and what to
/// log. The core's, shared with every face.
#[wasm_bindgen(js_name = planRequest)]
pub fn plan_request(
    manager: &SessionManager,
    #[wasm_bindgen(unchecked_param_type = "string")] method: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] host: JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] target: JsValue,
    headers: JsHeaders,
    now_ms: Option<f64>,
) -> Result<JsRequestPlan, JsValue> {
    let (method, host, target) = (text(&method, "method")?, text(&host, "host")?, text(&target, "target")?);
    let headers = header_list(&headers)?;
    let plan = manager.inner.plan_request(&method, &host, &target, &headers, micros(now_ms)?);
    let session = plan.session.map_or(JsValue::NULL, |inner| Session { inner }.into());
    Ok(object(&[
        ("session", session),
        ("headers", header_ops(&plan.headers).into()),
        ("notices", notices(&plan.notices).into()),
    ])
    .unchecked_into())
}

/// The front proxy's decisions for the origin's response (`[...response.headers]`): merges
/// its SessionHeader into `session`, saves it, and returns the operations on the headers
/// before the response goes to the client, and what to log.
#[wasm_bindgen(js_name = planResponse)]
pub fn plan_response(
    manager: &SessionManager,
    session: &mut Session,
    headers: JsHeaders,
    now_ms: Option<f64>,
) -> Result<JsResponsePlan, JsValue> {
    let now = micros(now_ms)?;
    let plan = manager.inner.plan_response(Some(&mut session.inner), &header_list(&headers)?, now);
    Ok(response_plan(&plan))
}

/// `planResponse` for a request outside include / exclude (no session): the operations
/// on the response's headers (the SessionHeader still goes).
#[wasm_bindgen(js_name = planPassthrough)]
pub fn plan_passthrough(manager: &SessionManager, headers: JsHeaders) -> Result<JsResponsePlan, JsValue> {
    Ok(response_plan(&manager.inner.plan_response(None, &header_list(&headers)?, 0)))
}

fn response_plan(plan: &edge_session::proxy::ResponsePlan) -> JsResponsePlan {
    object(&[
        ("headers", header_ops(&plan.headers).into()),
        ("notices", notices(&plan.notices).into()),
        ("saved", saved(&plan.saved)),
    ])
    .unchecked_into()
}

/// What the save did: `{ outcome, keyId, bytes, chunks }` (the value itself stays out: a bearer
/// credential that the `Set-Cookie` lines already carry).
fn saved(s: &Saved) -> JsValue {
    let (outcome, written) = match s {
        Saved::Created(w) => ("created", Some(w)),
        Saved::Renewed(w) => ("renewed", Some(w)),
        Saved::Rotated(w) => ("rotated", Some(w)),
        Saved::Ended => ("ended", None),
        Saved::Removed => ("removed", None),
        _ => ("nothing", None),
    };
    object(&[
        ("outcome", outcome.into()),
        ("keyId", string_or_null(written.and_then(|w| w.key_id.clone())).into()),
        ("bytes", written.map_or(JsValue::NULL, |w| JsValue::from_f64(w.bytes as f64))),
        ("chunks", written.map_or(JsValue::NULL, |w| JsValue::from_f64(w.chunks as f64))),
    ])
}

/// A `[name, value]` list (or any iterable of pairs, such as a `Headers`).
fn header_list(headers: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let bad = || error("ERR_INVALID_HEADERS", "headers must be an iterable of [name, value] pairs");
    let iter = js_sys::try_iter(headers).map_err(|_| bad())?.ok_or_else(bad)?;
    let mut out = Vec::new();
    for pair in iter {
        let pair = pair?;
        let name = Reflect::get_u32(&pair, 0)?.as_string().ok_or_else(bad)?;
        let value = Reflect::get_u32(&pair, 1)?.as_string().ok_or_else(bad)?;
        out.push((name, value));
    }
    Ok(out)
}

/// `["delete", name]`, `["set", name, value]`, `["append", name, value]`.
fn header_ops(ops: &[HeaderOp]) -> Array {
    ops.iter()
        .map(|op| -> JsValue {
            match op {
                HeaderOp::Delete(n) => Array::of2(&"delete".into(), &n.into()).into(),
                HeaderOp::Set(n, v) => Array::of3(&"set".into(), &n.into(), &v.into()).into(),
                HeaderOp::Append(n, v) => Array::of3(&"append".into(), &n.into(), &v.into()).into(),
                _ => Array::new().into(),
            }
        })
        .collect()
}

fn notice(n: &Notice) -> JsValue {
    object(&[("level", n.level().as_str().into()), ("line", n.line(Spelling::Js, &[]).into())])
}

fn notices(list: &[Notice]) -> Array {
    list.iter().map(notice).collect()
}

/// What a face answers when the origin cannot be reached, throws, or answers with something
/// that is not a Response: the status, the body and the log line (`error` is its message).
#[wasm_bindgen(js_name = originFailure)]
pub fn origin_failure(
    #[wasm_bindgen(unchecked_param_type = "string")] error: JsValue,
) -> Result<JsOriginFailure, JsValue> {
    let error = text(&error, "error")?;
    Ok(object(&[
        ("status", edge_session::proxy::ORIGIN_FAILURE_STATUS.into()),
        ("body", edge_session::proxy::ORIGIN_FAILURE_BODY.into()),
        ("contentType", edge_session::proxy::FAILURE_CONTENT_TYPE.into()),
        ("notice", notice(&Notice::OriginFailed(error))),
    ])
    .unchecked_into())
}
