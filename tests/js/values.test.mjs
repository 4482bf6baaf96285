// The API people expect, in node through the package: values with their types, flash, a session's
// own max age, sealed tokens, !clear, the defaults, and misuse refused with a code.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { SessionManager, generateKey } from "edge-session";
import { SessionManager as FullManager } from "edge-session/full";
import { session } from "edge-session/hono";

const T0 = 1_800_000_000_000; // ms
const cookieOf = (lines) => lines.filter((l) => !l.includes("Max-Age=0")).map((l) => l.split(";")[0]).join("; ");
const codeOf = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.equal(e.name, "EdgeSessionError");
    return e.code;
  }
  assert.fail("expected a throw");
};

test("set and get keep a value's type through a save and a load", () => {
  for (const Manager of [SessionManager, FullManager]) {
    const m = new Manager({ keys: [generateKey()], maxAge: 3600 });
    const s = m.load(null, T0);
    const values = {
      user: "alice smith",
      count: 1,
      ratio: 0.25,
      ok: true,
      off: false,
      nothing: null,
      list: [1, "two", { three: 3 }],
      cart: { items: [1, 2], note: "a&b=c" },
    };
    for (const [k, v] of Object.entries(values)) s.set(k, v);
    const back = m.load(cookieOf(m.saveAll(s, T0)), T0 + 1000);
    for (const [k, v] of Object.entries(values)) assert.deepEqual(back.get(k), v, k);
    assert.deepEqual(back.entries(), Object.entries(values));
    assert.equal(back.size, 8);
    assert.equal(back.has("nothing"), true, "null is a value");
    assert.equal(back.get("missing"), undefined);
    // Strings stay mod_session's strings; other values are key.json=JSON.
    assert.ok(back.toString().startsWith("user=alice+smith&count.json=1&ratio.json=0.25&ok.json=true&"), back.toString());
    back.set("count", "one");
    assert.equal(back.get("count"), "one");
    assert.ok(!back.toString().includes("count.json"));
    assert.equal(back.delete("cart"), true);
    assert.equal(back.get("cart"), undefined);
  }
});

test("values JSON cannot hold are refused with a code, never a trap", () => {
  const s = new SessionManager({ keys: [generateKey()] }).load(null);
  const cycle = {};
  cycle.self = cycle;
  for (const bad of [undefined, () => 1, Symbol("s"), 10n, NaN, Infinity, cycle]) {
    assert.equal(codeOf(() => s.set("k", bad)), "ERR_INVALID_ARG_TYPE", String(typeof bad));
  }
  for (const key of ["expiry", "!x", "a.json", "flash.a", ""]) {
    assert.equal(codeOf(() => s.set(key, 1)), "ERR_INVALID_KEY_NAME", key);
  }
  assert.equal(codeOf(() => s.set(1, "v")), "ERR_INVALID_ARG_TYPE");
  assert.equal(s.size, 0);
});

test("an origin reads typed values from X-Session and writes them back", () => {
  const s = new SessionManager({ keys: [generateKey()] }).load(null);
  s.applyUpdate("cart.json=" + encodeURIComponent(JSON.stringify({ items: [3] })) + "&user=bob&bad.json=%7B");
  assert.deepEqual(s.get("cart"), { items: [3] });
  assert.equal(s.get("user"), "bob");
  assert.equal(s.get("bad"), undefined, "JSON that does not parse is no value");
});

test("a flash is seen on the next request only", () => {
  const m = new SessionManager({ keys: [generateKey()], maxAge: 3600 });
  const s1 = m.load(null, T0);
  s1.set("user", "alice");
  s1.flash("notice", { text: "Saved", level: "info" });
  assert.equal(s1.get("notice"), undefined);
  const c1 = cookieOf(m.saveAll(s1, T0));
  const s2 = m.load(c1, T0 + 1000);
  assert.deepEqual(s2.get("notice"), { text: "Saved", level: "info" });
  assert.equal(s2.isModified, true);
  const c2 = cookieOf(m.saveAll(s2, T0 + 1000));
  const s3 = m.load(c2, T0 + 2000);
  assert.equal(s3.get("notice"), undefined);
  assert.equal(s3.get("user"), "alice");
  // An origin sets one through the SessionHeader.
  s3.applyUpdate("flash.notice=Welcome+back");
  const s4 = m.load(cookieOf(m.saveAll(s3, T0 + 2000)), T0 + 3000);
  assert.equal(s4.get("notice"), "Welcome back");
});

test("remember me: a session's own max age slides on every later write", () => {
  const m = new SessionManager({ keys: [generateKey()], maxAge: 600 });
  const s = m.load(null, T0);
  s.set("user", "alice");
  s.maxAge = 30 * 86400;
  const line = m.save(s, T0);
  assert.match(line, /Max-Age=2592000;/);
  const day = 86_400_000;
  const later = m.load(line.split(";")[0], T0 + day);
  assert.equal(later.maxAge, 2592000);
  assert.match(m.save(later, T0 + day), /Max-Age=2592000;/);
  assert.equal(later.expiry, T0 + day + 30 * day);
  later.maxAge = null;
  assert.match(m.save(later, T0 + day), /Max-Age=600;/);
  assert.equal(codeOf(() => (s.maxAge = -1)), "ERR_OUT_OF_RANGE");
  assert.equal(codeOf(() => (s.maxAge = 1e12)), "ERR_OUT_OF_RANGE");
});

