// A server-side store from node: Redis through the `redis` client, against a real redis-server
// (installed by scripts/setup.sh) that the test starts on 127.0.0.1, stops and starts again: no
// session is lost across the restart, and while it is down a request gets no session, nothing is
// saved and a log line says why (or, with `outage: "error"`, a 503).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { SessionManager, generateKey } from "edge-session/full";
import { redisStore } from "edge-session/store";
import { freePorts } from "../support/net.mjs";
import { storeSuite } from "../support/store-suite.mjs";

const KEY = generateKey();
let dir, port, server, client;

/** Starts redis-server on `port`, its append-only file in `dir` (kept across restarts). */
async function startRedis() {
  server = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir], { stdio: "ignore" });
  const probe = createClient({ url: `redis://127.0.0.1:${port}`, socket: { reconnectStrategy: false } });
  probe.on("error", () => {});
  for (let i = 0; ; i++) {
    try {
      await probe.connect();
      await probe.ping();
      await probe.quit();
      return;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function stopRedis() {
  const exited = new Promise((r) => server.once("exit", r));
  server.kill("SIGTERM");
  await exited;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "edge-session-redis-"));
  [port] = await freePorts(1);
  await startRedis();
  client = createClient({ url: `redis://127.0.0.1:${port}`, disableOfflineQueue: true, socket: { reconnectStrategy: () => 100 } });
  client.on("error", () => {}); // reconnects on its own; what fails is logged by the store's users
  await client.connect();
});
after(async () => {
  await client?.disconnect().catch(() => {});
  if (server?.exitCode === null) await stopRedis();
  rmSync(dir, { recursive: true, force: true });
});

/** The app behind `handle`: logs in, changes the cart, logs out through the SessionHeader; says what it saw. */
function app(req) {
  const url = new URL(req.url);
  const q = url.searchParams;
  const update = { "/login": `!regenerate=1&user=${q.get("user") ?? "alice"}`, "/cart": `cart.json=${q.get("n")}`, "/remember": "!maxage=2592000", "/logout": "!clear=1" }[url.pathname];
  return new Response((req.headers.get("x-session") ?? "").replace(/&?expiry=\d+/, ""), { headers: update ? { "x-replace-session": update } : {} });
}

/** A request through `manager`: status, what the app saw, the cookie to keep, the log lines. */
async function visit(manager, path, cookie) {
  const lines = [];
  const error = console.error;
  console.error = (line) => lines.push(line);
  try {
    const res = await manager.handle(new Request(`https://app.example${path}`, { headers: cookie ? { cookie } : {} }), app);
    const set = res.headers.getSetCookie();
    const next = set.find((l) => l.startsWith("session=") && !/Max-Age=0/.test(l))?.split(";")[0];
    return { status: res.status, seen: await res.text(), cookie: set.some((l) => /Max-Age=0/.test(l)) ? null : (next ?? cookie), set, lines: set, logs: lines };
  } finally {
    console.error = error;
  }
}

const keys = async () => (await client.keys("session:*")).sort();

test("the store suite, in Redis, through handle", async () => {
  const manager = new SessionManager({ keys: [KEY], maxAge: 3600, store: redisStore(client) });
  await storeSuite({
    name: "redis",
    visit: (path, cookie) => visit(manager, path, cookie),
    records: async () => Object.fromEntries(await Promise.all((await keys()).map(async (k) => [k, await client.get(k)]))),
    ttl: (key) => client.ttl(key),
  });
});

