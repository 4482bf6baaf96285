import type { MiddlewareHandler } from "hono";
import { SessionManager, type Session, type SessionManagerOptions } from "edge-session";

/**
 * The Hono environment the middleware gives an app: `c.get("session")` is the request's
 * `Session<T>` (null outside include/exclude). `new Hono<Env<{ user: string }>>()`.
 */
export type Env<T = string> = { Variables: { session: Session<T> | null } };

/**
 * Hono middleware: `c.get("session")` is the request's Session (null outside include/exclude),
 * saved after the handler (not when the handler throws). `config.origin` (scheme, host and port)
 * for an app that forwards `c.req.raw` to an origin: the request is then addressed to it, and the
 * origin signature covers its host.
 */
export declare function session<T = string>(
  options: SessionManager<T> | SessionManagerOptions,
  config?: { key?: string; origin?: string },
): MiddlewareHandler<Env<T>>;

export { SessionManager };
