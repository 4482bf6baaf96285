// Hono middleware: the session on the context (`c.get("session")`), saved after the handler runs
// (a handler may also answer with X-Replace-Session). It executes the same plans of the core as
// `manager.handle` (js/handle.js), with Hono's own objects: the handler sees the request the origin
// would see (`c.req.raw` is the rewritten request: no client-sent X-Session, no session cookie with
// cookieRemove, `redirect: "manual"`), so an app that forwards it stays safe; the response's
// headers are changed where they are (Hono's responses are its own), copied only when they cannot
// be (a fetched response passed through as it is).
import { SessionManager } from "edge-session";
import { FLOW, answerResponse, destination, execute, log, originFailed, originOf, planIn, planOut, release, storeUnavailable, upstream, withOps } from "./handle.js";

/**
 * @param {SessionManager | import("edge-session").SessionManagerOptions} options a manager (from
 *   "edge-session" or "edge-session/full", for the apache format), or options for a default one
 * @param {{ key?: string, origin?: string }} [config] the context variable name (default
 *   "session"); for an app that forwards to an origin, the origin (`handle`'s option): `c.req.raw`
 *   is then addressed to it, and the origin signature covers its host
 */
export function session(options, { key = "session", origin } = {}) {
  // Any manager with the flow: the full entry's class is another class over another build.
  const manager = options?.[FLOW] ? options : new SessionManager(options);
  const { originFailure } = manager[FLOW];
  // Checked once, when the app is built (ERR_INVALID_OPTION).
  const to = originOf(origin);
  return async function edgeSession(c, next) {
    const request = c.req.raw;
    const now = Date.now();
    const { target, to: dest } = destination(request, to);
    let plan;
    try {
      plan = planIn(manager, request.method, dest.host, target, request.headers, now);
      if (plan instanceof Promise) plan = await plan;
    } catch (e) {
      if (e?.code !== "ERR_STORE_UNAVAILABLE") throw e;
      c.res = storeUnavailable();
      return;
    }
    const s = plan.session ?? null;
    try {
      log(plan.notices);
      if (plan.answer) {
        c.res = answerResponse(plan.answer);
        return;
      }
      c.req.raw = upstream(request, dest, execute(new Headers(request.headers), plan.headers));
      c.set(key, s);
      try {
        await next();
      } catch (e) {
        // As `handle` answers a `next` that throws (an origin that cannot be reached): the core's
        // 502, nothing saved.
        c.res = undefined;
        c.res = originFailed(originFailure, e);
        return;
      }
      const res = c.res;
      // A handler that threw (Hono answered with its error handler, `c.error` set): its session
      // changes are not saved; the SessionHeader is still taken off the response.
      let r = planOut(manager, plan, res.headers, now, Boolean(c.error));
      if (r instanceof Promise) r = await r;
      log(r.notices);
      try {
        execute(res.headers, r.headers);
      } catch {
        // Immutable headers (a fetched response): the same response with a copy of them. Hono's
        // `c.res` setter merges the previous response's headers into the new one, which would
        // bring back the SessionHeader: the copy already holds everything that should stay.
        c.res = undefined;
        c.res = withOps(res, r.headers);
      }
    } finally {
      release(plan);
    }
  };
}

export { SessionManager };
