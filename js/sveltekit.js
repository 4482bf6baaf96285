// SvelteKit: `export const handle = session(options)` in src/hooks.server.js (or inside
// `sequence(...)`), then `event.locals.session` in load functions, form actions and endpoints.
// The core's plans around `resolve(event)`: the session saved on the response (a handler may also
// answer with X-Replace-Session); an error page (5xx) or a thrown error saves nothing.
import { SessionManager } from "edge-session";
import { FLOW, around } from "./handle.js";

/**
 * @param {SessionManager | import("edge-session").SessionManagerOptions} options a manager, or options for one
 * @param {{ key?: string }} [config] the `event.locals` property (default "session")
 */
export function session(options, { key = "session" } = {}) {
  const manager = options?.[FLOW] ? options : new SessionManager(options);
  return ({ event, resolve }) =>
    around(manager, event.request, (s) => {
      event.locals[key] = s;
      return resolve(event);
    });
}

export { SessionManager };
