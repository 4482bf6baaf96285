// One manager for the app: its faces for proxy.ts, route handlers, server components and actions.
import { generateKey } from "edge-session";
import { nextSession } from "edge-session/next";

// Keys come from the environment (a secret store); a fresh one for a trial.
const keys = (process.env.SESSION_KEYS ?? generateKey()).split(/\s+/);
// Plain http for local trials: no Secure (keep the default attributes behind TLS).
export const sessions = nextSession({ keys, maxAge: 3600, cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" });
