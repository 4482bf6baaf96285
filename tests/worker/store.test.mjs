// The server-side store in real workerd, with Miniflare's KV and Durable Objects: the cookie
// carries only a sealed random id; the id is re-issued on every change (the old record deleted);
// records expire by KV TTL and Durable Object alarms; a per-user concurrent-session limit evicts
// the oldest; the operator logs a user out everywhere at once; and every session event is a JSON
// log line that names the session by a keyed hash only.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createDecipheriv, createHash, createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKey } from "edge-session";
import { worker, origin, CookieJar, get, configError, CONFIG_ERROR_BODY } from "./helpers.mjs";

const KEY = generateKey();
const ADMIN = generateKey();
const open = [];
after(async () => Promise.all(open.map((x) => x.dispose?.() ?? x.close())));
const o = await origin((req, url) => {
  const q = url.searchParams;
  if (url.pathname === "/login") return { headers: { "x-replace-session": `!regenerate=1&user=${q.get("user")}` } };
  if (url.pathname === "/cart") return { headers: { "x-replace-session": `cart=${q.get("n") ?? 1}` } };
  if (url.pathname === "/logout") return { headers: { "x-replace-session": "user=&cart=" } };
});
open.push(o);
let logs = "";

function start(vars) {
  const mf = worker(
    { SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_MAX_AGE: "3600", SESSION_ADMIN_TOKEN: ADMIN, ...vars },
    {
      // The default binding name, SESSIONS, for the kind of store chosen.
      ...(vars.SESSION_STORE === "kv" ? { kvNamespaces: ["SESSIONS"] } : { durableObjects: { SESSIONS: "SessionStore" } }),
      handleRuntimeStdio(stdout, stderr) {
        stdout.on("data", (d) => (logs += d));
        stderr.on("data", (d) => (logs += d));
      },
    },
  );
  open.push(mf);
  return mf;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** A key's public id: SHA-256("edge-session/v1/key-id" | key)[0..4], hex. */
const keyIdOf = (key) =>
  createHash("sha256").update("edge-session/v1/key-id").update(Buffer.from(key.replace(/^base64:/, ""), "base64")).digest("hex").slice(0, 8);
/** A key's count of opens or seals in the metrics (0 when not listed). */
const keyUses = (metrics, id, op) =>
  Number(new RegExp(`^edge_session_key_operations_total\\{key="${id}",op="${op}"\\} (\\d+)$`, "m").exec(metrics)?.[1] ?? 0);

/** What the origin saw as the session, without the expiry. */
async function seen(mf, jar, path = "/") {
  const res = await get(mf, jar, path);
  await res.text();
  const s = o.received.at(-1).headers["x-session"] ?? "";
  return { session: s.replace(/&?expiry=\d+/, ""), setCookies: res.headers.getSetCookie() };
}

/** Opens the store token in a cookie jar (the documented layout), for the test's eyes only. */
function tokenOf(jar) {
  const raw = Buffer.from(jar.cookies.get("session"), "base64url");
  const key = Buffer.from(KEY.replace(/^base64:/, ""), "base64");
  const aad = Buffer.concat([raw.subarray(0, 5), Buffer.from("session\0store")]);
  const d = createDecipheriv("aes-256-gcm", key, raw.subarray(5, 17));
  d.setAAD(aad);
  d.setAuthTag(raw.subarray(raw.length - 16));
  const plain = Buffer.concat([d.update(raw.subarray(17, raw.length - 16)), d.final()]);
  return Object.fromEntries(new URLSearchParams(plain.subarray(16).toString()));
}

/** The Durable Object of a user's sessions (its name: a keyed hash of the user). */
async function userObject(mf, user) {
  const hashKey = createHash("sha256").update("edge-session/v1/hash-key").update(Buffer.from(KEY.replace(/^base64:/, ""), "base64")).digest();
  const home = "u" + createHmac("sha256", hashKey).update("edge-session/v1/home").update(user).digest("hex").slice(0, 32);
  const ns = await mf.getDurableObjectNamespace("SESSIONS");
  const stub = ns.get(ns.idFromName(home));
  return {
    home,
    async stats() {
      const [stored, live, alarm] = (await (await stub.fetch("https://x/stats")).text()).split(" ").map(Number);
      return { stored, live, alarm };
    },
  };
}

const admin = (mf, path, method = "POST", token = ADMIN) =>
  mf.dispatchFetch(`http://127.0.0.1/__edge-session/${path}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

test("KV: the cookie holds a sealed id, the record holds the session, a change re-issues the id", async () => {
  const mf = start({ SESSION_STORE: "kv" });
  const kv = await mf.getKVNamespace("SESSIONS");
  const jar = new CookieJar();
  assert.deepEqual((await seen(mf, jar)).setCookies, [], "no session, no cookie, no record");
  await seen(mf, jar, "/login?user=alice");
  const cookie = jar.cookies.get("session");
  assert.ok(cookie.length < 130, `a small cookie: ${cookie.length}`);
  const { sid } = tokenOf(jar);
  assert.match(sid, /^[0-9a-f]{32}$/);
  let { keys } = await kv.list();
  assert.deepEqual(keys.map((k) => k.name), [`session:${sid}`]);
  assert.equal(await kv.get(`session:${sid}`), "1:user=alice");
  const ttl = keys[0].expiration - Date.now() / 1000;
  assert.ok(ttl > 3500 && ttl <= 3601, `the record expires with the session: ${ttl}`);

  assert.equal((await seen(mf, jar)).session, "user=alice");
  const before = new CookieJar();
  before.cookies = new Map(jar.cookies);
  await seen(mf, jar, "/cart?n=2");
  const next = tokenOf(jar).sid;
  assert.notEqual(next, sid, "modified: a new id");
  ({ keys } = await kv.list());
  assert.deepEqual(keys.map((k) => k.name), [`session:${next}`], "and the old record is gone");
  assert.equal((await seen(mf, jar)).session, "user=alice&cart=2");
  const stale = await seen(mf, before);
  assert.equal(stale.session, "", "the replaced id opens nothing");
  assert.match(stale.setCookies[0], /^session=; Max-Age=0/);

  const out = await seen(mf, jar, "/logout");
  assert.match(out.setCookies[0], /^session=; Max-Age=0/);
  assert.deepEqual((await kv.list()).keys, [], "emptied: the record is deleted");
});

test("Durable Objects: one object per user, a concurrent-session limit that evicts the oldest", async () => {
  const mf = start({ SESSION_STORE: "durable-object", SESSION_MAX_SESSIONS: "2" });
  const alice = await userObject(mf, "alice");
  const [laptop, phone, tablet, bob] = [new CookieJar(), new CookieJar(), new CookieJar(), new CookieJar()];
  // Anonymous first (a cart), then the login moves the session into alice's object.
  await seen(mf, laptop, "/cart?n=3");
  assert.match(tokenOf(laptop).home, /^a[0-9a-f]{32}$/);
  await seen(mf, laptop, "/login?user=alice");
  assert.equal(tokenOf(laptop).home, alice.home);
  assert.equal((await seen(mf, laptop)).session, "cart=3&user=alice");
  for (const jar of [phone, tablet]) {
    await sleep(5);
    await seen(mf, jar, "/login?user=alice");
  }
  await seen(mf, bob, "/login?user=bob");
  const s = await alice.stats();
  assert.equal(s.live, 2, "at most two of alice's sessions");
  assert.ok(s.alarm > Date.now() + 3500_000, "an alarm at the earliest expiry");

  const evicted = await seen(mf, laptop);
  assert.equal(evicted.session, "", "the oldest (laptop) was evicted");
  assert.match(evicted.setCookies[0], /^session=; Max-Age=0/);
  assert.equal((await seen(mf, phone)).session, "user=alice");
  assert.equal((await seen(mf, tablet)).session, "user=alice");

  // The operator ends alice's sessions everywhere, at once; bob's stay.
  assert.equal((await admin(mf, "logout?user=alice", "POST", "wrong")).status, 401);
  const res = await admin(mf, "logout?user=alice");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ended: 2, notBefore: null });
  for (const jar of [phone, tablet]) assert.equal((await seen(mf, jar)).session, "");
  assert.equal((await seen(mf, bob)).session, "user=bob");
  assert.deepEqual(await alice.stats(), { stored: 0, live: 0, alarm: 0 }, "nothing left behind");

  // The counters: what the operator reads.
  assert.equal((await admin(mf, "metrics", "GET", null)).status, 401);
  const metrics = await (await admin(mf, "metrics", "GET")).text();
  // Created: laptop (anonymous), phone, tablet, bob; laptop's login was a rotation. The three
  // sessions ended by eviction and logout were rejected as not-stored, not "ended" by the origin.
  for (const [event, n] of [["created", 4], ["rotated", 1], ["evicted", 1], ["logged-out", 2], ["ended", 0]]) {
    assert.match(metrics, new RegExp(`^edge_session_events_total\\{event="${event}"\\} ${n}$`, "m"), metrics);
  }
  assert.match(metrics, /^edge_session_events_total\{event="rejected",why="not-stored"\} 3$/m, metrics);
});

test("Durable Objects across a key rotation: the limit counts, and logout ends, sessions made under the old key", async () => {
  const [OLD, NEW] = [generateKey(), generateKey()];
  const persist = mkdtempSync(join(tmpdir(), "edge-session-do-"));
  // The same Durable Object storage before and after the restart with the new key first.
  const boot = (keys) => {
    const mf = worker(
      { SESSION_KEYS: keys, ORIGIN: o.url, SESSION_MAX_AGE: "3600", SESSION_ADMIN_TOKEN: ADMIN, SESSION_STORE: "durable-object", SESSION_MAX_SESSIONS: "2" },
      { durableObjects: { SESSIONS: "SessionStore" }, durableObjectsPersist: persist },
    );
    open.push(mf);
    return mf;
  };
  try {
    const before = boot(OLD);
    const [laptop, phone, tablet] = [new CookieJar(), new CookieJar(), new CookieJar()];
    for (const jar of [laptop, phone]) {
      await seen(before, jar, "/login?user=alice");
      await sleep(5);
    }
    await before.dispose();
    open.splice(open.indexOf(before), 1);

    const mf = boot(`${NEW} ${OLD}`);
    assert.equal((await seen(mf, laptop)).session, "user=alice", "sessions from before the rotation still open");
    // A third session, in the object the new key names: the limit of two counts the two in the
    // old key's object, and evicts the oldest there.
    await sleep(5);
    await seen(mf, tablet, "/login?user=alice");
    assert.equal((await seen(mf, laptop)).session, "", "the oldest (laptop, old key's object) evicted");
    assert.equal((await seen(mf, phone)).session, "user=alice");
    assert.equal((await seen(mf, tablet)).session, "user=alice");
    // Log out everywhere reaches both objects.
    const res = await admin(mf, "logout?user=alice");
    assert.deepEqual(await res.json(), { ended: 2, notBefore: null });
    for (const jar of [phone, tablet]) assert.equal((await seen(mf, jar)).session, "", "ended on the very next request");
    // Rotation telemetry: the old key still opened sessions (so it cannot be retired yet) and
    // sealed nothing; the new key sealed.
    const metrics = await (await admin(mf, "metrics", "GET")).text();
    assert.ok(keyUses(metrics, keyIdOf(OLD), "open") >= 2, metrics);
    assert.equal(keyUses(metrics, keyIdOf(OLD), "seal"), 0, metrics);
    assert.ok(keyUses(metrics, keyIdOf(NEW), "seal") >= 1, metrics);
  } finally {
    rmSync(persist, { recursive: true, force: true });
  }
});

test("Durable Objects: the alarm deletes expired sessions and empties the object", async () => {
  const mf = start({ SESSION_STORE: "durable-object", SESSION_MAX_AGE: "2", SESSION_EXPIRY_UPDATE_INTERVAL: "0" });
  const carol = await userObject(mf, "carol");
  const jar = new CookieJar();
  await seen(mf, jar, "/login?user=carol");
  const s = await carol.stats();
  assert.equal(s.stored, 1);
  assert.ok(s.alarm > Date.now() && s.alarm <= Date.now() + 2100, `alarm at the expiry: ${s.alarm - Date.now()} ms`);
  await sleep(3500);
  assert.deepEqual(await carol.stats(), { stored: 0, live: 0, alarm: 0 });
});

test("every event is a JSON line naming the session by a keyed hash, never the id, user or cookie", async () => {
  const mf = start({ SESSION_STORE: "durable-object", SESSION_LOG_WRITES: "all" });
  const jar = new CookieJar();
  await seen(mf, jar, "/login?user=dave");
  const first = tokenOf(jar).sid;
  const cookie = jar.cookies.get("session");
  await seen(mf, jar, "/cart?n=1");
  const second = tokenOf(jar).sid;
  await seen(mf, jar, "/logout");
  await get(mf, new CookieJar(), "/", { cookie: "session=forged" });
  await sleep(300);
  const lines = logs.split("\n").filter((l) => l.includes('{"edge_session"')).map((l) => JSON.parse(l.slice(l.indexOf("{"))));
  const hash = (sid) => {
    const hashKey = createHash("sha256").update("edge-session/v1/hash-key").update(Buffer.from(KEY.replace(/^base64:/, ""), "base64")).digest();
    return createHmac("sha256", hashKey).update("edge-session/v1/log-id").update(Buffer.from(sid, "hex")).digest("hex").slice(0, 32);
  };
  const mine = lines.filter((l) => [hash(first), hash(second)].includes(l.sid) || [hash(first), hash(second)].includes(l.prev));
  assert.deepEqual(
    mine.map((l) => l.edge_session),
    ["created", "rotated", "ended"],
    JSON.stringify(mine),
  );
  // Writes name the key that sealed them (its public id), for rotation telemetry.
  const keyId = keyIdOf(KEY);
  assert.deepEqual(mine[1], { edge_session: "rotated", sid: hash(second), prev: hash(first), key: keyId });
  const metrics = await (await admin(mf, "metrics", "GET")).text();
  assert.ok(keyUses(metrics, keyId, "seal") >= 2 && keyUses(metrics, keyId, "open") >= 2, metrics);
  assert.ok(lines.some((l) => l.edge_session === "rejected" && l.why === "malformed"));
  for (const secret of [first, second, cookie, cookie.slice(0, 20), "dave", KEY, ADMIN]) {
    assert.ok(!logs.includes(secret), `the logs hold ${secret.slice(0, 10)}…`);
  }
});

test("a store that cannot be reached logs nobody out and hands out no dangling cookie", async () => {
  // The binding names a KV namespace that does not exist: every read and write fails.
  const mf = start({ SESSION_STORE: "kv", SESSION_STORE_BINDING: "MISSING" });
  const jar = new CookieJar();
  const res = await get(mf, jar, "/login?user=erin");
  assert.equal(res.status, 200, "the request itself is served");
  await res.text();
  assert.deepEqual(res.headers.getSetCookie(), [], "no cookie for a record that was not stored");
  jar.cookies.set("session", "x".repeat(40));
  const again = await get(mf, jar, "/");
  assert.equal(again.status, 200);
  await again.text();
});

test("configuration errors name their variable", async () => {
  for (const [vars, want] of [
    [{ SESSION_STORE: "redis" }, /SESSION_STORE: "redis" is not cookie, kv or durable-object/],
    [{ SESSION_STORE: "kv", SESSION_MAX_SESSIONS: "3" }, /SESSION_MAX_SESSIONS: a concurrent-session limit needs/],
    [{ SESSION_ADMIN_TOKEN: "short" }, /SESSION_ADMIN_TOKEN: too short/],
  ]) {
    const { status, body, error } = await configError(
      { SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_MAX_AGE: "3600", SESSION_ADMIN_TOKEN: ADMIN, ...vars },
      vars.SESSION_STORE === "kv" ? { kvNamespaces: ["SESSIONS"] } : { durableObjects: { SESSIONS: "SessionStore" } },
    );
    assert.equal(status, 500);
    assert.equal(body, CONFIG_ERROR_BODY);
    assert.match(error, want);
  }
});

test("Durable Objects: a logout everywhere holds against a request in flight, and across a restart", async () => {
  // An origin that holds /slow until told to answer: the attacker's request, loaded before the
  // logout and answered after it, with a change (a write) or a plain read (the expiry slides: a
  // write of the same id).
  const { createServer } = await import("node:http");
  // One gate per held request: `arrived` resolves when the origin has it, `release` lets it answer.
  let gate;
  const newGate = () => {
    const g = {};
    g.reached = new Promise((r) => (g.arrived = r));
    g.held = new Promise((r) => (g.release = r));
    return g;
  };
  const slow = createServer(async (req, res) => {
    const url = new URL(req.url, "http://origin");
    if (url.pathname === "/login") {
      res.writeHead(200, { "x-replace-session": `!regenerate=1&user=${url.searchParams.get("user")}` });
      return res.end("in");
    }
    if (url.pathname.startsWith("/slow")) {
      gate.arrived();
      await gate.held;
      res.writeHead(200, url.pathname === "/slow-change" ? { "x-replace-session": "cart=2" } : {});
      return res.end("late");
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ session: req.headers["x-session"] ?? "" }));
  });
  await new Promise((r) => slow.listen(0, "127.0.0.1", r));
  const originUrl = `http://127.0.0.1:${slow.address().port}`;
  let persist;
  const boot = () => {
    const mf = worker(
      {
        SESSION_KEYS: KEY,
        ORIGIN: originUrl,
        SESSION_MAX_AGE: "3600",
        SESSION_EXPIRY_UPDATE_INTERVAL: "0",
        SESSION_ADMIN_TOKEN: ADMIN,
        SESSION_STORE: "durable-object",
      },
      { durableObjects: { SESSIONS: "SessionStore" }, durableObjectsPersist: persist },
    );
    open.push(mf);
    return mf;
  };
  const sessionAt = async (mf, jar) => (await (await get(mf, jar, "/")).json()).session.replace(/&?expiry=\d+/, "");
  try {
    for (const path of ["/slow-change", "/slow-read"]) {
      // Each case in storage of its own, persisted across the restart below.
      if (persist) rmSync(persist, { recursive: true, force: true });
      persist = mkdtempSync(join(tmpdir(), "edge-session-logout-"));
      let mf = boot();
      const alice = new CookieJar();
      await (await get(mf, alice, "/login?user=alice")).text();
      assert.equal(await sessionAt(mf, alice), "user=alice");
      const stolen = alice.header();
      // The attacker's request, held open at the origin with alice's session loaded.
      const attacker = new CookieJar();
      attacker.cookies = new Map(alice.cookies);
      gate = newGate();
      const late = get(mf, attacker, path);
      await gate.reached;
      const logout = await admin(mf, "logout?user=alice");
      assert.deepEqual(await logout.json(), { ended: 1, notBefore: null }, path);
      gate.release();
      const answer = await late;
      await answer.text();
      assert.equal(answer.status, 200);
      assert.match(answer.headers.getSetCookie().join("\n"), /^session=; Max-Age=0/m, `${path}: the cookie goes`);
      // The stolen copy does not work again: nothing was written back.
      const replay = new CookieJar();
      replay.cookies.set("session", stolen.split("=").slice(1).join("="));
      assert.equal(await sessionAt(mf, replay), "", `${path}: the stolen cookie is no session`);
      assert.deepEqual(await (await userObject(mf, "alice")).stats(), { stored: 0, live: 0, alarm: 0 });
      // Persisted: after a restart the logout still holds, and alice can log in again.
      await mf.dispose();
      open.splice(open.indexOf(mf), 1);
      mf = boot();
      assert.equal(await sessionAt(mf, replay), "", `${path}: after a restart too`);
      const again = new CookieJar();
      await (await get(mf, again, "/login?user=alice")).text();
      assert.equal(await sessionAt(mf, again), "user=alice", `${path}: a new login works`);
      await mf.dispose();
      open.splice(open.indexOf(mf), 1);
    }
  } finally {
    slow.close();
    if (persist) rmSync(persist, { recursive: true, force: true });
  }
});
