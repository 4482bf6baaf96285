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
import { FLOW, STORE, answerResponse, around, execute, log, planIn, planOut, release, storeUnavailable } from "./handle.js";

/**
 * @param {SessionManager | import("edge-session").SessionManagerOptions} options a manager, or options for one
 */
export function nextSession(options) {
  const manager = options?.[FLOW] ? options : new SessionManager(options);
  // With a store: what getSession read, for save (the store's cookie and the plan's state).
  const read = new WeakMap();
  return {
    manager,

    /** proxy.ts: the request side of the flow, `NextResponse.next` with the request's new headers. */
    async proxy(request) {
      const url = new URL(request.url);
      let plan;
      try {
        plan = planIn(manager, request.method, url.host, url.pathname + url.search, request.headers, Date.now());
        if (plan instanceof Promise) plan = await plan;
      } catch (e) {
        if (e?.code === "ERR_STORE_UNAVAILABLE") return storeUnavailable();
        throw e;
      }
      try {
        log(plan.notices);
        if (plan.answer) return answerResponse(plan.answer);
        const forwarded = execute(new Headers(request.headers), plan.headers);
        return NextResponse.next({ request: { headers: forwarded } });
      } finally {
        release(plan);
      }
    },

    /** A route handler with the session: `(request, context) => Response`, context.session added. */
    route(handler) {
      return (request, context = {}) => around(manager, request, (session) => handler(request, { ...context, session }));
    },

    /** The request's session, from its Cookie header (server components, server actions). */
    async getSession() {
      const h = await headers();
      if (!manager[STORE]) return manager.load(h.get("cookie"));
      // With a store: the record the cookie names, read as a request's plan reads it.
      const plan = await planIn(manager, "GET", h.get("host") ?? "", "/", [...h], Date.now());
      const session = plan.session;
      read.set(session, plan);
      return session;
    },

    /**
     * Saves `session` through Next's cookie store (server actions and route handlers; server
     * components cannot set cookies): every Set-Cookie line the save gives, as Next reads it.
     * With a store, the record is written first.
     */
    async save(session) {
      let lines;
      const plan = read.get(session);
      if (plan) {
        read.delete(session);
        try {
          const r = await planOut(manager, plan, [], Date.now(), false);
          log(r.notices);
          lines = r.headers.filter(([op, name]) => op === "append" && name === "set-cookie").map(([, , line]) => line);
        } finally {
          plan.ctx?.cookie.free();
        }
      } else {
        lines = manager.saveAll(session);
      }
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
