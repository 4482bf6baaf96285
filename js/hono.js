// Hono middleware: the session on the context (`c.get("session")`), saved after the handler runs,
// through `manager.handle` (so a handler may also answer with X-Replace-Session). The handler sees
// the request the origin would see: `c.req.raw` is the rewritten request (no client-sent
// X-Session, no session cookie with cookieRemove), so an app that forwards it stays safe.
import { SessionManager } from "edge-session";

/**
 * @param {SessionManager | import("edge-session").SessionManagerOptions} options a manager (from
 *   "edge-session" or "edge-session/full", for the apache format), or options for a default one
 * @param {{ key?: string, origin?: string }} [config] the context variable name (default
 *   "session"); for an app that forwards to an origin, the origin (`handle`'s option): `c.req.raw`
 *   is then addressed to it, and the origin signature covers its host
 */
export function session(options, { key = "session", origin } = {}) {
  // Any manager with the flow: the full entry's class is another class over another build.
  const manager = typeof options?.handle === "function" ? options : new SessionManager(options);
  return async function edgeSession(c, next) {
    const res = await manager.handle(c.req.raw, async (request, s) => {
      c.req.raw = request;
      c.set(key, s ?? null);
      await next();
      return c.res;
    }, { origin });
    // Hono's `c.res` setter merges the previous response's headers into the new one, which would
    // bring back the SessionHeader: `res` already holds everything that should stay.
    c.res = undefined;
    c.res = res;
  };
}

export { SessionManager };
