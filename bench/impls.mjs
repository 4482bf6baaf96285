// The session round trips the benchmark compares, runnable in node and in workerd (bundled by
// wrangler for bench/workerd/). One round trip: parse the Cookie header, open the session, apply a
// 2-key update (count, last), seal it, produce the Set-Cookie value.
//
// Each implementation: { name, kind, async prepare(size) -> state, roundTrip(state, i), read?(state) },
// where roundTrip (a write) returns the Set-Cookie value and read (the common request: the session
// is only read, nothing is re-sealed) returns the value of key0 — or a promise of either: async
// designs are awaited, as their callers must. A write's cookie is the one the next request sends;
// a read sends the cookie of the last write again. edge-session keeps the cookies it opened and
// the ones it wrote (`openCache`): its "write" rows switch that off, so that every open decrypts as
// the baselines' do; "read" and "mix" run with it, as deployed.
import { SessionManager, Session, generateKey } from "edge-session";
// The apache format is in the full entry (its own, larger wasm).
import { SessionManager as FullSessionManager } from "edge-session/full";
import { session as edgeHono } from "edge-session/hono";
import { sealData, unsealData } from "iron-session";
import { jweEncrypt, jweDecrypt, createEncryptionKey } from "@hono/session/cookies";
import { sessionMiddleware, CookieStore } from "hono-sessions";
import { Hono } from "hono";

/** `size` entries like an application's: key0..keyN-1, 25-character values. */
export function entries(size) {
  return Array.from({ length: size }, (_, i) => [`key${i}`, `value-${i}-${"x".repeat(18)}`]);
}

const PASSWORD = "a benchmark password that is long enough, 2026-11";
const COOKIE = "session";
const cookieHeader = (value) => `theme=dark; ${COOKIE}=${value}; _ga=GA1.2.3`;

/** The value of cookie `name` in a Cookie header (what every JS library does by hand). */
function cookieValue(header, name) {
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function edge(name, options, Manager = SessionManager) {
  return {
    name: `edge-session ${name}`,
    kind: "edge",
    async prepare(size) {
      // Sliding expiry with SessionExpiryUpdateInterval: a read inside the interval writes nothing.
      const o = { ...options(), maxAge: 3600, expiryUpdateInterval: 300 };
      const manager = new Manager(o);
      // The "write" rows decrypt on every open, like the baselines: without the open cache (which
      // would otherwise know each cookie from the write before it).
      const cold = new Manager({ ...o, openCache: 0 });
      const s = manager.load(null);
      for (const [k, v] of entries(size)) s.set(k, v);
      const header = cookieHeader(manager.save(s).split(";")[0].slice(COOKIE.length + 1));
      s.free();
      return { manager, cold, header };
    },
    roundTrip(state, i, mode) {
      const m = mode === "write" ? state.cold : state.manager;
      const s = m.load(state.header);
      s.applyUpdate(`count=${i}&last=x`);
      const out = m.save(s);
      s.free();
      state.header = cookieHeader(out.slice(COOKIE.length + 1, out.indexOf(";")));
      return out;
    },
    read(state) {
      const s = state.manager.load(state.header);
      const value = s.get("key0");
      const out = state.manager.save(s);
      s.free();
      if (out !== null) throw new Error("a read re-sealed the session");
      return value;
    },
  };
}

// A hand-written AES-256-GCM cookie on the platform's WebCrypto: JSON body, random 96-bit IV,
// base64url. The practical floor for an async design (native AES, no library around it).
const webcrypto = {
  name: "WebCrypto AES-GCM (hand-written)",
  kind: "baseline",
  async prepare(size) {
    const key = await crypto.subtle.importKey("raw", crypto.getRandomValues(new Uint8Array(32)), "AES-GCM", false, [
      "encrypt",
      "decrypt",
    ]);
    const state = { key, enc: new TextEncoder(), dec: new TextDecoder() };
    const header = cookieHeader(await wcSeal(state, Object.fromEntries(entries(size))));
    return { ...state, header };
  },
  async roundTrip(state, i) {
    const value = cookieValue(state.header, COOKIE);
    const data = await wcOpen(state, value);
    data.count = String(i);
    data.last = "x";
    return `${COOKIE}=${await wcSeal(state, data)}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax`;
  },
  /** The open-only baseline: decrypt and parse, nothing written. */
  async read(state) {
    return (await wcOpen(state, cookieValue(state.header, COOKIE))).key0;
  },
};

async function wcSeal({ key, enc }, data) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, enc.encode(JSON.stringify(data))));
  const out = new Uint8Array(12 + ct.length);
  out.set(iv);
  out.set(ct, 12);
  return toBase64url(out);
}

