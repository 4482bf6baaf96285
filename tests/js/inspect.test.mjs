// `inspect()` from node: formats, decryption with keys, and warnings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SessionManager, generateKey, inspect } from "edge-session/full";

const T0 = 1_800_000_000_000;
const key = generateKey();
const manager = new SessionManager({ keys: [key], maxAge: 3600 });
const s = manager.load(null, T0);
s.set("user", "alice");
s.set("role", "admin");
const setCookie = manager.save(s, T0);

test("a sealed Set-Cookie line, opened with its key", () => {
  const i = inspect(setCookie, { keys: [key], now: T0 });
  assert.equal(i.format, "sealed");
  assert.equal(i.ok, true);
  assert.equal(i.cookieName, "session");
  assert.deepEqual(i.entries, [["user", "alice"], ["role", "admin"]]);
  assert.equal(i.expiry, T0 + 3600_000);
  assert.equal(i.issued, T0);
  assert.equal(i.bytes, setCookie.length);
  assert.match(i.keyId, /^[0-9a-f]{8}$/);
  assert.deepEqual(i.warnings, []);
});

test("without the key: the format and key id, not the contents", () => {
  const value = setCookie.split(";")[0].split("=")[1];
  const i = inspect(value, { now: T0 });
  assert.equal(i.format, "sealed");
  assert.equal(i.ok, false);
  assert.deepEqual(i.entries, []);
  assert.equal(i.problem.code, "needs-key");
  assert.deepEqual(i.warnings, []);
  const wrong = inspect(value, { keys: [generateKey()], now: T0 });
  assert.equal(wrong.problem.code, "cannot-open");
  assert.match(wrong.problem.message, /unknown-key/);
  assert.deepEqual(wrong.warnings, []);
  // Only keys that cannot be used: that is the problem, and each such key a warning.
  const unusable = inspect(value, { keys: ["too short"], now: T0 });
  assert.equal(unusable.problem.code, "no-usable-key");
  assert.deepEqual(unusable.warnings.map((w) => w.code), ["unusable-key"]);
});

test("problem is null exactly when the contents were read, reading exactly when they were; status is the one set; advice stays in warnings", () => {
  const opened = inspect(setCookie, { keys: ["too short", key], now: T0 });
  assert.equal(opened.ok, true);
  assert.equal(opened.problem, null);
  assert.deepEqual(opened.reading, { code: "opened", message: "opened: the cookie is authentic" });
  assert.deepEqual(opened.status, opened.reading);
  assert.deepEqual(opened.warnings.map((w) => w.code), ["unusable-key"]);
  const plain = inspect("session=user=alice", { now: T0 });
  assert.deepEqual(plain.status, { code: "decoded", message: "decoded (not encrypted)" });
  assert.equal(plain.problem, null);
  const unknown = inspect("session=AQID", { now: T0 });
  assert.equal(unknown.ok, false);
  assert.equal(unknown.reading, null);
  assert.equal(unknown.problem.code, "unknown-format");
  assert.deepEqual(unknown.status, unknown.problem);
  const locked = inspect(setCookie, { now: T0 });
  assert.deepEqual([locked.reading, locked.status.code], [null, "needs-key"]);
});

test("later: expired", () => {
  const i = inspect(setCookie, { keys: [key], now: T0 + 3601_000 });
  assert.ok(i.warnings.some((w) => w.code === "expired"));
});

test("a Set-Cookie without HttpOnly, Secure, SameSite", () => {
  const i = inspect("Set-Cookie: session=user=alice; Path=/", { now: T0 });
  assert.deepEqual(i.warnings.map((w) => w.code).sort(), ["missing-httponly", "missing-samesite", "missing-secure", "unencrypted"]);
});

test("Apache's cookies: every vector, with the cipher it used", () => {
  const file = JSON.parse(readFileSync(new URL("../vectors/apache-2.4.71.json", import.meta.url), "utf8"));
  for (const v of file.vectors) {
    const i = inspect(v.set_cookie, { keys: v.SessionCryptoPassphrase, now: 1_795_000_000_000 });
    assert.equal(i.ok, true, v.name);
    assert.equal(i.format, v.SessionCryptoPassphrase.length ? "apache" : "plain", v.name);
    assert.equal(i.status.code, v.SessionCryptoPassphrase.length ? "opened" : "decoded", v.name);
    if (v.SessionCryptoCipher) assert.equal(i.cipher, v.SessionCryptoCipher, v.name);
  }
});

test("a Cookie header: the session cookie is picked; k=a=b is flagged", () => {
  const i = inspect("Cookie: theme=dark; session=k=a=b&user=x; other=1", { now: T0 });
  assert.equal(i.cookieName, "session");
  assert.ok(i.warnings.some((w) => w.code === "ambiguous-parse"));
  assert.deepEqual(i.entries, [["k", "a=b"], ["user", "x"]]);
});
