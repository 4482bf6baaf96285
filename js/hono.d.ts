import type { MiddlewareHandler } from "hono";
import { SessionManager, type Session, type SessionManagerOptions } from "edge-session";

/**
 * Hono middleware: `c.get("session")` is the request's Session (null outside include/exclude).
 * `config.origin` (scheme, host and port) for an app that forwards `c.req.raw` to an origin: the
 * request is then addressed to it, and the origin signature covers its host.
 */
export declare function session(
  options: SessionManager | SessionManagerOptions,
  config?: { key?: string; origin?: string },
): MiddlewareHandler<{ Variables: { session: Session | null } }>;

export { SessionManager };