test("a restart of redis-server loses no session; while it is down, no session and a log line (or a 503)", async () => {
  const manager = new SessionManager({ keys: [KEY], maxAge: 600, store: redisStore(client) });
  const strict = new SessionManager({ keys: [KEY], maxAge: 600, store: redisStore(client, { outage: "error" }) });
  const login = await visit(manager, "/login");
  const cart = await visit(manager, "/cart?n=5", login.cookie);
  await stopRedis();
  const down = await visit(manager, "/", cart.cookie);
  assert.equal(down.status, 200, "the request goes on");
  assert.equal(down.seen, "", "without a session: never an open door");
  assert.deepEqual(down.set, [], "nothing saved, nothing removed: the browser keeps its cookie");
  assert.ok(down.logs.some((l) => /"edge_session":"store-error"/.test(l)), `a log line: ${down.logs}`);
  const refused = await visit(strict, "/", cart.cookie);
  assert.equal(refused.status, 503);
  await startRedis();
  // The client reconnects on its own (every 100 ms).
  let back;
  for (let i = 0; i < 50; i++) {
    back = await visit(manager, "/", cart.cookie);
    if (back.seen) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(back.seen, "user=alice&cart.json=5", "the session survived the restart");
});

test("a store is the full entry's, and a store manager reads and writes only through the faces", () => {
  assert.throws(() => new SessionManager({ keys: [KEY], store: {} }), { code: "ERR_INVALID_OPTION" });
  assert.throws(() => new SessionManager({ keys: [KEY], store: redisStore(client, { outage: "maybe" }) }), { code: "ERR_INVALID_OPTION" });
  const m = new SessionManager({ keys: [KEY], store: redisStore(client) });
  assert.throws(() => m.load(null), { code: "ERR_STORE_ASYNC" });
  assert.throws(() => redisStore({}), { code: "ERR_INVALID_OPTION" });
});

test("the default entry has no store: it says where the store is", async () => {
  const { SessionManager: Default } = await import("edge-session");
  assert.throws(() => new Default({ keys: [KEY], store: redisStore(client) }), { code: "ERR_FORMAT_UNAVAILABLE", message: /edge-session\/full/ });
});

test("Express with the Redis store: the record is written before the head goes out (res.redirect, res.json, streaming)", async () => {
  const { default: express } = await import("express");
  const { session } = await import("edge-session/express");
  const manager = new SessionManager({ keys: [KEY], maxAge: 600, store: redisStore(client), cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" });
  const appx = express();
  appx.use(session(manager));
  appx.post("/login", (req, res) => {
    req.session.set("user", "carol");
    req.session.flash("notice", "Welcome");
    res.redirect(303, "/");
  });
  appx.get("/", (req, res) => res.json({ user: req.session.get("user") ?? null, notice: req.session.get("notice") ?? null }));
  appx.get("/stream", (req, res) => {
    req.session.set("visits", 1);
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("a");
    res.write("b");
    res.end("c");
  });
  appx.post("/fail", async (req) => {
    req.session.set("user", "mallory");
    throw new Error("boom");
  });
  const server = appx.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    const login = await fetch(`${base}/login`, { method: "POST", redirect: "manual" });
    assert.equal(login.status, 303);
    const cookie = login.headers.getSetCookie()[0].split(";")[0];
    const shown = await fetch(base, { headers: { cookie } });
    assert.deepEqual(await shown.json(), { user: "carol", notice: "Welcome" });
    // Showing the flash changed the session: a new id, the old record gone.
    const after = shown.headers.getSetCookie()[0].split(";")[0];
    assert.notEqual(after, cookie);
    assert.deepEqual(await (await fetch(base, { headers: { cookie } })).json(), { user: null, notice: null }, "the old id names nothing");
    const stream = await fetch(`${base}/stream`, { headers: { cookie: after } });
    assert.equal(await stream.text(), "abc");
    const streamed = stream.headers.getSetCookie()[0].split(";")[0];
    assert.notEqual(streamed, after, "the change re-issued the id, before the first byte");
    const failed = await fetch(`${base}/fail`, { method: "POST", headers: { cookie: streamed } });
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.headers.getSetCookie(), []);
    assert.deepEqual(await (await fetch(base, { headers: { cookie: streamed } })).json(), { user: "carol", notice: null });
  } finally {
    server.close();
  }
});

test("per user: the oldest sessions past maxSessions are evicted, and a log-out everywhere holds against requests in flight", async () => {
  const manager = new SessionManager({ keys: [KEY], maxAge: 3600, store: redisStore(client, { maxSessions: 2 }) });
  const devices = [];
  for (let i = 0; i < 3; i++) {
    devices.push((await visit(manager, "/login?user=dora")).cookie);
    await new Promise((r) => setTimeout(r, 5)); // distinct login times
  }
  assert.equal((await visit(manager, "/", devices[0])).seen, "", "the oldest was evicted");
  assert.equal((await visit(manager, "/", devices[1])).seen, "user=dora");
  assert.equal((await visit(manager, "/", devices[2])).seen, "user=dora");
  // Another user's sessions are their own.
  const erin = (await visit(manager, "/login?user=erin")).cookie;

  // A request that read dora's session is still running when she logs out everywhere.
  let release;
  const held = new Promise((r) => (release = r));
  const inFlight = manager.handle(new Request("https://app.example/cart?n=9", { headers: { cookie: devices[2] } }), async (req) => {
    await held;
    return app(req);
  });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await manager.logOutEverywhere("dora"), 2);
  release();
  const late = await inFlight;
  assert.match(late.headers.getSetCookie().join("\n"), /^session=; Max-Age=0/m, "the in-flight request's cookie goes");
  for (const d of devices) assert.equal((await visit(manager, "/", d)).seen, "", "every device logged out");
  assert.equal((await visit(manager, "/", erin)).seen, "user=erin", "another user's session stays");
  const again = await visit(manager, "/login?user=dora");
  assert.equal((await visit(manager, "/", again.cookie)).seen, "user=dora", "logging in again works");
  assert.equal(await manager.logOutEverywhere("nobody"), 0);
});

test("log out everywhere needs a store per user", async () => {
  const { kvStore } = await import("edge-session/store");
  const kv = new Map();
  const ns = { get: async (k) => kv.get(k) ?? null, put: async (k, v) => void kv.set(k, v), delete: async (k) => void kv.delete(k) };
  const manager = new SessionManager({ keys: [KEY], store: kvStore(ns) });
  await assert.rejects(manager.logOutEverywhere("dora"), { code: "ERR_STORE_UNSUPPORTED" });
});
