// The session for every request: `event.locals.session`.
import { generateKey } from "edge-session";
import { session } from "edge-session/sveltekit";

// Keys come from the environment (a secret store); a fresh one for a trial.
const keys = (process.env.SESSION_KEYS ?? generateKey()).split(/\s+/);
// Plain http for local trials: no Secure (keep the default attributes behind TLS).
export const handle = session({ keys, maxAge: 3600, cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" });
