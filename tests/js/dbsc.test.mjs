// Device-bound sessions (W3C DBSC) through `handle` in node (the `edge-session/device-bound` entry),
// driven by the protocol client written from the draft; Hono and the other faces execute the same
// plan (tests/frameworks/parity.test.mjs holds them to handle's answers). The clock moves by
// shifting Date.now, which handle and the client's jar both read.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionManager, generateKey } from "edge-session/device-bound";
import { SessionManager as DefaultManager } from "edge-session";
import { Hono } from "hono";
import { session as edgeSession } from "edge-session/hono";
import { dbscSuite, originAnswer } from "../support/dbsc-suite.mjs";
import { Device, deviceKey } from "../support/dbsc-client.mjs";

const MAX_AGE = 600;
const realNow = Date.now;

function face(manager = new SessionManager({ keys: [generateKey()], deviceBound: true, maxAge: 3600 })) {
  let offset = 0;
  Date.now = () => realNow() + offset;
  const next = async (req) => {
    const a = originAnswer(req.method, new URL(req.url).pathname, req.headers.get("x-session"));
    return new Response(a.body, { status: a.status, headers: a.headers });
  };
  const send = (method, path, headers) => manager.handle(new Request(`https://app.example${path}`, { method, headers }), next);
  return {
    manager,
    send,
    advance: (s) => (offset += s * 1000),
    clock: () => Date.now() / 1000,
    close: async () => (Date.now = realNow),
  };
}

test("the DBSC protocol against handle in node", async (t) => {
  await dbscSuite(t, { start: async () => face(), maxAge: MAX_AGE, canAdvance: true });
});

test("the Hono middleware executes the same endpoints", async () => {
  const manager = new SessionManager({ keys: [generateKey()], deviceBound: true });
  const app = new Hono();
  app.use(edgeSession(manager));
  app.post("/login", (c) => c.body("{}", 200, { "x-replace-session": "user=alice" }));
  app.get("/me", (c) => c.json({ session: c.req.header("x-session") ?? null }));
  const send = (method, path, headers) => app.request(`https://app.example${path}`, { method, headers });
  const d = new Device(send, await deviceKey());
  await d.fetch("POST", "/login");
  assert.ok(d.session, "registered through Hono");
  assert.match((await (await d.fetch("GET", "/me")).json()).session, /^user=alice&!bound=1&!issued=\d+$/);
  assert.equal((await (await d.fetch("GET", "/me", {}, { drop: [d.session.credential] })).json()).session, "");
  const res = await d.refresh();
  assert.equal(res.status, 200);
});

test("the default entry refuses deviceBound and names the entry that has it", () => {
  assert.throws(
    () => new DefaultManager({ keys: [generateKey()], deviceBound: true }),
    (e) => e.code === "ERR_DEVICE_BOUND_UNAVAILABLE" && /deviceBound: device-bound sessions are in the edge-session\/device-bound entry/.test(e.message),
  );
  assert.throws(() => new SessionManager({ keys: [generateKey()], deviceBound: true, format: "plain" }), /deviceBound: needs the sealed format/);
  assert.throws(() => new SessionManager({ keys: [generateKey()], deviceBound: true, deviceBoundPath: "dbsc" }), /deviceBoundPath: path "dbsc" must start with/);
  assert.throws(() => new SessionManager({ keys: [generateKey()], deviceBoundMaxAge: 5 }), /deviceBoundMaxAge: must be from 10 to 86400, not 5/);
});

test("soft binding through handle: another browser family is reported (X-Session), or regenerates", async () => {
  for (const mode of ["report", "regenerate"]) {
    const manager = new SessionManager({ keys: [generateKey()], clientBinding: mode });
    const next = async (req) => {
      if (new URL(req.url).pathname === "/login") return new Response("{}", { headers: { "x-replace-session": "user=alice" } });
      return Response.json({ session: req.headers.get("x-session") });
    };
    const send = (path, headers) => manager.handle(new Request(`https://app.example${path}`, { headers }), next);
    const chrome = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0 Safari/537.36";
    const login = await send("/login", { "user-agent": chrome });
    const cookie = login.headers.getSetCookie()[0].split(";")[0];
    assert.equal((await (await send("/me", { cookie, "user-agent": chrome })).json()).session, "user=alice");
    const other = await send("/me", { cookie, "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile Safari/604.1" });
    assert.equal((await other.json()).session, "user=alice&!client=changed");
    // Never a logout: the session stays; "report" keeps the login's fingerprint (nothing written),
    // "regenerate" writes the session again from the new client, under a new issue time.
    assert.equal(other.headers.getSetCookie().length, mode === "regenerate" ? 1 : 0, mode);
  }
  assert.throws(() => new DefaultManager({ keys: [generateKey()], clientBinding: "report" }), (e) => e.code === "ERR_DEVICE_BOUND_UNAVAILABLE" && /^clientBinding: /.test(e.message));
});

test("every JavaScript face answers the DBSC endpoints the same: handle, Hono, Express, SvelteKit's and Astro's hooks, Next's proxy", async () => {
  const { session: expressSession } = await import("edge-session/express");
  const { session: svelteSession } = await import("edge-session/sveltekit");
  const { session: astroSession } = await import("edge-session/astro");
  const { nextSession } = await import("edge-session/next");
  const express = (await import("express")).default;
  const { createServer } = await import("node:http");
  const manager = new SessionManager({ keys: [generateKey()], deviceBound: true });
  const app = () => new Response("the app");
  const hono = new Hono();
  hono.use(edgeSession(manager));
  hono.all("*", () => app());
  const ex = express();
  ex.use(expressSession(manager));
  ex.use((_req, res) => res.send("the app"));
  const server = createServer(ex);
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const faces = {
    handle: (req) => manager.handle(req, app),
    hono: (req) => hono.fetch(req),
    express: (req) => fetch(base + new URL(req.url).pathname, { method: req.method, headers: req.headers }),
    sveltekit: (req) => svelteSession(manager)({ event: { request: req, locals: {} }, resolve: app }),
    astro: (req) => astroSession(manager)({ request: req, locals: {} }, app),
    next: (req) => nextSession(manager).proxy(req),
  };
  const requests = [
    ["POST", "/__edge-session/dbsc/refresh", { "sec-secure-session-id": '"abc"' }],
    ["POST", "/__edge-session/dbsc/register", { "secure-session-response": "x.y.z" }],
    ["GET", "/__edge-session/dbsc/refresh", {}],
  ];
  try {
    for (const [method, path, headers] of requests) {
      const seen = {};
      for (const [name, face] of Object.entries(faces)) {
        const res = await face(new Request(`http://app.example${path}`, { method, headers }));
        seen[name] = { status: res.status, body: await res.text(), type: res.headers.get("content-type"), cookies: res.headers.getSetCookie().map((c) => c.split("=")[0]) };
      }
      for (const [name, got] of Object.entries(seen)) assert.deepEqual(got, seen.handle, `${name}: ${method} ${path}`);
      assert.notEqual(seen.handle.body, "the app");
    }
  } finally {
    server.close();
  }
});
