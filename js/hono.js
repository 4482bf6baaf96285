// Hono middleware: the session on the context (`c.get("session")`), saved after the handler runs,
// through the same flow as `manager.handle` (so a handler may also answer with X-Replace-Session).
import { SessionManager } from "edge-session";

/**
 * @param {SessionManager | import("edge-session").SessionManagerOptions} options a manager, or options for one
 * @param {{ key?: string }} [config] the context variable name (default "session")
 */
export function session(options, { key = "session" } = {}) {
  const manager = options instanceof SessionManager ? options : new SessionManager(options);
  return async function edgeSession(c, next) {
    const res = await manager.handle(c.req.raw, async (_request, s) => {
      c.set(key, s ?? null);
      await next();
      return c.res;
    });
    // Hono's `c.res` setter merges the previous response's headers into the new one, which would
    // bring back the SessionHeader: `res` already holds everything that should stay.
    c.res = undefined;
    c.res = res;
  };
}

export { SessionManager };
