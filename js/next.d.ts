import type { NextRequest } from "next/server";
import { SessionManager, type Session, type SessionManagerOptions } from "edge-session";

/** The faces of one session manager in a Next.js app (App Router). */
export interface NextSessions<T> {
  /** The manager itself. */
  manager: SessionManager<T>;
  /** proxy.ts: a client-sent X-Session removed, the session's set for the app. */
  proxy(request: NextRequest): Response;
  /** A route handler with `context.session`, saved on its response (with its X-Replace-Session); a 5xx or a throw saves nothing. */
  route<C extends object>(
    handler: (request: Request, context: C & { session: Session<T> | null }) => Response | Promise<Response>,
  ): (request: Request, context: C) => Promise<Response>;
  /** The request's session (server components read it; server actions and route handlers may change it). */
  getSession(): Promise<Session<T>>;
  /** Writes the session's cookies through Next's cookie store (server actions, route handlers). */
  save(session: Session<T>): Promise<void>;
}

/** The faces of one session manager for a Next.js app: `proxy`, `route`, `getSession`, `save`. */
export declare function nextSession<T = string>(options: SessionManager<T> | SessionManagerOptions): NextSessions<T>;

export type { Session };
export { SessionManager };
