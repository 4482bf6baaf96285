// The JavaScript faces of the front proxy in a Worker that imports the npm package (bundled by
// wrangler, run in workerd), configured like the Rust Worker. FACE = "handle" runs
// `manager.handle` with a `next` that fetches the origin; FACE = "hono" runs a Hono app whose
// handler forwards `c.req.raw` to the origin, as a typical proxy app does. SESSION_STORE = "kv" or
// "durable-object" keeps the sessions in SESSIONS (a KV namespace, or a binding to the Rust Worker's
// SessionStore class), as the Rust Worker's store does.
import { Hono } from "hono";
import { SessionManager } from "edge-session";
import { SessionManager as FullSessionManager } from "edge-session/full";
import { session } from "edge-session/hono";
import { durableObjectStore, kvStore } from "edge-session/store";

let face;

function build(env) {
  // SESSION_STORE = "kv": the session in Workers KV (the full entry carries the store's decisions).
  const stores = {
    kv: () => kvStore(env.SESSIONS),
    "durable-object": () => durableObjectStore(env.SESSIONS, { maxSessions: Number(env.SESSION_MAX_SESSIONS ?? 0) }),
  };
  const store = stores[env.SESSION_STORE]?.();
  const Manager = store ? FullSessionManager : SessionManager;
  const manager = new Manager({
    ...(store ? { store } : {}),
    keys: env.SESSION_KEYS.split(/\s+/).filter(Boolean),
    maxAge: Number(env.SESSION_MAX_AGE ?? 0),
    include: (env.SESSION_INCLUDE ?? "/").split(/[\s,]+/).filter(Boolean),
    exclude: (env.SESSION_EXCLUDE ?? "").split(/[\s,]+/).filter(Boolean),
    cookieRemove: env.SESSION_COOKIE_REMOVE === "true",
    ...(env.SESSION_ORIGIN_SECRET ? { originSecret: env.SESSION_ORIGIN_SECRET } : {}),
  });
  // The request each face hands on is addressed to the origin already (`origin`), redirects not
  // followed: forwarding is a plain fetch.
  const toOrigin = (request) => fetch(request);
  if (env.FACE === "hono") {
    const app = new Hono();
    app.use("*", session(manager, { origin: env.ORIGIN }));
    app.all("*", (c) => toOrigin(c.req.raw));
    // An error the app does not handle itself is the origin's failure.
    app.onError((e) => {
      throw e;
    });
    return (request) => app.fetch(request, env);
  }
  return (request) => manager.handle(request, toOrigin, { origin: env.ORIGIN });
}

export default {
  async fetch(request, env) {
    face ??= build(env);
    return face(request);
  },
};
