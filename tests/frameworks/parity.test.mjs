// One application, every JavaScript face: the same requests through `handle`, Hono, Express,
// SvelteKit, Astro and Next.js (each in its real framework, built as its users build it), serving
// the same app (tests/frameworks/parity/app.mjs), and the same answers: what the app saw (the
// session, the X-Session it was given) and what the client got (status, Set-Cookie,
// Cache-Control, Vary, no SessionHeader). The Worker's faces are held to one another in workerd
// (tests/worker/parity.test.mjs); these are the application frameworks'.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { join } from "node:path";
import express from "express";
import { Hono } from "hono";
import { SessionManager, generateKey } from "edge-session";
import { session as honoSession } from "edge-session/hono";
import { session as expressSession } from "edge-session/express";
import { ROOT, build, example, serve } from "./apps.mjs";
import { respond } from "./parity/app.mjs";

const OPTIONS = { keys: [generateKey()], maxAge: 600, cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" };
const FACES = {};
const stops = [];

/** A node server for a fetch handler: node's request as a Request, the Response back. */
async function fetchServer(handler) {
  const server = createServer(async (req, res) => {
    const headers = new Headers();
    for (const [n, v] of Object.entries(req.headers)) for (const one of [v].flat()) headers.append(n, one);
    const response = await handler(new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers }));
    const out = {};
    for (const [n, v] of response.headers) if (n !== "set-cookie") out[n] = v;
    res.writeHead(response.status, { ...out, "set-cookie": response.headers.getSetCookie() });
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  stops.push(() => server.close());
  return `http://127.0.0.1:${server.address().port}`;
}

before(async () => {
  const manager = new SessionManager(OPTIONS);
  FACES.handle = await fetchServer((req) => manager.handle(req, (r, s) => respond(r, s)));
  const hono = new Hono();
  hono.use("*", honoSession(OPTIONS));
  hono.all("*", (c) => respond(c.req.raw, c.get("session")));
  FACES.hono = await fetchServer((req) => hono.fetch(req));
  const app = express();
  app.use(expressSession(OPTIONS));
  app.all("/p", async (req, res, next) => {
    try {
      const headers = new Headers();
      for (const [n, v] of Object.entries(req.headers)) for (const one of [v].flat()) headers.append(n, one);
      const r = await respond(new Request(`http://${req.headers.host}${req.originalUrl}`, { headers }), req.session);
      res.status(r.status);
      for (const [n, v] of r.headers) res.setHeader(n, v);
      res.send(await r.text());
    } catch (e) {
      next(e);
    }
  });
  const ex = app.listen(0, "127.0.0.1");
  await new Promise((r) => ex.once("listening", r));
  stops.push(() => ex.close());
  FACES.express = `http://127.0.0.1:${ex.address().port}`;
  const env = { PARITY_OPTIONS: JSON.stringify(OPTIONS) };
  const sk = example("tests/frameworks/parity/sveltekit");
  const astro = example("tests/frameworks/parity/astro");
  const next = example("tests/frameworks/parity/next");
  await Promise.all([
    build(sk, "vite", ["build", "--logLevel", "warn"]),
    build(astro, "astro", ["build", "--silent"]),
    build(next, "next", ["build"], { NEXT_TELEMETRY_DISABLED: "1" }),
  ]);
  const servers = await Promise.all([
    serve(sk, process.execPath, ["build"], (port) => ({ ...env, PORT: String(port), HOST: "127.0.0.1", ORIGIN: `http://127.0.0.1:${port}` })),
    serve(astro, process.execPath, ["dist/server/entry.mjs"], (port) => ({ ...env, PORT: String(port), HOST: "127.0.0.1" })),
    serve(next, join(ROOT, "node_modules/.bin/next"), ["start"], (port) => ({ ...env, PORT: String(port), HOSTNAME: "127.0.0.1", NEXT_TELEMETRY_DISABLED: "1" })),
  ]);
  [FACES.sveltekit, FACES.astro, FACES.next] = servers.map((s) => s.base);
  for (const s of servers) stops.push(s.stop);
});
after(() => stops.forEach((stop) => stop()));

/** One request through a face: what the client got and what the app saw. */
async function observe(base, op, headers) {
  const res = await fetch(`${base}/p${op ? `?op=${op}` : ""}`, { headers, redirect: "manual" });
  const text = await res.text();
  const setCookies = res.headers.getSetCookie();
  return {
    status: res.status,
    // What the app saw, as it told it (a failure's body is the framework's own error page).
    seen: res.status < 500 ? JSON.parse(text) : null,
    setCookies: setCookies.map((c) => c.replace(/^session=[^;]+/, "session=<sealed>")),
    cacheControl: res.headers.get("cache-control"),
    varyCookie: /(^|,\s*)Cookie(\s*,|$)/i.test(res.headers.get("vary") ?? ""),
    sessionHeader: res.headers.get("x-replace-session"),
    raw: setCookies.find((c) => c.startsWith("session=") && !c.startsWith("session=;"))?.split(";")[0],
  };
}

test("every face gives the same answers to the same requests", async () => {
  const login = await observe(FACES.handle, "login", {});
  const cookie = `theme=dark; ${login.raw}`;
  const typed = await observe(FACES.handle, "typed", { cookie });
  const flashed = `theme=dark; ${typed.raw}`;
  const forged = { "x-session": "user=mallory", x_session: "user=admin" };
  const cases = [
    ["", {}],
    ["login", { ...forged }],
    ["", { cookie, ...forged }],
    ["typed", { cookie }],
    ["", { cookie: flashed }],
    ["teapot", { cookie }],
    ["fail", { cookie }],
    ["logout", { cookie }],
    ["", { cookie: "session=garbage; a=1" }],
  ];
  for (const [op, headers] of cases) {
    const answers = {};
    for (const [face, base] of Object.entries(FACES)) {
      answers[face] = await observe(base, op, headers);
      delete answers[face].raw;
    }
    const label = `?op=${op} ${JSON.stringify(headers).slice(0, 50)}`;
    // A failing app: every face answers with a 5xx of its own (handle: the core's 502 for a
    // `next` that throws; the frameworks: their error handling's 500) and saves nothing.
    if (op === "fail") {
      for (const [face, a] of Object.entries(answers)) {
        assert.ok(a.status >= 500, `${face}: ${a.status}`);
        assert.deepEqual(a.setCookies, [], `${face}: nothing saved`);
        assert.equal(a.sessionHeader, null, face);
      }
      continue;
    }
    for (const face of Object.keys(FACES)) assert.deepEqual(answers[face], answers.handle, `${face} vs handle: ${label}`);
    const a = answers.handle;
    assert.equal(a.sessionHeader, null, `${label}: the SessionHeader never reaches the client`);
    assert.doesNotMatch(a.seen.xSession, /mallory|admin$/, `${label}: only the face sets X-Session`);
    if (op === "login") assert.match(a.setCookies[0], /^session=<sealed>; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
    if (headers.cookie === flashed) assert.match(a.seen.session, /flash\.notice=Saved/, `${label}: the flash is shown`);
    if (op === "logout") assert.match(a.setCookies[0], /^session=; Max-Age=0;/);
    if (op === "" && headers.cookie === cookie) {
      // The session the login made, as the app and its X-Session see it, in every face.
      assert.equal(a.seen.session, "user=alice&role=admin&visits.json=1&expiry=<t>", label);
      assert.equal(a.seen.xSession, "user=alice&role=admin&visits.json=1&expiry=<t>", label);
      assert.equal(a.seen.client, null, `${label}: no client X_Session reaches the app`);
    }
  }
});
