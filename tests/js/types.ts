// Compiled (not run) by `tsc -p tests/js`: the package's types as a TypeScript user sees them.
import { SessionManager, Session, generateKey, type SessionManagerOptions, type SessionStatus } from "edge-session";

const options: SessionManagerOptions = { keys: [generateKey()], maxAge: 3600, format: "sealed", include: ["/"] };
const manager = new SessionManager(options);
const session: Session = manager.load(null, Date.now());
session.set("user", "alice");
const setCookie: string | null = manager.save(session);
const expiry: number | null = session.expiry;
const status: SessionStatus = session.status;
const entries: Array<[string, unknown]> = session.entries();
const value = session.get("user");
session.applyUpdate("cart=3");
export const used = [setCookie, expiry, status, entries, value, manager.appliesTo("/"), manager.cookieName];

// @ts-expect-error: not a format
new SessionManager({ format: "rot13" });
// @ts-expect-error: keys is a list
new SessionManager({ keys: "one" });

// handle(request, next) and the Hono middleware.
import { Hono } from "hono";
import { session as sessionMiddleware } from "edge-session/hono";
const proxied: Promise<Response> = manager.handle(new Request("http://x/"), (req: Request, s?: Session) => new Response(String(s?.get("user") ?? req.url)));
const forwarded: Promise<Response> = manager.handle(new Request("http://x/"), (req) => fetch(req), { origin: "https://origin.example" });
// @ts-expect-error: the origin is a URL string
manager.handle(new Request("http://x/"), (req) => fetch(req), { origin: 443 });
import type { Env } from "edge-session/hono";
const app = new Hono<Env>();
app.use("*", sessionMiddleware({ keys: [generateKey()], openCacheBytes: 1 << 20 }, { origin: "https://origin.example" }));
app.get("/", (c) => c.text(String(c.get("session")?.get("user") ?? "stranger")));
export const more = [proxied, forwarded, app];

// Typed sessions: SessionManager<K> hands out Session<K>, whose keys are checked.
type Keys = "user" | "role";
const typed = new SessionManager<Keys>({ keys: [generateKey()] });
const ts: Session<Keys> = typed.load("session=x");
ts.set("user", "alice");
const role = ts.get("role");
// @ts-expect-error: "usr" is not one of the declared keys
ts.get("usr");
// @ts-expect-error: nor in set
ts.set("admin", "yes");
const typedCookie: string | null = typed.save(ts);
const anyKey: Session = manager.load(null);
anyKey.get("anything at all");
typed.handle(new Request("http://x/"), (_req, s) => new Response(String(s?.get("user") ?? "")));
// @ts-expect-error: the session handed to next is typed too
typed.handle(new Request("http://x/"), (_req, s) => new Response(String(s?.get("usr") ?? "")));
export const typedUse = [role, typedCookie, new Session().size];

// The full entry: the same API, the apache format, and inspect.
import { SessionManager as FullManager, inspect, type Inspection, type InspectOptions } from "edge-session/full";
const apache = new FullManager({ format: "apache", keys: ["a passphrase of more than thirty-two characters"], cipher: "aes128" });
const inspectOptions: InspectOptions = { keys: [generateKey()], cookieName: "session" };
const inspection: Inspection = inspect("session=x", inspectOptions);
const problem: string | undefined = inspection.problem?.code;
const fullSession: Session = apache.load(null);
export const fullUse = [problem, fullSession, apache.handle(new Request("http://x/"), () => new Response(""))];
// @ts-expect-error: inspect is the full entry's
import { inspect as notInDefault } from "edge-session";

// Values with their types: SessionManager<{ ... }> types keys and values.
type Shop = { user: string; cart: { items: number[] }; visits: number };
const shop = new SessionManager<Shop>({ keys: [generateKey()] });
const sh = shop.load(null);
sh.set("cart", { items: [1, 2] });
sh.set("visits", 3);
const items: number[] | undefined = sh.get("cart")?.items;
const visits: number | undefined = sh.get("visits");
// @ts-expect-error: visits is a number
sh.set("visits", "three");
// @ts-expect-error: not a key of Shop
sh.get("role");
sh.flash("user", "bob");
sh.maxAge = 30 * 86400;
const remember: number | null = sh.maxAge;
const token: string = shop.sealToken({ email: "a@example.com" }, { purpose: "magic-link", ttl: 900 });
const opened = shop.openToken<{ email: string }>(token, { purpose: "magic-link" });
const email: string | undefined = opened?.email;
// @ts-expect-error: a purpose is required
shop.sealToken("x", { ttl: 60 });
const shopApp = new Hono<Env<Shop>>();
shopApp.use("*", sessionMiddleware(shop));
shopApp.get("/", (c) => c.json({ items: c.get("session")?.get("cart")?.items ?? [] }));
export const shopUse = [items, visits, remember, email, shopApp];

// edge-session/express: req.session is typed.
import express from "express";
import { session as expressSession } from "edge-session/express";
const ex = express();
ex.use(expressSession({ keys: [generateKey()] }));
ex.use(expressSession(shop));
ex.get("/", (req, res) => {
  req.session?.set("user", "alice");
  res.send(String(req.session?.get("user")));
});
export const expressUse = [ex];


// A server-side store (the full entry's manager).
import { kvStore, redisStore, type SessionStore } from "edge-session/store";
declare const namespace: { get(key: string): Promise<string | null>; put(key: string, value: string, options?: { expirationTtl?: number }): Promise<unknown>; delete(key: string): Promise<unknown> };
const kv: SessionStore = kvStore(namespace, { outage: "error" });
const stored = new FullManager({ keys: [generateKey()], maxAge: 3600, store: kv });
declare const redisClient: { sendCommand(args: string[]): Promise<unknown> };
const redis = new FullManager<Shop>({ keys: [generateKey()], store: redisStore(redisClient, { timeout: 500 }) });
// @ts-expect-error: outage is one of two words
kvStore(namespace, { outage: "maybe" });
export const stores = [stored, redis];
