// Next.js (App Router; tested with Next.js 16): `nextSession(options)` gives the faces of one manager.
//   proxy.ts                        export const proxy = sessions.proxy
//       the request side of the front proxy: a client-sent X-Session removed in every spelling, the
//       session (signed with originSecret) set in it for the app, or for the origin a rewrite sends
//       the request to.
//   route handlers  export const POST = sessions.route(async (request, { session }) => ...)
//       the whole flow around a handler: the session loaded, the handler's changes and its
//       X-Replace-Session saved on its response; a 5xx or a thrown error saves nothing.
//   server components  const session = await sessions.getSession()       (reading)
//   server actions     const session = await sessions.getSession(); ...; await sessions.save(session)
// Decisions are the core's (the same plans as handle, Hono, Express, SvelteKit and Astro).
// With their extensions: `next` has no exports map, and node itself (not only bundlers) imports these.
import { NextResponse } from "next/server.js";
import { cookies, headers } from "next/headers.js";
import { SessionManager } from "edge-session";
import { FLOW, around, execute, log } from "./handle.js";

/**
 * @param {SessionManager | import("edge-session").SessionManagerOptions} options a manager, or options for one
 */
export function nextSession(options) {
  const manager = options?.[FLOW] ? options : new SessionManager(options);
  const { planRequest } = manager[FLOW];
  return {
    manager,

    /** proxy.ts: the request side of the flow, `NextResponse.next` with the request's new headers. */
    proxy(request) {
      const url = new URL(request.url);
      const plan = planRequest(manager, request.method, url.host, url.pathname + url.search, request.headers, Date.now());
      try {
        log(plan.notices);
        const forwarded = execute(new Headers(request.headers), plan.headers);
        return NextResponse.next({ request: { headers: forwarded } });
      } finally {
        plan.session?.free();
      }
    },

    /** A route handler with the session: `(request, context) => Response`, context.session added. */
    route(handler) {
      return (request, context = {}) => around(manager, request, (session) => handler(request, { ...context, session }));
    },

    /** The request's session, from its Cookie header (server components, server actions). */
    async getSession() {
      return manager.load((await headers()).get("cookie"));
    },

    /**
     * Saves `session` through Next's cookie store (server actions and route handlers; server
     * components cannot set cookies): every Set-Cookie line `saveAll` gives, as Next reads it.
     */
    async save(session) {
      const lines = manager.saveAll(session);
      if (lines.length === 0) return;
      // Next's own reading of a Set-Cookie line (its ResponseCookies), handed to its cookie store.
      const parsed = new NextResponse(null, { headers: lines.map((line) => ["set-cookie", line]) });
      const store = await cookies();
      for (const cookie of parsed.cookies.getAll()) {
        // A removal (the core's only empty value: Next's reading drops it and its Max-Age=0): `delete`,
        // which Next writes with an expiry in the past.
        if (!cookie.value) store.delete({ name: cookie.name, path: cookie.path, domain: cookie.domain });
        else store.set(cookie);
      }
    },
  };
}

export { SessionManager };
