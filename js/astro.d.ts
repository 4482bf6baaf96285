import type { MiddlewareHandler } from "astro";
import { SessionManager, type Session, type SessionManagerOptions } from "edge-session";

/**
 * Astro middleware: `Astro.locals.session` is the request's `Session<T>` (null outside
 * include/exclude), saved on the response; an error (5xx) or a thrown error saves nothing.
 * Declare it in src/env.d.ts: `declare namespace App { interface Locals { session: import("edge-session").Session<T> | null } }`.
 */
export declare function session<T = string>(options: SessionManager<T> | SessionManagerOptions, config?: { key?: string }): MiddlewareHandler;

export type { Session };
export { SessionManager };
