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

/** What `verifySessionHeader` found. */
export type SessionHeaderVerdict =
  | { ok: true; session: Record<string, string> }
  | { ok: false; reason: "missing" | "malformed" | "expired" | "mismatch" };

/**
 * For origins behind the front proxy: checks the signature it puts on every request with
 * `originSecret` / SESSION_ORIGIN_SECRET (`X-Session-Signature`: time, method, path and query,
 * session) and resolves to the session, or to why it was refused (forged, altered, re-targeted,
 * replayed past `tolerance` seconds, default 300).
 */
export declare function verifySessionHeader(
  request: Request | { method: string; url: string; headers: Headers | Record<string, string | string[] | undefined> },
  secret: string | string[],
  options?: { tolerance?: number; envHeader?: string; now?: number },
): Promise<SessionHeaderVerdict>;

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
