// The JavaScript face of the front proxy: `manager.handle(request, next)` for any fetch-API
// runtime. Every decision is the core's (planRequest / planResponse / planPassthrough, shared with
// the Rust Worker and the Hono middleware); this file only executes the header operations they
// return on Request / Response objects, and answers the core's failure status when `next` fails.
// The same flow over either build of the bindings (the default entry's, or the full entry's with
// the apache format): `sessionManagerClass(bindings)` makes the class of that build, and each of
// its managers carries that build's plans under FLOW, for `edge-session/flow` (js/flow.js).

/** Where a manager keeps its build's plan functions (shared by both entries' classes). */
export const FLOW = Symbol.for("edge-session.flow");

/** Ours, not the origin's: never expected on any input (kept apart from the origin's 502). */
const INTERNAL_ERROR = "edge-session: internal error\n";

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
function pack(headers) {
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
function unpack(fields, at, plan) {
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

/** The bindings' request plan (`[session, packed]`) as a `RequestPlan`. */
function requestPlan([session, packed]) {
  return unpack(packed.split("\0"), 0, { session });
}

/** The bindings' packed response plan as a `ResponsePlan`. */
function responsePlan(packed) {
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

/**
 * The request the origin gets: a copy of `request` at `url`, with other headers (a body is streamed
 * through) and `redirect: "manual"`, so that an origin's redirect goes back to the client as it is
 * (never followed here, with X-Session and its signature sent on to wherever it points), also when
 * `next` passes it to `fetch` or builds another Request from it.
 */
export function upstream(request, url, headers) {
  const init = { method: request.method, headers, redirect: "manual", signal: request.signal };
  if (request.body) {
    init.body = request.body;
    init.duplex = "half";
  }
  return new Request(url, init);
}

/**
 * Where a request goes: its target (path and query) and the URL it is sent to, the same one or,
 * with `origin` (checked by `originOf`), the origin's. Concatenated, never resolved: a path such as
 * `//other.example/x` stays a path.
 */
export function destination(request, origin) {
  const url = new URL(request.url);
  const target = url.pathname + url.search;
  return { target, to: origin ? new URL(origin + target) : url };
}

/** The core's answer to an origin that failed (`error`), its notice logged. */
export function originFailed(originFailure, error) {
  const answer = originFailure(String(error?.message ?? error));
  log([answer.notice]);
  return new Response(answer.body, { status: answer.status, headers: { "content-type": answer.contentType } });
}

/** `response` (status, status text, body and, in workerd, WebSocket kept) with a copy of its headers changed by `ops`. */
export function withOps(response, ops) {
  const init = { status: response.status, statusText: response.statusText, headers: execute(new Headers(response.headers), ops) };
  if (response.webSocket) init.webSocket = response.webSocket; // workerd
  return new Response(response.body, init);
}

/**
 * The flow around an application's own handler, for the framework adapters that hand the app a
 * Request and take a Response back (SvelteKit's `handle`, Astro's middleware): the request's plan
 * executed on `request.headers` (where they can be changed: a client-sent X-Session removed, the
 * session's set), `run(session)` called, and the response's plan executed on what it returns. A
 * handler that throws, or a response with a 5xx status (an error page), saves nothing.
 */
export async function around(manager, request, run) {
  const { planRequest, planResponse, planPassthrough } = manager[FLOW];
  const now = Date.now();
  const url = new URL(request.url);
  const plan = planRequest(manager, request.method, url.host, url.pathname + url.search, request.headers, now);
  const s = plan.session ?? null;
  try {
    log(plan.notices);
    try {
      execute(request.headers, plan.headers);
    } catch {
      // Immutable request headers: the app reads the session from its own object, not X-Session.
    }
    const response = await run(s);
    const r = s && response.status < 500 ? planResponse(manager, s, response.headers, now) : planPassthrough(manager, response.headers);
    log(r.notices);
    try {
      execute(response.headers, r.headers);
      return response;
    } catch {
      return withOps(response, r.headers);
    }
  } finally {
    s?.free();
  }
}

/** A misused option (`ERR_INVALID_OPTION`). */
function misuse(message) {
  return failure("ERR_INVALID_OPTION", message);
}

/** `handle`'s `origin` option, checked once per distinct value: `scheme://host[:port]`. */
const origins = new Map();
export function originOf(value) {
  if (value === undefined || value === null) return null;
  let known = origins.get(value);
  if (known) return known;
  let url;
  try {
    url = typeof value === "string" ? new URL(value) : null;
  } catch {
    url = null;
  }
  const bare = url && (url.protocol === "https:" || url.protocol === "http:") && !url.username && !url.password && url.pathname === "/" && !url.search && !url.hash && !/[?#]/.test(value);
  if (!bare) throw misuse(`handle's origin must be an http(s) URL of scheme, host and port only ("https://origin.example"), not ${JSON.stringify(String(value))}`);
  known = url.origin;
  if (origins.size < 64) origins.set(value, known);
  return known;
}

/** Whether `next` answered with something a response can be made from. */
function isResponse(value) {
  if (value instanceof Response) return true;
  // A Response from another realm (a polyfill, another copy of undici) has the same shape.
  return (
    value !== null &&
    typeof value === "object" &&
    Number.isInteger(value.status) &&
    typeof value.headers?.entries === "function" &&
    "body" in value
  );
}

function describe(value) {
  if (value === null || value === undefined) return String(value);
  return typeof value === "object" ? `an object (${value.constructor?.name ?? "Object"})` : `a ${typeof value}`;
}

const ENCODER = new TextEncoder();
/** Headers up to this many UTF-16 units are encoded into one reused buffer (3 bytes per unit at most). */
const SCRATCH_UNITS = 8192;
let scratch = new Uint8Array(1024);

/**
 * The session manager of the npm package, with the front proxy's flow for fetch-API runtimes, over
 * one build of the bindings (`SessionManager` and `originFailure` of pkg/ or pkg/full/).
 */
export function sessionManagerClass({ SessionManager: CoreSessionManager, originFailure, planRequest, planResponse, planPassthrough }) {
  // The bindings' plans, header lists packed in and operations unpacked out.
  const plans = {
    planRequest: (manager, method, host, target, headers, nowMs) => requestPlan(planRequest(manager, method, host, target, pack(headers), nowMs)),
    planResponse: (manager, session, headers, nowMs) => responsePlan(planResponse(manager, session, pack(headers), nowMs)),
    planPassthrough: (manager, headers) => responsePlan(planPassthrough(manager, pack(headers))),
    originFailure,
  };
  return class SessionManager extends CoreSessionManager {
    /** This build's plan functions (`edge-session/flow`). */
    get [FLOW]() {
      return plans;
    }

    /**
     * Loads the session from a `Cookie` header (see the types). The header crosses into
     * WebAssembly as UTF-8 written by `TextEncoder` (native) rather than by wasm-bindgen's
     * character-by-character copy: a quarter of a cached read's time in workerd.
     */
    load(cookieHeader, nowMs) {
      if (typeof cookieHeader !== "string") return super.load(cookieHeader, nowMs);
      if (cookieHeader.length > SCRATCH_UNITS) return this.loadUtf8(ENCODER.encode(cookieHeader), nowMs);
      if (cookieHeader.length * 3 > scratch.length) scratch = new Uint8Array(SCRATCH_UNITS * 3);
      const { written } = ENCODER.encodeInto(cookieHeader, scratch);
      return this.loadUtf8(scratch.subarray(0, written), nowMs);
    }

    /**
     * Seals `data` (any JSON value) for `purpose`, to open for `ttl` seconds (see the types).
     * The arguments are checked here and the data written as JSON; the core seals it.
     */
    sealToken(data, { purpose, ttl } = {}, nowMs) {
      if (typeof purpose !== "string") throw failure("ERR_INVALID_ARG_TYPE", `purpose must be a string, not ${describe(purpose)}`);
      if (!Number.isInteger(ttl) || ttl < 1) throw failure("ERR_INVALID_ARG_VALUE", `ttl must be a whole number of seconds from 1, not ${String(ttl)}`);
      let json;
      try {
        json = JSON.stringify(data);
      } catch {
        json = undefined;
      }
      if (typeof json !== "string") throw failure("ERR_INVALID_ARG_TYPE", `data must be a JSON value, not ${describe(data)}`);
      return this.sealTokenText(purpose, json, ttl, nowMs);
    }

    /** The data of a token `sealToken` made for `purpose`, or null (see the types). */
    openToken(token, { purpose } = {}, nowMs) {
      if (typeof token !== "string") throw failure("ERR_INVALID_ARG_TYPE", `token must be a string, not ${describe(token)}`);
      if (typeof purpose !== "string") throw failure("ERR_INVALID_ARG_TYPE", `purpose must be a string, not ${describe(purpose)}`);
      const json = this.openTokenText(token, purpose, nowMs);
      return json === undefined || json === null ? null : JSON.parse(json);
    }

    /**
     * Loads the session from the request's cookie, calls `next` with the request the origin must
     * see (and the session, for apps), then returns its response with the session saved. With
     * `options.origin` (`"https://origin.example"`) that request is addressed to the origin, the
     * same path and query: `next` may be `(req) => fetch(req)`. The origin signature covers the
     * host and target of that request. Never rejects for what the origin does: `next` throwing or
     * answering with something that is not a Response gives a 502 (a bad `origin` rejects with
     * `ERR_INVALID_OPTION`).
     */
    async handle(request, next, options = {}) {
      const origin = originOf(options?.origin);
      let session = null;
      try {
        const now = Date.now();
        const { target, to } = destination(request, origin);
        const plan = plans.planRequest(this, request.method, to.host, target, request.headers, now);
        session = plan.session;
        log(plan.notices);
        const forwarded = upstream(request, to, execute(new Headers(request.headers), plan.headers));
        let response;
        try {
          response = await next(forwarded, session ?? undefined);
          if (!isResponse(response)) throw new TypeError(`the origin answered with ${describe(response)}, not a Response`);
        } catch (e) {
          return originFailed(originFailure, e);
        }
        const r = session ? plans.planResponse(this, session, response.headers, now) : plans.planPassthrough(this, response.headers);
        log(r.notices);
        return withOps(response, r.headers);
      } catch (e) {
        console.error(JSON.stringify({ edge_session: "internal-error", error: String(e?.message ?? e) }));
        return new Response(INTERNAL_ERROR, { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
      } finally {
        session?.free();
      }
    }
  };
}
