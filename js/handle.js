// The JavaScript face of the front proxy: `manager.handle(request, next)` for any fetch-API
// runtime. Every decision is the core's (planRequest / planResponse / planPassthrough, shared with
// the Rust Worker and the Hono middleware); this file only executes the header operations they
// return on Request / Response objects, and answers the core's failure status when `next` fails.
// The same flow over either build of the bindings (the default entry's, or the full entry's with
// the apache format): `sessionManagerClass(bindings)` makes the class of that build, and each of
// its managers carries that build's plans under FLOW, for `edge-session/flow` (js/flow.js).

import { FLOW, answerResponse, execute, failure, log, pack, requestPlan, responsePlan } from "./plans.js";
import { storeIn, storeOut, storeState, STORE } from "./store-flow.js";

export { FLOW, STORE, answerResponse, execute, failure, log };

/** Ours, not the origin's: never expected on any input (kept apart from the origin's 502). */
const INTERNAL_ERROR = "edge-session: internal error\n";

/**
 * The request's plan for `manager` (its session, the operations on the request's headers, the
 * log lines): the bindings' plan for cookie sessions; with a store (`new SessionManager({ store })`)
 * a Promise of it, the session read from the store first.
 */
export function planIn(manager, method, host, target, headers, now) {
  const st = manager[STORE];
  if (st) return storeIn(manager, st, method, host, target, headers, now);
  return manager[FLOW].planRequest(manager, method, host, target, headers, now);
}

/**
 * The response's plan for a request planned by `planIn` (with a store, a Promise of it): the
 * SessionHeader merged and the session saved, unless `failed` (the app threw, or answered with a
 * 5xx), when nothing is saved.
 */
export function planOut(manager, plan, headers, now, failed) {
  const st = manager[STORE];
  if (st) return storeOut(manager, st, plan.ctx, plan.session, headers, now, failed);
  const { planResponse, planPassthrough } = manager[FLOW];
  return plan.session && !failed ? planResponse(manager, plan.session, headers, now) : planPassthrough(manager, headers);
}

/** Releases what a plan holds in WebAssembly memory (its session, a store's cookie). */
export function release(plan) {
  plan?.session?.free();
  plan?.ctx?.cookie.free();
}

/** A store that cannot be read, with `outage: "error"`: 503 (the reason is in the log already). */
export const STORE_UNAVAILABLE = {
  status: 503,
  headers: { "content-type": "text/plain; charset=utf-8", "retry-after": "5" },
  body: "edge-session: the session store is unavailable\n",
};

