// Compiled (not run) by `tsc -p tests/frameworks`: the adapters' types against their frameworks'
// own (with skipLibCheck, as these frameworks' starters set it: their declarations do not all
// check against each other's).
import type { Handle } from "@sveltejs/kit";
import type { MiddlewareHandler } from "astro";
import { SessionManager, generateKey } from "edge-session";
import { session as svelteSession } from "edge-session/sveltekit";
import { session as astroSession } from "edge-session/astro";

type Data = { user: string; visits: number };
const sessions = new SessionManager<Data>({ keys: [generateKey()] });
const handle: Handle = svelteSession(sessions);
const onRequest: MiddlewareHandler = astroSession({ keys: [generateKey()] });
export const hooks = [handle, onRequest];

// edge-session/next: the faces of one manager.
import { nextSession } from "edge-session/next";
const next = nextSession(sessions);
export const route = next.route(async (_request, { session }) => Response.json({ visits: session?.get("visits") ?? 0 }));
export const proxy = next.proxy;
export async function action() {
  const s = await next.getSession();
  s.set("visits", 1);
  // @ts-expect-error: visits is a number
  s.set("visits", "one");
  await next.save(s);
}
