// Express middleware (tested with Express 5; it uses node's `http` request and response only):
// `app.use(session(options))`, then `req.session` in handlers. It executes the core's plans, as
// `manager.handle` and the Hono middleware do: the request's plan on `req.headers` (a client-sent
// X-Session removed, the session given to the app), the response's just before its headers go out,
// whichever way they go (`res.send`, `res.json`, `res.redirect`, `res.end`, `res.writeHead`), so a
// handler may also answer with X-Replace-Session. A response with a 5xx status (a handler that
// threw, answered by Express's error handling) saves nothing: the session stays as it was.
import { SessionManager } from "edge-session";
import { FLOW, STORE, STORE_UNAVAILABLE, log, planIn, planOut, release } from "./handle.js";

/** Node's request headers (values that may be arrays) as [name, value] pairs. */
function pairs(headers) {
  const out = [];
  for (const [name, value] of Object.entries(headers)) {
    if (Array.isArray(value)) for (const v of value) out.push([name, String(v)]);
    else if (value !== undefined) out.push([name, String(value)]);
  }
  return out;
}

/** Executes header operations on node's request headers (an object of lowercase names). */
function onRequest(headers, ops) {
  for (const [op, name, value] of ops) {
    const n = name.toLowerCase();
    if (op === "delete") delete headers[n];
    else if (op === "set") headers[n] = value;
    else if (op === "append") headers[n] = headers[n] === undefined ? value : `${headers[n]}, ${value}`;
  }
}

/** Executes header operations on a node response whose headers are not sent yet. */
function onResponse(res, ops) {
  for (const [op, name, value] of ops) {
    if (op === "delete") res.removeHeader(name);
    else if (op === "set") res.setHeader(name, value);
    else if (op === "append") res.appendHeader(name, value);
  }
}

/**
 * @param {SessionManager | import("edge-session").SessionManagerOptions} options a manager (from
 *   "edge-session" or "edge-session/full"), or options for a default one
 * @param {{ key?: string }} [config] the request property that holds the session (default "session")
 */
export function session(options, { key = "session" } = {}) {
  const manager = options?.[FLOW] ? options : new SessionManager(options);
  return function edgeSession(req, res, next) {
    const now = Date.now();
    const planned = (plan) => {
      log(plan.notices);
      if (plan.answer) {
        // A device-bound session endpoint: the core's own answer, without the app.
        const { status, headers, body } = plan.answer;
        const list = [];
        for (const [op, name, value] of headers) if (op !== "delete") list.push([name, value]);
        release(plan);
        return res.writeHead(status, list.flat()).end(body);
      }
      onRequest(req.headers, plan.headers);
      req[key] = plan.session ?? null;
      res.once("close", () => release(plan));
      if (manager[STORE]) deferUntilSaved(manager, plan, res, now);
      else saveBeforeHead(manager, plan, res, now);
      next();
    };
    const plan = planIn(manager, req.method, req.headers.host ?? "", req.originalUrl ?? req.url, pairs(req.headers), now);
    if (!(plan instanceof Promise)) return planned(plan);
    plan.then(planned, (e) => {
      if (e?.code !== "ERR_STORE_UNAVAILABLE") return next(e);
      res.writeHead(STORE_UNAVAILABLE.status, STORE_UNAVAILABLE.headers).end(STORE_UNAVAILABLE.body);
    });
  };
}

/** Headers given to writeHead itself, set on the response (so that the plan reads them); the rest of its arguments. */
function headOf(res, status, rest) {
  const given = typeof rest[0] === "string" ? rest[1] : rest[0];
  if (!given) return rest;
  const list = Array.isArray(given) ? given : Object.entries(given);
  for (const [name, value] of list) res.setHeader(name, value);
  return typeof rest[0] === "string" ? [rest[0]] : [];
}

/** Cookie sessions: the response's plan runs synchronously, just before the headers go out. */
function saveBeforeHead(manager, plan, res, now) {
  const writeHead = res.writeHead;
  let saved = false;
  res.writeHead = function (status, ...rest) {
    if (!saved) {
      saved = true;
      rest = headOf(res, status, rest);
      const r = planOut(manager, plan, pairs(res.getHeaders()), now, Number(status) >= 500);
      log(r.notices);
      onResponse(res, r.headers);
    }
    return writeHead.call(this, status, ...rest);
  };
}

/**
 * With a store the save is asynchronous (the record is written before the cookie that names it
 * goes out): the response's head and body are held back, in order, until it is done.
 */
function deferUntilSaved(manager, plan, res, now) {
  const { writeHead, write, end } = res;
  let head = null;
  let saving = null;
  const saved = () =>
    (saving ??= (async () => {
      const status = head ? Number(head[0]) : res.statusCode;
      if (head) head = [head[0], ...headOf(res, head[0], head.slice(1))];
      const r = await planOut(manager, plan, pairs(res.getHeaders()), now, status >= 500);
      log(r.notices);
      onResponse(res, r.headers);
      // From here node writes the head itself (its implicit writeHead on the first write).
      res.writeHead = writeHead;
      if (head) writeHead.apply(res, head);
    })().catch((e) => console.error(JSON.stringify({ edge_session: "internal-error", error: String(e?.message ?? e) }))));
  res.writeHead = function (...args) {
    head = args;
    return this;
  };
  res.write = function (...args) {
    saved().then(() => write.apply(res, args));
    return true;
  };
  res.end = function (...args) {
    saved().then(() => end.apply(res, args));
    return this;
  };
}

export { SessionManager };
