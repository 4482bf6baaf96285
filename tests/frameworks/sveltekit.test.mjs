// edge-session/sveltekit in a built SvelteKit app (examples/sveltekit, adapter-node), over HTTP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKey, SessionManager } from "edge-session";
import { build, client, example, serve } from "./apps.mjs";

const KEY = generateKey();
let app;
before(async () => {
  const dir = example("sveltekit");
  const ms = await build(dir, "vite", ["build", "--logLevel", "warn"]);
  console.log(`# vite build (SvelteKit, adapter-node): ${ms} ms`);
  app = await serve(dir, process.execPath, ["build"], (port) => ({ PORT: String(port), HOST: "127.0.0.1", ORIGIN: `http://127.0.0.1:${port}`, SESSION_KEYS: KEY }));
});
after(() => app?.stop());

const form = (fields) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", origin: app.base }, body: new URLSearchParams(fields) });

test("a form action logs in (remember me, regenerate, a flash) and load functions read the session", async () => {
  const get = client(app.base);
  const login = await get("/?/login", form({ user: "alice", remember: "on" }));
  assert.equal(login.status, 303, app.output());
  const [line] = login.headers.getSetCookie();
  assert.match(line, /^session=[A-Za-z0-9_-]+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
  assert.equal(login.headers.get("cache-control"), "private, no-store");
  assert.match(login.headers.get("vary") ?? "", /Cookie/);
  const page = await (await get("/")).text();
  assert.match(page, /<p id="notice">Welcome, alice<\/p>/);
  assert.match(page, /<p id="user">alice<\/p>/);
  assert.doesNotMatch(await (await get("/")).text(), /id="notice"/, "the flash shows once");
  await get("/?/visit", form({}));
  await get("/?/visit", form({}));
  assert.deepEqual(await (await get("/api/whoami")).json(), { user: "alice", visits: 2 });
});

test("an action that fails (error 500) saves nothing", async () => {
  const get = client(app.base);
  await get("/?/login", form({ user: "alice" }));
  const failed = await get("/?/fail", form({}));
  assert.equal(failed.status, 500);
  assert.deepEqual(failed.headers.getSetCookie(), []);
  assert.equal((await (await get("/api/whoami")).json()).user, "alice");
});

test("an endpoint's X-Replace-Session is merged and removed; a client's X-Session is not the session", async () => {
  const get = client(app.base);
  await get("/?/login", form({ user: "bob" }));
  const res = await get("/api/whoami", { method: "POST", headers: { origin: app.base } });
  assert.equal(res.headers.get("x-replace-session"), null);
  const cookie = res.headers.getSetCookie()[0].split(";")[0];
  const s = new SessionManager({ keys: [KEY] }).load(cookie);
  assert.deepEqual([s.get("user"), s.get("role")], ["bob", "admin"]);
  const forged = await fetch(`${app.base}/api/whoami`, { headers: { "x-session": "user=admin" } });
  assert.equal((await forged.json()).user, null);
});

test("a logout removes the cookie", async () => {
  const get = client(app.base);
  await get("/?/login", form({ user: "carol" }));
  const out = await get("/?/logout", form({}));
  assert.match(out.headers.getSetCookie()[0], /^session=; Max-Age=0;/);
  assert.equal((await (await get("/api/whoami")).json()).user, null);
});
