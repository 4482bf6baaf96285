import type { MiddlewareHandler } from "hono";
import { SessionManager, type Session, type SessionManagerOptions } from "edge-session";

/** Hono middleware: `c.get("session")` is the request's Session (null outside include/exclude). */
export declare function session(
  options: SessionManager | SessionManagerOptions,
  config?: { key?: string },
): MiddlewareHandler<{ Variables: { session: Session | null } }>;

export { SessionManager };
