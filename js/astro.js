// Astro: `export const onRequest = session(options)` in src/middleware.js (or inside
// `sequence(...)`), then `Astro.locals.session` in pages and `context.locals.session` in
// endpoints. The core's plans around `next()`: the session saved on the response (an endpoint may
// also answer with X-Replace-Session); an error (5xx) or a thrown error saves nothing.
import { SessionManager } from "edge-session";
import { FLOW, around } from "./handle.js";

/**
 * @param {SessionManager | import("edge-session").SessionManagerOptions} options a manager, or options for one
 * @param {{ key?: string }} [config] the `locals` property (default "session")
 */
export function session(options, { key = "session" } = {}) {
  const manager = options?.[FLOW] ? options : new SessionManager(options);
  return (context, next) =>
    around(manager, context.request, (s) => {
      context.locals[key] = s;
      return next();
    });
}

export { SessionManager };
