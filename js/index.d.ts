// Types of the public API. The classes are generated from the Rust sources by wasm-bindgen;
// `handle` is added in js/handle.js.
import type { Session } from "../pkg/edge_session.js";

export {
  Session,
  SessionManager,
  SessionManagerOptions,
  SessionStatus,
  RequestPlan,
  ResponsePlan,
  generateKey,
  inspect,
  InspectOptions,
  Inspection,
} from "../pkg/edge_session.js";

declare module "../pkg/edge_session.js" {
  interface SessionManager {
    /**
     * The whole front-proxy flow for fetch-API runtimes: loads the session from the request's
     * cookie, calls `next` (the app or origin) with the SessionEnv header set (and the session
     * itself, for apps), merges the response's SessionHeader, saves, and returns the response
     * with Set-Cookie, Cache-Control and Vary. If `next` throws, the answer is a 502.
     */
    handle(request: Request, next: (request: Request, session?: Session) => Response | Promise<Response>): Promise<Response>;
  }
}
