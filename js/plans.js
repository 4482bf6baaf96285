// The plans of the core as the JavaScript faces exchange them with the bindings: header lists
// packed into one string each way (js-api/src/flow.rs has the layout), the operations executed on
// Headers, the log lines printed. Pure helpers, shared by handle.js and store-flow.js.

/** Where a manager keeps its build's plan functions (shared by both entries' classes). */
export const FLOW = Symbol.for("edge-session.flow");

/** An `EdgeSessionError` with a stable `code`, as the bindings' own errors. */
export function failure(code, message) {
  const e = new TypeError(message);
  e.name = "EdgeSessionError";
  e.code = code;
  return e;
}

/**
 * A header list (`Headers`, or any iterable of `[name, value]` string pairs) packed for the
 * bindings in one string: `name NUL value NUL …` (js-api/src/flow.rs has the layout). One crossing
 * into WebAssembly instead of one per name and value.
 */
export function pack(headers) {
  let packed = "";
  try {
    for (const [name, value] of headers) {
      if (typeof name !== "string" || typeof value !== "string") throw new TypeError("not a string");
      packed += name + "\0" + value + "\0";
    }
  } catch {
    throw failure("ERR_INVALID_HEADERS", "headers must be an iterable of [name, value] string pairs");
  }
  return packed;
}

/**
 * A packed plan's fields from `at` on (js-api/src/flow.rs has the layout): its notices (a count,
 * then level and line each) and its header operations (`op NUL name NUL value NUL …`).
 */
const OPS = { d: "delete", s: "set", a: "append" };
export function unpack(fields, at, plan) {
  let i = at + 1;
  const notices = [];
  for (let n = Number(fields[at]); n > 0; n--, i += 2) notices.push({ level: fields[i], line: fields[i + 1] });
  const headers = [];
  for (; i + 3 <= fields.length; i += 3) {
    headers.push(fields[i] === "d" ? ["delete", fields[i + 1]] : [OPS[fields[i]], fields[i + 1], fields[i + 2]]);
  }
  plan.headers = headers;
  plan.notices = notices;
  return plan;
}

/** The bindings' request plan (`[session, packed, answer]`) as a `RequestPlan`. */
export function requestPlan([session, packed, answer]) {
  const plan = unpack(packed.split("\0"), 0, { session });
  if (answer) {
    const f = answer.split("\0");
    // status NUL body NUL operations: the operations unpacked as a plan's (no notices).
    plan.answer = { status: Number(f[0]), body: f[1], headers: unpack(["0", ...f.slice(2)], 0, {}).headers };
  }
  return plan;
}

/** A device-bound session endpoint's own answer (`plan.answer`) as a Response. */
export function answerResponse(answer) {
  return new Response(answer.body, { status: answer.status, headers: execute(new Headers(), answer.headers) });
}

/** The bindings' packed response plan as a `ResponsePlan`. */
export function responsePlan(packed) {
  const f = packed.split("\0");
  const number = (v) => (v === "" ? null : Number(v));
  return unpack(f, 4, { saved: { outcome: f[0], keyId: f[1] || null, bytes: number(f[2]), chunks: number(f[3]) } });
}

/** Executes header operations (`["delete", n]`, `["set", n, v]`, `["append", n, v]`) in order. */
export function execute(headers, ops) {
  for (const [op, name, value] of ops) {
    if (op === "delete") headers.delete(name);
    else if (op === "set") headers.set(name, value);
    else if (op === "append") headers.append(name, value);
  }
  return headers;
}

/** Prints the core's JSON log lines with the console method of their level. */
export function log(notices) {
  for (const { level, line } of notices) console[level](line);
}

