// A JavaScript Worker that imports the npm package (bundled by wrangler, run in workerd) and runs
// the same front proxy as the Rust Worker with `manager.handle`.
import { SessionManager } from "edge-session";

let manager;

export default {
  async fetch(request, env) {
    manager ??= new SessionManager({
      keys: env.SESSION_KEYS.split(/\s+/).filter(Boolean),
      maxAge: Number(env.SESSION_MAX_AGE ?? 0),
      include: (env.SESSION_INCLUDE ?? "/").split(/[\s,]+/).filter(Boolean),
      exclude: (env.SESSION_EXCLUDE ?? "").split(/[\s,]+/).filter(Boolean),
      cookieRemove: env.SESSION_COOKIE_REMOVE === "true",
    });
    return manager.handle(request, (upstream) => {
      const url = new URL(upstream.url);
      return fetch(new Request(`${env.ORIGIN}${url.pathname}${url.search}`, upstream), { redirect: "manual" });
    });
  },
};
