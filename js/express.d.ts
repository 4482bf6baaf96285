import type { RequestHandler } from "express";
import { SessionManager, type Session, type SessionManagerOptions } from "edge-session";

/**
 * Express middleware: `req.session` is the request's `Session<T>` (null outside include/exclude),
 * saved just before the response's headers go out (also for `res.redirect`); a response with a 5xx
 * status (a handler that threw) saves nothing. A handler may also answer with X-Replace-Session.
 */
export declare function session<T = string>(
  options: SessionManager<T> | SessionManagerOptions,
  config?: { key?: string },
): RequestHandler;

declare global {
  namespace Express {
    interface Request {
      /** The request's session (edge-session/express); null outside include/exclude. */
      session: Session<any> | null;
    }
  }
}

export { SessionManager };
