//! The front proxy's flow over a `SessionManager`, for the faces (`handle`, the Hono middleware,
//! adapters): the core's plans as data, header operations and log lines. Not the user's API: the
//! package exports these from `edge-session/flow` only (`flow(manager)`, which packs and unpacks
//! the header lists: js/handle.js).
//!
//! Header lists cross between JavaScript and WebAssembly packed in one string each way, rather
//! than one crossing per name and value (measured: most of a plan's cost, in node and workerd):
//!
//! ```text
//! headers in       name NUL value NUL  name NUL value NUL  …     (empty: no header)
//! request plan     [session or null, notices operations, answer or null]
//!   answer         status NUL body NUL operations   (a DBSC endpoint's own answer: send it as it is)
//! response plan    outcome NUL keyId NUL bytes NUL chunks NUL notices operations
//!   notices        count NUL (level NUL line NUL){count}
//!   operations     (op NUL name NUL value NUL)*     op: "d" delete (value empty), "s" set, "a" append
//!   keyId, bytes, chunks   empty when the save wrote nothing
//! ```
//!
//! A header name is a token and a value never holds NUL (the Fetch standard refuses it in both), a
//! log line is JSON (which escapes every control character) and the other fields are words and
//! numbers: NUL cannot occur inside a field. Measured: a plan's objects built field by field from
//! WebAssembly cost more than the plan (bench/NOTES.md).

use js_sys::Array;
use wasm_bindgen::prelude::*;

use edge_session::option_table::Spelling;
use edge_session::proxy::{HeaderOp, Notice, Saved};

use crate::errors::error;
use crate::manager::SessionManager;
use crate::session::Session;
use crate::values::{micros, object, text};

#[wasm_bindgen(typescript_custom_section)]
const TS_FLOW: &'static str = r#"
/** One header operation, in order: delete a header, set it, or append a value (Set-Cookie). Names are lowercase. */
export type HeaderOp = ["delete", string] | ["set", string, string] | ["append", string, string];

/** A log line to print with `console[level]`: one JSON object, the same in every face. */
export interface LogNotice {
  level: "info" | "warn" | "error";
  line: string;
}

