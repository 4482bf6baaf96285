// edge-session/next in a Next.js app (examples/next: App Router, proxy.js, a server component,
// server actions, route handlers), built with `next build` and served by `next start`, over HTTP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { generateKey, SessionManager } from "edge-session";
import { ROOT, build, client, example, serve } from "./apps.mjs";

const KEY = generateKey();
let app;
before(async () => {
  const dir = example("next");
  const ms = await build(dir, "next", ["build"], { NEXT_TELEMETRY_DISABLED: "1" });
  console.log(`# next build: ${ms} ms`);
  app = await serve(dir, join(ROOT, "node_modules/.bin/next"), ["start"], (port) => ({
    HOSTNAME: "127.0.0.1",
    PORT: String(port),
    SESSION_KEYS: KEY,
    NEXT_TELEMETRY_DISABLED: "1",
  }));
});
after(() => app?.stop());

/** The page's server actions' form fields, by the action they run (login first, then logout). */
async function actions(get) {
  const html = await (await get("/")).text();
  const ids = [...html.matchAll(/name="(\$ACTION_ID_[0-9a-f]+)"/g)].map((m) => m[1]);
  assert.equal(ids.length, 2, html);
  return { login: ids[0], logout: ids[1] };
}

/** Submits a server action's form the way a browser without JavaScript does. */
function submit(get, id, fields = {}) {
  const body = new FormData();
  body.set(id, "");
  for (const [k, v] of Object.entries(fields)) body.set(k, v);
  return get("/", { method: "POST", body, headers: { origin: app.base } });
}

const ENTITIES = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#x27;": "'" };
const text = (html, id) => new RegExp(`<p id="${id}">([^<]*)</p>`).exec(html)?.[1].replace(/&(amp|lt|gt|quot|#x27);/g, (e) => ENTITIES[e]);

test("a server action logs in through Next's cookie store; server components and route handlers read it", async () => {
  const get = client(app.base);
  const { login } = await actions(get);
  const res = await submit(get, login, { user: "alice", remember: "on" });
  assert.equal(res.status, 303, app.output());
  const [line] = res.headers.getSetCookie();
  assert.match(line, /^session=[A-Za-z0-9_-]+; Path=\/; Expires=[^;]+; Max-Age=2592000; HttpOnly; SameSite=lax$/i, "remember me, as Next writes it");
  const page = await (await get("/")).text();
  assert.equal(text(page, "user"), "alice");
  const who = await get("/api/whoami");
  assert.equal(who.headers.get("cache-control"), "private, no-store");
  assert.match(who.headers.get("vary") ?? "", /Cookie/);
  assert.deepEqual(await who.json(), { user: "alice", notice: "Welcome, alice", visits: 1 });
  assert.deepEqual(await (await get("/api/whoami")).json(), { user: "alice", notice: null, visits: 2 }, "the flash shows once");
});

test("proxy.js replaces a client's X-Session with the session's", async () => {
  const get = client(app.base);
  const { login } = await actions(get);
  await submit(get, login, { user: "bob" });
  const page = await (await get("/", { headers: { "x-session": "user=admin", "X_Session": "user=admin" } })).text();
  assert.match(text(page, "x-session"), /^user=bob&visits\.json=0&flash\.notice=Welcome%2c\+bob&expiry=\d+$/);
  const anonymous = await (await fetch(`${app.base}/`, { headers: { "x-session": "user=admin" } })).text();
  assert.equal(text(anonymous, "user"), "stranger");
  assert.match(text(anonymous, "x-session"), /^expiry=\d+$/);
});

test("a route handler's X-Replace-Session is merged and removed; one that throws saves nothing", async () => {
  const get = client(app.base);
  const { login } = await actions(get);
  await submit(get, login, { user: "carol" });
  const res = await get("/api/whoami", { method: "POST" });
  assert.equal(res.headers.get("x-replace-session"), null);
  const cookie = res.headers.getSetCookie()[0].split(";")[0];
  const s = new SessionManager({ keys: [KEY] }).load(cookie);
  assert.deepEqual([s.get("user"), s.get("role")], ["carol", "admin"]);
  const failed = await get("/api/fail", { method: "POST" });
  assert.equal(failed.status, 500);
  assert.deepEqual(failed.headers.getSetCookie(), []);
  assert.equal((await (await get("/api/whoami")).json()).user, "carol");
});

test("a server action logs out: the cookie removed", async () => {
  const get = client(app.base);
  const { login, logout } = await actions(get);
  await submit(get, login, { user: "dave" });
  const out = await submit(get, logout);
  assert.match(out.headers.getSetCookie().join("\n"), /^session=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT/im);
  assert.equal(text(await (await get("/")).text(), "user"), "stranger");
});
