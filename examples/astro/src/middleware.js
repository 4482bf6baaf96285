// The session for every request: `Astro.locals.session` and `context.locals.session`.
import { generateKey } from "edge-session";
import { session } from "edge-session/astro";

// Keys come from the environment (a secret store); a fresh one for a trial.
const keys = (process.env.SESSION_KEYS ?? generateKey()).split(/\s+/);
// Plain http for local trials: no Secure (keep the default attributes behind TLS).
export const onRequest = session({ keys, maxAge: 3600, cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" });
