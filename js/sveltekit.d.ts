import type { Handle } from "@sveltejs/kit";
import { SessionManager, type Session, type SessionManagerOptions } from "edge-session";

/**
 * SvelteKit's `handle` hook: `event.locals.session` is the request's `Session<T>` (null outside
 * include/exclude), saved on the response; an error page (5xx) or a thrown error saves nothing.
 * Declare it in src/app.d.ts: `interface Locals { session: import("edge-session").Session<T> | null }`.
 */
export declare function session<T = string>(options: SessionManager<T> | SessionManagerOptions, config?: { key?: string }): Handle;

export type { Session };
export { SessionManager };
