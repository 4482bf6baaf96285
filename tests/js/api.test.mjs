// The npm package through its public API, imported by name (self-reference via `exports`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { SessionManager, Session, generateKey } from "edge-session";
import * as defaultEntry from "edge-session";
import * as full from "edge-session/full";
import { flow } from "edge-session/flow";

const T0 = 1_800_000_000_000; // ms
const cookieOf = (setCookie) => setCookie.split(";")[0];
const codeOf = (fn) => {
  try {
    fn();
  } catch (e) {
    assert.equal(e.name, "EdgeSessionError");
    assert.ok(e instanceof Error);
    return e.code;
  }
  assert.fail("expected a throw");
};

test("seal, then open through a Cookie header", () => {
  const m = new SessionManager({ keys: [generateKey()], maxAge: 3600 });
  const s = m.load(null, T0);
  assert.equal(s.status, "new");
  assert.equal(s.isModified, false);
  s.set("user", "alice smith");
  s.set("role", "admin");
  assert.equal(s.isModified, true);
  const setCookie = m.save(s, T0);
  assert.match(setCookie, /^session=[A-Za-z0-9_-]+; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  const again = m.load(`theme=dark; ${cookieOf(setCookie)}; other=1`, T0 + 1000);
  assert.equal(again.status, "loaded");
  assert.deepEqual(again.entries(), [["user", "alice smith"], ["role", "admin"]]);
  assert.equal(again.get("user"), "alice smith");
  assert.equal(again.get("missing"), undefined);
  assert.equal(again.has("role"), true);
  assert.equal(again.size, 2);
  assert.equal(again.expiry, T0 + 3600_000);
  assert.equal(again.issued, T0);
  assert.equal(again.toString(), `user=alice+smith&role=admin&expiry=${(T0 + 3600_000) * 1000}`);
});

test("any Cookie header string loads: non-ASCII, lone surrogates, long headers, other types", () => {
  const m = new SessionManager({ keys: [generateKey()], maxAge: 3600 });
  const s = m.load(null, T0);
  s.set("user", "zoë");
  const cookie = cookieOf(m.save(s, T0));
  const headers = [
    `a=é😀; ${cookie}`,
    `lone=\ud800x; ${cookie}; b=\udfff`,
    `${"x=1; ".repeat(1500)}${cookie}`, // past the reused encoding buffer
    `${"y=é; ".repeat(3000)}${cookie}`, // 3 bytes a unit would not fit the buffer either
  ];
  for (const header of headers) {
    const again = m.load(header, T0 + 1000);
    assert.equal(again.status, "loaded", header.slice(0, 40));
    assert.equal(again.get("user"), "zoë");
  }
  // After a long header, a short one is read whole (no bytes left over from the buffer).
  assert.equal(m.load(cookie, T0 + 1000).get("user"), "zoë");
  assert.equal(m.load(`${cookie}x`, T0 + 1000).status, "rejected");
  for (const absent of [null, undefined]) assert.equal(m.load(absent, T0).status, "new");
  // The cap on a Cookie header still applies (64 KiB): over it, nothing is read.
  assert.equal(m.load(`${"z".repeat(70_000)}; ${cookie}`, T0 + 1000).status, "rejected");
});

test("a value that is not a string is an error with a code, never a trap of the WebAssembly", async () => {
  const m = new SessionManager({ keys: [generateKey()] });
  const s = m.load(null, T0);
  const fm = new full.SessionManager({ keys: [generateKey()] });
  const { verifySessionHeader } = defaultEntry;
  const { originFailure } = flow(m);
  const others = [1, 1.5, 0, -1, 2 ** 40, NaN, true, {}, [], ["a"], { toString: () => "x" }, Symbol("s"), 10n, () => "f", new Uint8Array(4)];
  // Every string parameter of the API (keys and headers stay strings; values may be any JSON
  // value: tests/js/values.test.mjs).
  const calls = {
    "session.get": (v) => s.get(v),
    "session.has": (v) => s.has(v),
    "session.delete": (v) => s.delete(v),
    "session.set key": (v) => s.set(v, "x"),
    "session.flash key": (v) => s.flash(v, "x"),
    "manager.openToken token": (v) => m.openToken(v, { purpose: "p" }),
    "manager.openToken purpose": (v) => m.openToken("t", { purpose: v }),
    "manager.sealToken purpose": (v) => m.sealToken("x", { purpose: v, ttl: 60 }),
    "session.applyUpdate": (v) => s.applyUpdate(v),
    "manager.load": (v) => m.load(v),
    "full manager.load": (v) => fm.load(v),
    "manager.appliesTo": (v) => m.appliesTo(v),
    "flow planRequest method": (v) => flow(m).planRequest(v, "h", "/", []),
    "flow planRequest host": (v) => flow(m).planRequest("GET", v, "/", []),
    "flow planRequest target": (v) => flow(m).planRequest("GET", "h", v, []),
    "originFailure": (v) => originFailure(v),
    "inspect": (v) => full.inspect(v),
  };
  for (const [name, call] of Object.entries(calls)) {
    for (const v of others) {
      if (name.endsWith("load") && v === undefined) continue;
      let code;
      try {
        call(v);
      } catch (e) {
        assert.ok(!(e instanceof WebAssembly.RuntimeError), `${name}(${String(typeof v)}): ${e}`);
        code = e.code;
      }
      assert.equal(code, "ERR_INVALID_ARG_TYPE", `${name}(${typeof v === "symbol" ? "symbol" : String(v)})`);
    }
  }
  // A Node request whose signature header is not a string (an array is joined, as node does).
  for (const v of others.filter((v) => !Array.isArray(v))) {
    const request = { method: "GET", url: "/", headers: { host: "h", "x-session-signature": v } };
    await assert.rejects(verifySessionHeader(request, "a secret of at least thirty-two characters"), { code: "ERR_INVALID_ARG_TYPE" }, typeof v);
  }
  // Thousands of them (on node 20 a few thousand traps took the process down), and the manager
  // and its sessions still work afterwards.
  for (let i = 0; i < 20_000; i++) assert.throws(() => s.set(i, "x"), { code: "ERR_INVALID_ARG_TYPE" });
  s.set("user", "alice");
  const again = m.load(cookieOf(m.save(s, T0)), T0);
  assert.equal(again.get("user"), "alice");
  assert.throws(() => s.get(1), (e) => e.name === "EdgeSessionError" && /key must be a string, not number/.test(e.message));
  assert.throws(() => m.load(123), /the Cookie header must be a string, not number/);
});

test("the session API: set, delete, clear, applyUpdate, expiry", () => {
  const s = new Session();
  s.set("a", "1");
  s.set("b", "2");
  assert.equal(s.delete("a"), true);
  assert.equal(s.delete("a"), false);
  s.applyUpdate("c=3&b=&d=x%26y&expiry=5000");
  assert.deepEqual(s.entries(), [["c", "3"], ["d", "x&y"]]);
  assert.equal(s.expiry, 5);
  s.expiry = null;
  assert.equal(s.expiry, null);
  s.set("c", "");
  assert.equal(s.has("c"), false, "an empty value deletes");
  s.clear();
  assert.equal(s.size, 0);
  assert.equal(s.toString(), "");
});

test("nothing to send: anonymous visitor, unchanged session", () => {
  const m = new SessionManager({ keys: [generateKey()] });
  assert.equal(m.save(m.load(undefined, T0), T0), null);
  const s = m.load(undefined, T0);
  s.set("k", "v");
  const c = cookieOf(m.save(s, T0));
  assert.equal(m.save(m.load(c, T0), T0), null);
});

test("clear sends a removal cookie", () => {
  const m = new SessionManager({ keys: [generateKey()], cookieName: "__Host-sid", cookieAttributes: "Path=/; Secure; HttpOnly; SameSite=Strict" });
  const s = m.load(null, T0);
  s.set("k", "v");
  const c = cookieOf(m.save(s, T0));
  const loaded = m.load(c, T0);
  loaded.clear();
  assert.equal(m.save(loaded, T0), "__Host-sid=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict");
  assert.equal(m.removalCookie(), "__Host-sid=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict");
});

test("expiry with an injected clock: sliding max age, absolute lifetime", () => {
  const m = new SessionManager({ keys: [generateKey()], maxAge: 60, maxLifetime: 100, expiryUpdateInterval: 0 });
  const s = m.load(null, T0);
  s.set("user", "alice");
  let c = cookieOf(m.save(s, T0));
  for (const t of [50, 99]) {
    const live = m.load(c, T0 + t * 1000);
    assert.equal(live.get("user"), "alice", `alive at ${t}s`);
    c = cookieOf(m.save(live, T0 + t * 1000));
  }
  const gone = m.load(c, T0 + 100_000);
  assert.equal(gone.status, "expired");
  assert.equal(gone.size, 0);
  assert.equal(m.save(gone, T0 + 100_000), m.removalCookie());
});

test("rotation: an old key's cookie opens and is re-sealed with the first key", () => {
  const [oldKey, newKey] = [generateKey(), generateKey()];
  const before = new SessionManager({ keys: [oldKey] });
  const s = before.load(null, T0);
  s.set("user", "alice");
  const oldCookie = cookieOf(before.save(s, T0));
  const after = new SessionManager({ keys: [newKey, oldKey] });
  const loaded = after.load(oldCookie, T0);
  assert.equal(loaded.get("user"), "alice");
  const resealed = after.save(loaded, T0);
  assert.ok(resealed, "re-sealed although unmodified");
  const onlyNew = new SessionManager({ keys: [newKey] });
  assert.equal(onlyNew.load(cookieOf(resealed), T0).get("user"), "alice");
  const stale = onlyNew.load(oldCookie, T0);
  assert.equal(stale.status, "rejected");
  assert.equal(stale.rejection, "unknown-key");
});

test("bad cookies are empty sessions, never exceptions", () => {
  const m = new SessionManager({ keys: [generateKey()] });
  const s = m.load(null, T0);
  s.set("user", "alice");
  const good = cookieOf(m.save(s, T0));
  const random = Array.from({ length: 300 }, (_, i) => String.fromCharCode((i * 7919) % 256)).join("");
  const headers = [
    `session=${random}`,
    `session=${"A".repeat(8192)}`,
    "session=!!!not base64!!!",
    "session=",
    "session",
    `${good}; session=other`,
    "session=\u0000\uffff\ud800",
    "=;=;;,,",
    `${"a=b; ".repeat(10_000)}`,
  ];
  for (const h of headers) {
    const loaded = m.load(h, T0);
    assert.equal(loaded.size, 0, h.slice(0, 40));
    assert.notEqual(loaded.status, "loaded");
  }
  assert.equal(m.load(`${good}; session=other`, T0).rejection, "duplicate");
});

test("every single-character change of a sealed cookie is rejected", () => {
  const m = new SessionManager({ keys: [generateKey()] });
  const s = m.load(null, T0);
  s.set("user", "alice");
  const token = cookieOf(m.save(s, T0)).slice("session=".length);
  for (let i = 0; i < token.length; i++) {
    const swapped = token[i] === "A" ? "B" : "A";
    const bad = token.slice(0, i) + swapped + token.slice(i + 1);
    assert.equal(m.load(`session=${bad}`, T0).size, 0, `position ${i}`);
  }
});

test("the cookie name is bound to the token", () => {
  const key = generateKey();
  const a = new SessionManager({ keys: [key], cookieName: "a" });
  const b = new SessionManager({ keys: [key], cookieName: "b" });
  const s = a.load(null, T0);
  s.set("k", "v");
  const token = cookieOf(a.save(s, T0)).slice(2);
  const moved = b.load(`b=${token}`, T0);
  assert.equal(moved.rejection, "tampered");
});

test("misuse throws errors with stable codes", () => {
  const key = generateKey();
  assert.equal(codeOf(() => new SessionManager()), "ERR_NO_KEYS");
  assert.equal(codeOf(() => new SessionManager({ keys: ["hunter2"] })), "ERR_WEAK_KEY");
  assert.equal(codeOf(() => new SessionManager({ keys: ["a".repeat(40)] })), "ERR_WEAK_KEY");
  assert.equal(codeOf(() => new SessionManager({ keys: [key, key] })), "ERR_DUPLICATE_KEY");
  assert.equal(codeOf(() => new SessionManager({ keys: key })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new SessionManager({ kyes: [key] })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new SessionManager({ keys: [key], maxAge: -1 })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new SessionManager({ keys: [key], maxAge: 1.5 })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new SessionManager({ keys: [key], format: "rot13" })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new SessionManager({ keys: [key], format: "plain" })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new SessionManager({ keys: [key], cookieName: "a b" })), "ERR_INVALID_COOKIE_NAME");
  assert.equal(codeOf(() => new SessionManager({ keys: [key], cookieName: "__Host-s", cookieAttributes: "Path=/x; Secure" })), "ERR_COOKIE_PREFIX");
  assert.equal(codeOf(() => new SessionManager({ keys: [key], cookieAttributes: "Path=/\r\nX: y" })), "ERR_INVALID_COOKIE_ATTRIBUTE");
  const m = new SessionManager({ keys: [key] });
  const s = m.load(null, T0);
  assert.equal(codeOf(() => s.set("", "v")), "ERR_INVALID_KEY_NAME");
  assert.equal(codeOf(() => s.set("expiry", "1")), "ERR_INVALID_KEY_NAME");
  assert.equal(codeOf(() => s.set("k", "a\u0000b")), "ERR_INVALID_CHARACTER");
  assert.equal(codeOf(() => s.applyUpdate("x=".padEnd(17_000, "y"))), "ERR_UPDATE_TOO_LARGE");
  assert.equal(codeOf(() => m.load(null, Number.NaN)), "ERR_INVALID_TIME");
  s.set("big", "x".repeat(5000));
  assert.equal(codeOf(() => m.save(s, T0)), "ERR_CHUNKED_SESSION");
  const one = new SessionManager({ keys: [key], maxChunks: 1 });
  const t = one.load(null, T0);
  t.set("big", "x".repeat(5000));
  assert.equal(codeOf(() => one.save(t, T0)), "ERR_COOKIE_TOO_LARGE");
});

test("keys never appear in error messages", () => {
  const good = generateKey();
  const weak = "Tr0ub4dor&3";
  try {
    new SessionManager({ keys: [good, weak] });
    assert.fail("weak key accepted");
  } catch (e) {
    assert.equal(e.code, "ERR_WEAK_KEY");
    assert.ok(!e.message.includes(weak) && !e.message.includes(good), e.message);
    assert.ok(!String(e.stack).includes(weak));
  }
});

test("passphrases of 32+ characters are accepted and stretched the same every time", () => {
  const pass = "a long passphrase that nobody will guess, 2026";
  const a = new SessionManager({ keys: [pass] });
  const s = a.load(null, T0);
  s.set("k", "v");
  const c = cookieOf(a.save(s, T0));
  const b = new SessionManager({ keys: [pass] });
  assert.equal(b.load(c, T0).get("k"), "v");
});

test("include / exclude", () => {
  const m = new SessionManager({ keys: [generateKey()], include: ["/app"], exclude: ["/app/static"] });
  assert.equal(m.appliesTo("/app/home"), true);
  assert.equal(m.appliesTo("/app/static/x.css"), false);
  assert.equal(m.appliesTo("/other"), false);
  assert.equal(m.cookieName, "session");
  assert.equal(m.header, "X-Replace-Session");
});

test("plain format reads what Apache 2.4.71 wrote", () => {
  const file = JSON.parse(readFileSync(new URL("../vectors/apache-2.4.71.json", import.meta.url), "utf8"));
  const plain = file.vectors.filter((v) => v.SessionCryptoPassphrase.length === 0);
  assert.ok(plain.length >= 4);
  const pairs = (s) => new Set(s.split("&").filter(Boolean));
  for (const v of plain) {
    const m = new SessionManager({ format: "plain", cookieName: v.cookie_name, maxAge: v.SessionMaxAge });
    const s = m.load(`${v.cookie_name}=${v.cookie_value}`, 1_795_000_000_000);
    assert.equal(s.status, "loaded", v.name);
    assert.deepEqual(pairs(s.toString()), pairs(v.apache_decoded), v.name);
  }
});

test("apache format through the JS API: reads Apache 2.4.71's encrypted vectors, round-trips", () => {
  const file = JSON.parse(readFileSync(new URL("../vectors/apache-2.4.71.json", import.meta.url), "utf8"));
  const strong = "a strong passphrase for edge-session's own writes";
  const pairs = (s) => new Set(s.split("&").filter(Boolean));
  const crypto = file.vectors.filter((v) => v.SessionCryptoPassphrase.length > 0);
  assert.equal(crypto.length, 9);
  for (const v of crypto) {
    const m = new full.SessionManager({
      format: "apache",
      cipher: v.SessionCryptoCipher,
      keys: [strong, ...v.SessionCryptoPassphrase],
      cookieName: v.cookie_name,
      maxAge: v.SessionMaxAge,
      // Apache's test passphrases are short: admitted by the opt-in only.
      allowWeakPassphrases: true,
    });
    const s = m.load(`${v.cookie_name}=${v.cookie_value}`, 1_795_000_000_000);
    assert.equal(s.status, "loaded", v.name);
    assert.equal(s.weakKey, true, v.name);
    assert.deepEqual(pairs(s.toString()), pairs(v.apache_decoded), v.name);
    const rewritten = m.save(s, 1_795_000_000_000);
    assert.ok(rewritten, `${v.name}: re-written (under the weak passphrase that opened it, with our salt)`);
    assert.deepEqual(m.load(cookieOf(rewritten), 1_795_000_000_000).entries(), s.entries(), v.name);
  }
});

test("apache format options are checked", () => {
  assert.equal(codeOf(() => new full.SessionManager({ format: "apache" })), "ERR_NO_KEYS");
  assert.equal(codeOf(() => new full.SessionManager({ format: "apache", keys: ["secret"] })), "ERR_WEAK_KEY");
  assert.equal(codeOf(() => new full.SessionManager({ format: "apache", keys: ["x".repeat(40)] })), "ERR_WEAK_KEY");
  const pass = "a long passphrase for the apache format, 2026";
  assert.equal(codeOf(() => new full.SessionManager({ format: "apache", keys: [pass], cipher: "3des192" })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new full.SessionManager({ keys: [generateKey()], cipher: "aes128" })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new full.SessionManager({ format: "apache", keys: [pass], maxLifetime: 60 })), "ERR_INVALID_OPTION");
  assert.equal(codeOf(() => new full.SessionManager({ format: "apache", keys: [pass, pass] })), "ERR_DUPLICATE_KEY");
  assert.equal(codeOf(() => new full.SessionManager({ format: "apache", keys: [pass, "old short one"] })), "ERR_WEAK_KEY");
  assert.doesNotThrow(() => new full.SessionManager({ format: "apache", keys: [pass, "old short one"], cipher: "aes192", allowWeakPassphrases: true }));
  assert.equal(codeOf(() => new full.SessionManager({ format: "apache", keys: [pass], allowWeakPassphrases: "yes" })), "ERR_INVALID_OPTION");
});

test("the default entry leaves the apache format and inspect to edge-session/full, and says so", () => {
  const pass = "a long passphrase for the apache format, 2026";
  let err;
  try {
    new SessionManager({ format: "apache", keys: [pass] });
  } catch (e) {
    err = e;
  }
  assert.equal(err?.name, "EdgeSessionError");
  assert.equal(err.code, "ERR_FORMAT_UNAVAILABLE");
  assert.match(err.message, /import \{ SessionManager \} from "edge-session\/full"/);
  assert.equal(codeOf(() => new SessionManager({ format: "apache" })), "ERR_FORMAT_UNAVAILABLE", "before the keys");
  assert.equal("inspect" in defaultEntry, false);
  assert.equal(typeof full.inspect, "function");
  // Everything else is the same API in both entries.
  const shared = Object.keys(defaultEntry).sort();
  assert.deepEqual(shared, ["Session", "SessionManager", "generateKey", "verifySessionHeader"]);
  assert.deepEqual(Object.keys(full).filter((k) => k !== "inspect").sort(), shared);
});

test("the two entries read and write the same cookies (each its own wasm)", async () => {
  const keys = [generateKey()];
  const now = 1_800_000_000_000;
  const small = new defaultEntry.SessionManager({ keys, maxAge: 600 });
  const large = new full.SessionManager({ keys, maxAge: 600 });
  for (const [from, to] of [[small, large], [large, small]]) {
    const s = from.load(null, now);
    s.applyUpdate("user=Ana+Mar%C3%ADa&role=admin");
    const c = from.saveAll(s, now);
    const back = to.load(c.map(cookieOf).join("; "), now + 1000);
    assert.equal(back.status, "loaded");
    assert.deepEqual(back.entries(), [["user", "Ana María"], ["role", "admin"]]);
    assert.equal(back.expiry, now + 600_000);
  }
  // The flow is the same class over either build: the full entry's manager handles a request.
  const bo = small.load(null);
  bo.set("user", "bo");
  const cookie = cookieOf(small.save(bo));
  const res = await large.handle(new Request("https://app.example/", { headers: { cookie } }), (req) => new Response(req.headers.get("x-session")));
  assert.match(await res.text(), /^user=bo&expiry=\d+$/);
  // Each entry's classes are its own: a session of one build is refused by the other's manager.
  assert.throws(() => large.save(small.load(null)), /expected instance of Session/);
});

test("a 10-key session seals to under 500 bytes", () => {
  const m = new SessionManager({ keys: [generateKey()], maxAge: 3600 });
  const s = m.load(null, T0);
  for (let i = 0; i < 10; i++) s.set(`key${i}`, `value-${i}-of-25-chars-abcd`.slice(0, 25));
  const value = cookieOf(m.save(s, T0)).slice("session=".length);
  assert.ok(value.length < 500, `${value.length} bytes`);
});

test("`edge-session keygen` prints a usable key", () => {
  const out = execFileSync(process.execPath, [new URL("../../bin/edge-session.js", import.meta.url).pathname, "keygen"], {
    encoding: "utf8",
  }).trim();
  assert.match(out, /^base64:[A-Za-z0-9+/]{43}=$/);
  assert.doesNotThrow(() => new SessionManager({ keys: [out] }));
  // Without its prefix the same key is neither used raw nor taken for a passphrase.
  assert.equal(codeOf(() => new SessionManager({ keys: [out.slice("base64:".length)] })), "ERR_UNPREFIXED_KEY");
  assert.equal(codeOf(() => new SessionManager({ keys: ["base64:c2hvcnQ="] })), "ERR_INVALID_RAW_KEY");
});

test("options are own properties: a polluted Object.prototype changes no setting", async () => {
  const key = generateKey();
  Object.prototype.envHeader = "X-Other";
  Object.prototype.cookieAttributes = "Path=/";
  Object.prototype.cookieRemove = false;
  try {
    const m = new SessionManager({ keys: [key], cookieRemove: true });
    assert.equal(m.envHeader, "X-Session");
    let seen;
    const res = await m.handle(new Request("http://x/login", { headers: { "x-session": "user=admin", cookie: "a=1; session=x" } }), (req) => {
      seen = req;
      return new Response("ok", { headers: { "x-replace-session": "user=alice" } });
    });
    assert.equal(seen.headers.get("x-session"), "", "the client's X-Session is still stripped");
    assert.equal(seen.headers.get("cookie"), "a=1", "cookieRemove still on");
    assert.match(res.headers.getSetCookie()[0], /; HttpOnly; Secure; SameSite=Lax$/, "HttpOnly and Secure kept");
  } finally {
    delete Object.prototype.envHeader;
    delete Object.prototype.cookieAttributes;
    delete Object.prototype.cookieRemove;
  }
});