/** `STORE_UNAVAILABLE` as a Response. */
export function storeUnavailable() {
  return new Response(STORE_UNAVAILABLE.body, { status: STORE_UNAVAILABLE.status, headers: STORE_UNAVAILABLE.headers });
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
  const now = Date.now();
  const url = new URL(request.url);
  let plan = planIn(manager, request.method, url.host, url.pathname + url.search, request.headers, now);
  if (plan instanceof Promise) plan = await plan;
  try {
    log(plan.notices);
    if (plan.answer) return answerResponse(plan.answer);
    try {
      execute(request.headers, plan.headers);
    } catch {
      // Immutable request headers: the app reads the session from its own object, not X-Session.
    }
    const response = await run(plan.session ?? null);
    let r = planOut(manager, plan, response.headers, now, response.status >= 500);
    if (r instanceof Promise) r = await r;
    log(r.notices);
    try {
      execute(response.headers, r.headers);
      return response;
    } catch {
      return withOps(response, r.headers);
    }
  } finally {
    release(plan);
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
export function sessionManagerClass(bindings) {
  const { SessionManager: CoreSessionManager, originFailure, planRequest, planResponse, planPassthrough } = bindings;
  // The bindings' plans, header lists packed in and operations unpacked out.
  const plans = {
    planRequest: (manager, method, host, target, headers, nowMs) => requestPlan(planRequest(manager, method, host, target, pack(headers), nowMs)),
    planResponse: (manager, session, headers, nowMs) => responsePlan(planResponse(manager, session, pack(headers), nowMs)),
    planPassthrough: (manager, headers) => responsePlan(planPassthrough(manager, pack(headers))),
    originFailure,
  };
  return class SessionManager extends CoreSessionManager {
    #store = null;

    /**
     * Checks the options (see the types). `store` (edge-session/store: `kvStore(namespace)`,
     * `redisStore(client)`) keeps the sessions server-side, the cookie holding only a sealed
     * reference; the core's options are the rest.
     */
    constructor(options) {
      const store = options !== null && typeof options === "object" && Object.hasOwn(options, "store") ? options.store : undefined;
      if (store === undefined) {
        super(options);
      } else {
        const { store: _, ...rest } = options;
        super(rest);
        this.#store = storeState(bindings, this, store);
      }
    }

    /** This build's plan functions (`edge-session/flow`). */
    get [FLOW]() {
      return plans;
    }

    /** The manager's server-side store, if it has one (for the faces). */
    get [STORE]() {
      return this.#store;
    }

    /**
     * Ends every session of `user` at once, on every device, with a store that keeps sessions per
     * user (Redis): also those read by requests still in flight, which cannot write them back.
     * Resolves to how many were live.
     */
    async logOutEverywhere(user) {
      if (typeof user !== "string" || user === "") throw failure("ERR_INVALID_ARG_TYPE", "user must be a non-empty string");
      const st = this.#store;
      if (!st || typeof st.backend.clear !== "function") {
        throw failure("ERR_STORE_UNSUPPORTED", "logOutEverywhere needs a store that keeps sessions per user (redisStore)");
      }
      return st.backend.clear(st.flow.userHome(user));
    }

    /** With a store, a session is read and written through it: `handle` and the faces do. */
    #synchronous(what) {
      if (this.#store) throw failure("ERR_STORE_ASYNC", `${what} reads and writes cookies only: with a store, sessions go through handle or a framework adapter, which read and write the store`);
    }

    /** See the types; not with a store (ERR_STORE_ASYNC). */
    save(session, nowMs) {
      this.#synchronous("save");
      return super.save(session, nowMs);
    }

    /** See the types; not with a store (ERR_STORE_ASYNC). */
    saveAll(session, nowMs) {
      this.#synchronous("saveAll");
      return super.saveAll(session, nowMs);
    }

    /**
     * Loads the session from a `Cookie` header (see the types). The header crosses into
     * WebAssembly as UTF-8 written by `TextEncoder` (native) rather than by wasm-bindgen's
     * character-by-character copy: a quarter of a cached read's time in workerd.
     */
    load(cookieHeader, nowMs) {
      this.#synchronous("load");
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
      let plan = null;
      try {
        const now = Date.now();
        const { target, to } = destination(request, origin);
        try {
          plan = planIn(this, request.method, to.host, target, request.headers, now);
          if (plan instanceof Promise) plan = await plan;
        } catch (e) {
          if (e?.code === "ERR_STORE_UNAVAILABLE") return storeUnavailable();
          throw e;
        }
        const session = plan.session ?? null;
        log(plan.notices);
        // A device-bound session endpoint (registration, refresh): the core's own answer.
        if (plan.answer) return answerResponse(plan.answer);
        const forwarded = upstream(request, to, execute(new Headers(request.headers), plan.headers));
        let response;
        try {
          response = await next(forwarded, session ?? undefined);
          if (!isResponse(response)) throw new TypeError(`the origin answered with ${describe(response)}, not a Response`);
        } catch (e) {
          return originFailed(originFailure, e);
        }
        let r = planOut(this, plan, response.headers, now, false);
        if (r instanceof Promise) r = await r;
        log(r.notices);
        return withOps(response, r.headers);
      } catch (e) {
        console.error(JSON.stringify({ edge_session: "internal-error", error: String(e?.message ?? e) }));
        return new Response(INTERNAL_ERROR, { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
      } finally {
        release(plan);
      }
    }
  };
}
