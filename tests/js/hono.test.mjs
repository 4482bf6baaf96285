// The Hono middleware (`edge-session/hono`), tested with Hono itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { session } from "edge-session/hono";
import { generateKey } from "edge-session";

function app() {
  const a = new Hono();
  a.use("*", session({ keys: [generateKey()], maxAge: 600, exclude: ["/public"] }));
  a.get("/login/:user", (c) => {
    c.get("session").set("user", c.req.param("user"));
    return c.text("logged in");
  });
  a.get("/", (c) => c.text(`hello ${c.get("session").get("user") ?? "stranger"}`));
  a.get("/logout", (c) => {
    c.get("session").clear();
    return c.text("bye");
  });
  a.get("/header-login", (c) => c.text("via header", 200, { "X-Replace-Session": "user=carol" }));
  a.get("/public/x", (c) => c.text(`session: ${c.get("session")}`));
  return a;
}

const cookieOf = (res) => res.headers.getSetCookie().find((c) => c.startsWith("session="))?.split(";")[0];

test("login, greet, logout through the context", async () => {
  const a = app();
  const login = await a.request("/login/alice");
  assert.equal(await login.text(), "logged in");
  const cookie = cookieOf(login);
  assert.ok(cookie);
  assert.equal(login.headers.get("cache-control"), "private, no-store");
  const hello = await a.request("/", { headers: { cookie } });
  assert.equal(await hello.text(), "hello alice");
  const bye = await a.request("/logout", { headers: { cookie } });
  assert.match(bye.headers.getSetCookie()[0], /^session=; Max-Age=0/);
  assert.equal(await (await a.request("/")).text(), "hello stranger");
});

test("a handler may also answer with X-Replace-Session", async () => {
  const a = app();
  const res = await a.request("/header-login");
  assert.equal(res.headers.get("x-replace-session"), null);
  assert.equal(await (await a.request("/", { headers: { cookie: cookieOf(res) } })).text(), "hello carol");
});

test("excluded paths see no session and set no cookie", async () => {
  const res = await app().request("/public/x");
  assert.equal(await res.text(), "session: null");
  assert.deepEqual(res.headers.getSetCookie(), []);
});

test("handlers see the rewritten request: no client X-Session in any spelling, no session cookie with cookieRemove (CVE-2018-1283)", async () => {
  const a = new Hono();
  const key = generateKey();
  a.use("*", session({ keys: [key], cookieRemove: true }));
  a.get("/login", (c) => c.text("in", 200, { "X-Replace-Session": "user=alice" }));
  // A typical proxy app: forwards the raw request to its origin.
  a.get("/forward", (c) => c.json({ session: c.req.raw.headers.get("x-session"), x_session: c.req.header("x_session") ?? null, cookie: c.req.header("cookie") ?? null }));
  const cookie = cookieOf(await a.request("/login"));
  const res = await a.request("/forward", { headers: { cookie: `a=1; ${cookie}`, "x-session": "user=admin", x_session: "user=admin" } });
  assert.deepEqual(await res.json(), { session: "user=alice", x_session: null, cookie: "a=1" });
});
