// Express middleware (tested with Express 5; it uses node's `http` request and response only):
// `app.use(session(options))`, then `req.session` in handlers. It executes the core's plans, as
// `manager.handle` and the Hono middleware do: the request's plan on `req.headers` (a client-sent
// X-Session removed, the session given to the app), the response's just before its headers go out,
// whichever way they go (`res.send`, `res.json`, `res.redirect`, `res.end`, `res.writeHead`), so a
// handler may also answer with X-Replace-Session. A response with a 5xx status (a handler that
// threw, answered by Express's error handling) saves nothing: the session stays as it was.
import { SessionManager } from "edge-session";
import { FLOW, log } from "./handle.js";

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
  const { planRequest, planResponse, planPassthrough } = manager[FLOW];
  return function edgeSession(req, res, next) {
    const now = Date.now();
    const plan = planRequest(manager, req.method, req.headers.host ?? "", req.originalUrl ?? req.url, pairs(req.headers), now);
    log(plan.notices);
    onRequest(req.headers, plan.headers);
    const s = plan.session ?? null;
    req[key] = s;
    const writeHead = res.writeHead;
    let saved = false;
    res.writeHead = function (status, ...rest) {
      if (!saved) {
        saved = true;
        // Headers given to writeHead itself join the response's before the plan reads them.
        const given = typeof rest[0] === "string" ? rest[1] : rest[0];
        if (given) {
          const list = Array.isArray(given) ? given : Object.entries(given);
          for (const [name, value] of list) res.setHeader(name, value);
          rest = typeof rest[0] === "string" ? [rest[0]] : [];
        }
        const headers = pairs(res.getHeaders());
        const failed = Number(status) >= 500;
        const r = s && !failed ? planResponse(manager, s, headers, now) : planPassthrough(manager, headers);
        log(r.notices);
        onResponse(res, r.headers);
      }
      return writeHead.call(this, status, ...rest);
    };
    res.once("close", () => s?.free());
    next();
  };
}

export { SessionManager };
