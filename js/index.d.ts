// Types of the public API. The core classes are generated from the Rust sources by wasm-bindgen;
// `SessionManager` (with `handle`) is defined in js/handle.js.
import type { Session, SessionManager as CoreSessionManager } from "../pkg/edge_session.js";

export {
  Session,
  SessionManagerOptions,
  SessionStatus,
  RequestPlan,
  ResponsePlan,
  HeaderOp,
  LogNotice,
  OriginFailure,
  generateKey,
  inspect,
  originFailure,
  InspectOptions,
  Inspection,
} from "../pkg/edge_session.js";

/** The session manager, with the front proxy's flow for fetch-API runtimes. */
export declare class SessionManager extends CoreSessionManager {
  /**
   * The whole front-proxy flow for fetch-API runtimes: loads the session from the request's
   * cookie, calls `next` (the app or origin) with the request the origin must see (the client's
   * SessionEnv header removed in every spelling, the session set in it) and the session itself
   * for apps, merges the response's SessionHeader, saves, and returns the response with
   * Set-Cookie, Cache-Control and Vary. Never rejects: if `next` throws or answers with
   * something that is not a Response, the answer is a 502.
   */
  handle(request: Request, next: (request: Request, session?: Session) => Response | Promise<Response>): Promise<Response>;
}
