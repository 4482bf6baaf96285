// edge-session/express in a real Express 5 server (examples/express/app.mjs) over HTTP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { generateKey, SessionManager } from "edge-session";
import { createApp } from "../../examples/express/app.mjs";

const KEY = generateKey();
let server, base;
before(async () => {
  server = createApp([KEY]).listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => new Promise((r) => server.close(r)));

/** A client with a cookie jar. */
function client() {
  const jar = new Map();
  return async (path, init = {}) => {
    const cookie = [...jar].map(([n, v]) => `${n}=${v}`).join("; ");
    const res = await fetch(base + path, { ...init, redirect: "manual", headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [n, v] = [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)];
      if (/Max-Age=0/.test(line)) jar.delete(n);
      else jar.set(n, v);
    }
    return res;
  };
}

test("a login through res.redirect is saved before the headers go out; the flash shows once", async () => {
  const get = client();
  const login = await get("/login", { method: "POST", body: new URLSearchParams({ user: "alice", remember: "on" }) });
  assert.equal(login.status, 303);
  const [line] = login.headers.getSetCookie();
  assert.match(line, /^session=[A-Za-z0-9_-]+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/, "remember me: the session's own max age");
  assert.equal(login.headers.get("cache-control"), "private, no-store");
  assert.match(login.headers.get("vary") ?? "", /Cookie/);
  assert.deepEqual(await (await get("/")).json(), { user: "alice", notice: "Welcome, alice", cart: { items: [] } });
  assert.deepEqual(await (await get("/")).json(), { user: "alice", notice: null, cart: { items: [] } }, "the flash is gone");
  await get("/cart/3", { method: "POST" });
  assert.deepEqual(await (await get("/cart/4", { method: "POST" })).json(), { items: [3, 4] });
  assert.deepEqual((await (await get("/")).json()).cart, { items: [3, 4] });
});

test("a handler that throws saves nothing: the session stays as it was", async () => {
  const get = client();
  await get("/login", { method: "POST", body: new URLSearchParams({ user: "alice" }) });
  const failed = await get("/fail", { method: "POST" });
  assert.equal(failed.status, 500);
  assert.deepEqual(failed.headers.getSetCookie(), []);
  assert.equal((await (await get("/")).json()).user, "alice");
});

test("X-Replace-Session from a handler is merged and never reaches the client; a client's X-Session is dropped", async () => {
  const get = client();
  await get("/login", { method: "POST", body: new URLSearchParams({ user: "bob" }) });
  const res = await get("/promote", { method: "POST" });
  assert.equal(res.headers.get("x-replace-session"), null);
  const cookie = res.headers.getSetCookie()[0].split(";")[0];
  const s = new SessionManager({ keys: [KEY] }).load(cookie);
  assert.deepEqual([s.get("user"), s.get("role")], ["bob", "admin"]);
  // A forged X-Session never becomes the session.
  const anon = await fetch(`${base}/`, { headers: { "x-session": "user=admin" } });
  assert.equal((await anon.json()).user, null);
});

test("a logout removes the cookie", async () => {
  const get = client();
  await get("/login", { method: "POST", body: new URLSearchParams({ user: "carol" }) });
  const out = await get("/logout", { method: "POST" });
  assert.match(out.headers.getSetCookie()[0], /^session=; Max-Age=0;/);
  assert.equal((await (await get("/")).json()).user, null);
});