async function wcOpen({ key, dec }, value) {
  const bytes = fromBase64url(value);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: bytes.subarray(0, 12) }, key, bytes.subarray(12));
  return JSON.parse(dec.decode(plain));
}

function toBase64url(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(value) {
  const s = atob(value.replaceAll("-", "+").replaceAll("_", "/"));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

// iron-session's sealData / unsealData (iron: AES-256-CBC + HMAC-SHA256, PBKDF2 per seal).
const iron = {
  name: "iron-session 9",
  kind: "peer",
  async prepare(size) {
    const header = cookieHeader(await sealData(Object.fromEntries(entries(size)), { password: PASSWORD, ttl: 3600 }));
    return { header };
  },
  async roundTrip({ header }, i) {
    const data = await unsealData(cookieValue(header, COOKIE), { password: PASSWORD, ttl: 3600 });
    data.count = String(i);
    data.last = "x";
    const sealed = await sealData(data, { password: PASSWORD, ttl: 3600 });
    return `${COOKIE}=${sealed}; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax`;
  },
  async read({ header }) {
    return (await unsealData(cookieValue(header, COOKIE), { password: PASSWORD, ttl: 3600 })).key0;
  },
};

// @hono/session's cookie codec (JWE, dir + A256GCM, via jose), driven outside a request.
const honoSession = {
  name: "@hono/session 0.2 (JWE)",
  kind: "peer",
  async prepare(size) {
    const key = await createEncryptionKey(crypto.getRandomValues(new Uint8Array(32)));
    const { jwe } = await jweEncrypt(Object.fromEntries(entries(size)), key, { absolute: 3600 });
    return { key, header: cookieHeader(jwe) };
  },
  async roundTrip({ key, header }, i) {
    const { payload } = await jweDecrypt(cookieValue(header, COOKIE), key);
    const { exp: _exp, iat: _iat, ...data } = payload;
    data.count = String(i);
    data.last = "x";
    const { jwe, maxAge } = await jweEncrypt(data, key, { absolute: 3600 });
    return `${COOKIE}=${jwe}; Max-Age=${maxAge}; Path=/; HttpOnly; Secure; SameSite=Lax`;
  },
  async read({ key, header }) {
    return (await jweDecrypt(cookieValue(header, COOKIE), key)).payload.key0;
  },
};

// Middleware pair, through Hono's app.request (in process, no network): hono-sessions cannot be
// driven outside a request, so edge-session's Hono middleware is measured the same way beside it.
function honoApp(name, kind, install, update) {
  return {
    name,
    kind,
    async prepare(size) {
      const app = new Hono();
      install(app);
      app.get("/seed", (c) => {
        for (const [k, v] of entries(size)) c.get("session").set(k, v);
        return c.text("seeded");
      });
      app.get("/", (c) => {
        update(c.get("session"), c.req.query("i"));
        return c.text("ok");
      });
      const seeded = await app.request("http://127.0.0.1/seed");
      const cookie = seeded.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      return { app, header: `theme=dark; ${cookie}` };
    },
    async roundTrip({ app, header }, i) {
      const res = await app.request(`http://127.0.0.1/?i=${i}`, { headers: { cookie: header } });
      return res.headers.get("set-cookie");
    },
  };
}

const honoSessions = honoApp(
  "hono-sessions 0.8 (Hono middleware)",
  "middleware",
  (app) => {
    const store = new CookieStore();
    app.use("*", sessionMiddleware({ store, encryptionKey: PASSWORD, expireAfterSeconds: 3600, sessionCookieName: COOKIE }));
  },
  (s, i) => {
    s.set("count", i);
    s.set("last", "x");
  },
);

const edgeHonoSealed = honoApp(
  "edge-session sealed (Hono middleware)",
  "middleware",
  // Every request sends the same cookie: without the open cache each one is decrypted, as in
  // the other write rows.
  (app) => app.use("*", edgeHono({ keys: [generateKey()], maxAge: 3600, openCache: 0 })),
  (s, i) => {
    s.set("count", i);
    s.set("last", "x");
  },
);

const HONO_ALONE = "Hono app alone (no session: the middleware rows' floor)";

/** The middleware rows' app and request without any session middleware: what Hono itself costs,
 *  so that a middleware's own cost is its row minus this one. */
const honoAlone = {
  name: HONO_ALONE,
  kind: "baseline",
  async prepare(size) {
    const app = new Hono();
    app.get("/", (c) => c.text(c.req.query("i") ? "ok" : "no"));
    // A Cookie header of the same size as the middleware rows' (a sealed session of `size` keys).
    const m = new SessionManager({ keys: [generateKey()] });
    const s = m.load(null);
    for (const [k, v] of entries(size)) s.set(k, v);
    const header = cookieHeader(m.save(s).split(";")[0].slice(COOKIE.length + 1));
    s.free();
    return { app, header };
  },
  async roundTrip({ app, header }, i) {
    return (await app.request(`http://127.0.0.1/?i=${i}`, { headers: { cookie: header } })).text();
  },
};

/** Every implementation, in table order. */
export const IMPLS = [
  edge("sealed", () => ({ keys: [generateKey()] })),
  edge("apache", () => ({ format: "apache", keys: [`${PASSWORD} apache`] }), FullSessionManager),
  edge("plain", () => ({ format: "plain" })),
  webcrypto,
  iron,
  honoSession,
  edgeHonoSealed,
  honoSessions,
  honoAlone,
];

/** The name of the row that the middleware rows' own cost is measured over. */
export { HONO_ALONE };

/**
 * What one request does: "write" (open, update, seal), "read" (open only; nothing re-sealed) or
 * "mix" (the realistic mix: 9 reads of the current cookie, then a write, in every 10 requests).
 */
export const MODES = ["write", "read", "mix"];

/** Whether `impl` can run `mode` (the middleware rows only write). */
export const supports = (impl, mode) => mode === "write" || typeof impl.read === "function";

/** Runs `n` requests of `mode`; awaits only implementations that return promises. */
export async function run(impl, state, n, offset = 0, mode = "write") {
  // What every read must return (computed once: the loop's own work is not the session's).
  const expected = entries(1)[0][1];
  let last;
  let wrote;
  for (let i = 0; i < n; i++) {
    const k = offset + i;
    const write = mode === "write" || (mode === "mix" && k % 10 === 9);
    last = write ? impl.roundTrip(state, k, mode) : impl.read(state, k);
    if (last instanceof Promise) last = await last;
    if (write) wrote = last;
    else if (last !== expected) throw new Error(`${impl.name}: read ${last}`);
  }
  // Every round trip writes the session, but the floor of the middleware rows, which has none.
  if (impl.kind !== "baseline" && wrote !== undefined && (typeof wrote !== "string" || !wrote.startsWith(`${COOKIE}=`))) {
    throw new Error(`${impl.name}: no Set-Cookie (${wrote})`);
  }
  return String(last);
}

export { Session };