test("!clear in a SessionHeader ends every entry first", () => {
  const s = new SessionManager({ keys: [generateKey()] }).load(null);
  s.set("user", "alice");
  s.set("role", "admin");
  s.applyUpdate("!clear=1&user=bob");
  assert.deepEqual(s.entries(), [["user", "bob"]]);
});

test("sealed tokens: bound to a purpose, a lifetime and the keys", () => {
  const [a, b] = [generateKey(), generateKey()];
  const m = new SessionManager({ keys: [a] });
  const data = { email: "alice@example.com", invite: 7 };
  const t = m.sealToken(data, { purpose: "magic-link", ttl: 900 }, T0);
  assert.match(t, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(m.openToken(t, { purpose: "magic-link" }, T0 + 899_000), data);
  assert.equal(m.openToken(t, { purpose: "magic-link" }, T0 + 900_000), null, "expired");
  assert.equal(m.openToken(t, { purpose: "invite" }, T0), null, "another purpose");
  assert.equal(m.openToken(t.slice(0, -2) + (t.endsWith("AA") ? "BA" : "AA"), { purpose: "magic-link" }, T0), null);
  assert.deepEqual(new SessionManager({ keys: [b, a] }).openToken(t, { purpose: "magic-link" }, T0), data);
  assert.equal(new SessionManager({ keys: [b] }).openToken(t, { purpose: "magic-link" }, T0), null);
  assert.equal(m.load(`session=${t}`, T0).size, 0, "never a session cookie");
  assert.equal(m.openToken("garbage", { purpose: "magic-link" }), null);
  assert.equal(m.sealToken("text", { purpose: "p", ttl: 1 }, T0).length > 0, true);
  assert.equal(m.openToken(m.sealToken("text", { purpose: "p", ttl: 5 }, T0), { purpose: "p" }, T0), "text");
  assert.equal(codeOf(() => m.sealToken(1, { purpose: "p", ttl: 0 })), "ERR_INVALID_ARG_VALUE");
  assert.equal(codeOf(() => m.sealToken(1, { ttl: 60 })), "ERR_INVALID_ARG_TYPE");
  assert.equal(codeOf(() => m.sealToken(1, { purpose: "", ttl: 60 })), "ERR_INVALID_ARG_VALUE");
  assert.equal(codeOf(() => m.sealToken(undefined, { purpose: "p", ttl: 60 })), "ERR_INVALID_ARG_TYPE");
  assert.equal(codeOf(() => m.sealToken("x".repeat(3000), { purpose: "p", ttl: 60 })), "ERR_TOKEN_TOO_LARGE");
  assert.equal(codeOf(() => new SessionManager({ format: "plain" }).sealToken(1, { purpose: "p", ttl: 60 })), "ERR_NO_KEYS");
});

test("defaults: an unchanged session read within a minute is not written again", () => {
  const m = new SessionManager({ keys: [generateKey()], maxAge: 3600 });
  const s = m.load(null, T0);
  s.set("user", "alice");
  const c = m.save(s, T0).split(";")[0];
  assert.equal(m.save(m.load(c, T0 + 59_000), T0 + 59_000), null);
  assert.match(m.save(m.load(c, T0 + 61_000), T0 + 61_000), /Max-Age=3600/);
});

test("misuse is refused with a code, in the JavaScript spelling", () => {
  for (const name of ["Cookie", "set-cookie", "Host", "Authorization", "Content-Length", "Transfer-Encoding", "Connection"]) {
    for (const option of ["header", "envHeader"]) {
      let e;
      try {
        new SessionManager({ keys: [generateKey()], [option]: name });
      } catch (err) {
        e = err;
      }
      assert.equal(e?.code, "ERR_INVALID_OPTION", `${option}: ${name}`);
      assert.ok(e.message.startsWith(`${option}: `), e.message);
    }
  }
  assert.equal(codeOf(() => new SessionManager({ keys: [generateKey()], cookieAttributes: "Path=/; Partitioned" })), "ERR_INVALID_COOKIE_ATTRIBUTE");
  const m = new SessionManager({ keys: [generateKey()], maxChunks: 4 });
  const s = m.load(null);
  s.set("big", "x".repeat(6000));
  try {
    m.save(s);
    assert.fail("expected a throw");
  } catch (e) {
    assert.equal(e.code, "ERR_CHUNKED_SESSION");
    assert.match(e.message, /saveAll/);
    assert.doesNotMatch(e.message, /save_all/);
  }
});

test("a Hono handler that throws does not save its session changes", async () => {
  const m = new SessionManager({ keys: [generateKey()], maxAge: 3600 });
  const app = new Hono();
  app.use("*", session(m));
  app.get("/login", (c) => {
    c.get("session").set("user", "alice");
    return c.text("ok");
  });
  app.get("/fail", (c) => {
    c.get("session").set("user", "mallory");
    throw new Error("boom");
  });
  const login = await app.request("http://x/login");
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const failed = await app.request("http://x/fail", { headers: { cookie } });
  assert.equal(failed.status, 500);
  assert.equal(failed.headers.get("set-cookie"), null);
  assert.equal(m.load(cookie).get("user"), "alice");
});