/** What `planRequest` decided: the session (null outside include/exclude), the operations on the request's headers before it goes to the origin, and what to log; or, at a device-bound session endpoint, the `answer` to send instead of going to the origin. */
export interface RequestPlan {
  session: Session | null;
  headers: HeaderOp[];
  notices: LogNotice[];
  answer?: { status: number; headers: HeaderOp[]; body: string };
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
/** A RequestPlan as the bindings return it: the session and the rest packed (`edge-session/flow` unpacks it). */
export type PackedRequestPlan = [Session | null, string, string | null];
"#;

#[wasm_bindgen]
extern "C" {
    /// `PackedRequestPlan` on the JavaScript side.
    #[wasm_bindgen(typescript_type = "PackedRequestPlan")]
    pub type JsRequestPlan;
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
    #[wasm_bindgen(unchecked_param_type = "string")] headers: JsValue,
    now_ms: Option<f64>,
) -> Result<JsRequestPlan, JsValue> {
    let (method, host, target) = (text(&method, "method")?, text(&host, "host")?, text(&target, "target")?);
    let packed = text(&headers, "headers")?;
    let headers = header_list(&packed)?;
    let plan = manager.inner.plan_request(&method, &host, &target, &headers, micros(now_ms)?);
    let session = plan.session.map_or(JsValue::NULL, |inner| Session { inner }.into());
    let mut out = String::new();
    pack_notices(&mut out, &plan.notices);
    pack_ops(&mut out, &plan.headers);
    // Only a build with device-bound sessions has endpoints that answer themselves.
    #[cfg(not(feature = "dbsc"))]
    let answer = JsValue::NULL;
    #[cfg(feature = "dbsc")]
    let answer = plan.answer.map_or(JsValue::NULL, |a| {
        let mut packed = format!("{}\0{}\0", a.status, a.body);
        pack_ops(&mut packed, &a.headers);
        packed.into()
    });
    Ok(Array::of3(&session, &out.into(), &answer).unchecked_into())
}

/// The front proxy's decisions for the origin's response (`[...response.headers]`): merges
/// its SessionHeader into `session`, saves it, and returns the operations on the headers
/// before the response goes to the client, and what to log.
#[wasm_bindgen(js_name = planResponse)]
pub fn plan_response(
    manager: &SessionManager,
    session: &mut Session,
    #[wasm_bindgen(unchecked_param_type = "string")] headers: JsValue,
    now_ms: Option<f64>,
) -> Result<String, JsValue> {
    let now = micros(now_ms)?;
    let packed = text(&headers, "headers")?;
    let headers = header_list(&packed)?;
    let plan = manager.inner.plan_response(Some(&mut session.inner), &headers, now);
    Ok(response_plan(&plan))
}

/// `planResponse` for a request outside include / exclude (no session): the operations
/// on the response's headers (the SessionHeader still goes).
#[wasm_bindgen(js_name = planPassthrough)]
pub fn plan_passthrough(
    manager: &SessionManager,
    #[wasm_bindgen(unchecked_param_type = "string")] headers: JsValue,
) -> Result<String, JsValue> {
    let packed = text(&headers, "headers")?;
    let headers = header_list(&packed)?;
    Ok(response_plan(&manager.inner.plan_response(None, &headers, 0)))
}

/// A response plan, packed (see the module's docs).
pub(crate) fn response_plan(plan: &edge_session::proxy::ResponsePlan) -> String {
    let (outcome, written) = match &plan.saved {
        Saved::Created(w) => ("created", Some(w)),
        Saved::Renewed(w) => ("renewed", Some(w)),
        Saved::Rotated(w) => ("rotated", Some(w)),
        Saved::Ended => ("ended", None),
        Saved::Removed => ("removed", None),
        _ => ("nothing", None),
    };
    // The written value itself stays out: a bearer credential that the Set-Cookie lines carry.
    let key_id = written.and_then(|w| w.key_id.as_deref()).unwrap_or_default();
    let bytes = written.map(|w| w.bytes.to_string()).unwrap_or_default();
    let chunks = written.map(|w| w.chunks.to_string()).unwrap_or_default();
    let mut out = String::new();
    push_fields(&mut out, &[outcome, key_id, &bytes, &chunks]);
    pack_notices(&mut out, &plan.notices);
    pack_ops(&mut out, &plan.headers);
    out
}

fn push_fields(out: &mut String, fields: &[&str]) {
    for field in fields {
        out.push_str(field);
        out.push('\0');
    }
}

/// The notices, packed: their count, then each one's level and line.
pub(crate) fn pack_notices(out: &mut String, list: &[Notice]) {
    push_fields(out, &[&list.len().to_string()]);
    for n in list {
        push_fields(out, &[n.level().as_str(), &n.line(Spelling::Js, &[])]);
    }
}

/// A packed header list (see the module's docs): name and value pairs. An odd count of fields is
/// not a list a face packed.
pub(crate) fn header_list(packed: &str) -> Result<Vec<(&str, &str)>, JsValue> {
    let bad = || error("ERR_INVALID_HEADERS", "headers must be an iterable of [name, value] string pairs");
    let Some(body) = packed.strip_suffix('\0') else {
        return if packed.is_empty() { Ok(Vec::new()) } else { Err(bad()) };
    };
    let mut fields = body.split('\0');
    let mut out = Vec::new();
    while let Some(name) = fields.next() {
        out.push((name, fields.next().ok_or_else(bad)?));
    }
    Ok(out)
}

/// The operations, packed (see the module's docs).
pub(crate) fn pack_ops(out: &mut String, ops: &[HeaderOp]) {
    for op in ops {
        match op {
            HeaderOp::Delete(n) => push_fields(out, &["d", n, ""]),
            HeaderOp::Set(n, v) => push_fields(out, &["s", n, v]),
            HeaderOp::Append(n, v) => push_fields(out, &["a", n, v]),
            _ => {}
        }
    }
}

fn notice(n: &Notice) -> JsValue {
    object(&[("level", n.level().as_str().into()), ("line", n.line(Spelling::Js, &[]).into())])
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
