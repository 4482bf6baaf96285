// What ships, checked against an independent implementation: the package's built WebAssembly
// (aes-gcm, sha2, hmac, pbkdf2 and base64ct as compiled for wasm32) against node's own crypto
// (OpenSSL). AES-256-GCM both ways at every body length from 0 to 3000 bytes, chunked cookies
// included; HMAC-SHA256 (the origin signature) for secrets and messages of many lengths, both
// ways; PBKDF2-HMAC-SHA256 (passphrase keys) and the key id's SHA-256 for passphrases of many
// lengths; and every non-canonical spelling of a token refused. The layout is docs/FORMATS.md's
// ("The sealed format") and src/sealed.rs's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createCipheriv, createDecipheriv, createHash, createHmac, pbkdf2Sync, randomBytes } from "node:crypto";
import { SessionManager, generateKey, verifySessionHeader } from "edge-session";
import { flow } from "edge-session/flow";

const NAME = "session";
const NOW = 1_800_000_000_000; // ms
const HEADER_BYTES = 1 + 4 + 12; // VERSION | KEY_ID | NONCE
const TAG_BYTES = 16;
const keyBytes = (key) => Buffer.from(key.slice("base64:".length), "base64");
const keyIdOf = (raw) => createHash("sha256").update("edge-session/v1/key-id").update(raw).digest().subarray(0, 4);
const be64 = (n) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

/** The token in a save's Set-Cookie lines: one cookie, or chunks NAME.0=<n>*PART0, NAME.1=PART1, … */
function tokenOf(lines) {
  const pairs = new Map(lines.map((l) => l.split(";")[0]).map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
  if (pairs.has(NAME)) return pairs.get(NAME);
  const [count, first] = pairs.get(`${NAME}.0`).split("*");
  return [first, ...Array.from({ length: Number(count) - 1 }, (_, i) => pairs.get(`${NAME}.${i + 1}`))].join("");
}

/** node's AES-256-GCM open of a token: { expiry, issued, body } in µs and text. */
function nodeOpen(token, raw) {
  const bytes = Buffer.from(token, "base64url");
  assert.equal(bytes.toString("base64url"), token, "the token is canonical base64url");
  assert.equal(bytes[0], 1, "version 1");
  assert.deepEqual(bytes.subarray(1, 5), keyIdOf(raw), "the key id is SHA-256(label | key)[0..4]");
  const d = createDecipheriv("aes-256-gcm", raw, bytes.subarray(5, HEADER_BYTES));
  d.setAAD(Buffer.concat([bytes.subarray(0, 5), Buffer.from(NAME)]));
  d.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const plain = Buffer.concat([d.update(bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES)), d.final()]);
  return { expiry: plain.readBigUInt64BE(0), issued: plain.readBigUInt64BE(8), body: plain.subarray(16).toString() };
}

/** node's AES-256-GCM seal of a session body, as the format lays it out. */
function nodeSeal(raw, body, issuedUs, expiryUs = 0) {
  const header = Buffer.concat([Buffer.from([1]), keyIdOf(raw), randomBytes(12)]);
  const c = createCipheriv("aes-256-gcm", raw, header.subarray(5));
  c.setAAD(Buffer.concat([header.subarray(0, 5), Buffer.from(NAME)]));
  const ct = Buffer.concat([c.update(Buffer.concat([be64(expiryUs), be64(issuedUs), Buffer.from(body)])), c.final()]);
  return Buffer.concat([header, ct, c.getAuthTag()]).toString("base64url");
}

/** A Cookie header carrying `token`: one cookie, or chunks of at most 4000 characters. */
function cookieHeader(token) {
  if (token.length <= 4000) return `${NAME}=${token}`;
  const parts = token.match(/.{1,4000}/gs);
  return parts.map((p, i) => `${NAME}.${i}=${i === 0 ? `${parts.length}*` : ""}${p}`).join("; ");
}

/** Every length from `from` to 3000, then on past it in steps, into two, three and four chunks. */
const lengths = (from) => [...Array.from({ length: 3001 - from }, (_, i) => from + i), ...Array.from({ length: 240 }, (_, i) => 3001 + 37 * i)];

test("AES-256-GCM: what the wasm seals, node opens, at every body length from 3 to 3000 bytes, and chunked past it", () => {
  const key = generateKey();
  const raw = keyBytes(key);
  const m = new SessionManager({ keys: [key], openCache: 0 });
  let chunked = 0;
  // The shortest body a save writes is one entry, `k=v`: 3 bytes (with the 16 bytes of times, every
  // plaintext length from 19 to 3016, so every alignment of GCM's blocks and counter).
  for (const len of lengths(3)) {
    const s = m.load(null, NOW);
    s.set("k", "x".repeat(len - 2));
    const lines = m.saveAll(s, NOW);
    s.free();
    if (!lines.some((l) => l.startsWith(`${NAME}=`))) chunked++;
    const opened = nodeOpen(tokenOf(lines), raw);
    assert.equal(opened.body, `k=${"x".repeat(len - 2)}`, `length ${len}`);
    assert.equal(opened.issued, BigInt(NOW) * 1000n);
    assert.equal(opened.expiry, 0n);
  }
  assert.ok(chunked > 200, `lengths were chunked: ${chunked}`);
  m.free();
});

test("AES-256-GCM: what node seals, the wasm opens, at every body length from 0 to 3000 bytes and chunked past it, and refuses once altered", () => {
  const key = generateKey();
  const raw = keyBytes(key);
  const m = new SessionManager({ keys: [key], openCache: 0, maxAge: 3600 });
  const issued = BigInt(NOW - 1000) * 1000n;
  for (const len of lengths(0)) {
    // `k=` and a value; shorter bodies are `k` and the empty string (no entry either way).
    const body = len >= 2 ? `k=${"y".repeat(len - 2)}` : "k".slice(0, len);
    const token = nodeSeal(raw, body, issued);
    const s = m.load(cookieHeader(token), NOW);
    assert.equal(s.status, "loaded", `length ${len}: ${s.rejection}`);
    assert.equal(s.get("k"), len > 2 ? "y".repeat(len - 2) : undefined, `length ${len}`);
    assert.equal(s.issued, NOW - 1000);
    s.free();
    if (len % 97 === 0) {
      // One bit of the ciphertext or of the tag: refused, whatever the length.
      const bytes = Buffer.from(token, "base64url");
      bytes[len % 2 ? bytes.length - 1 : HEADER_BYTES + (len % (bytes.length - HEADER_BYTES))] ^= 1;
      const bad = m.load(cookieHeader(bytes.toString("base64url")), NOW);
      assert.equal(bad.rejection, "tampered", `length ${len}`);
      bad.free();
    }
  }
  m.free();
});

test("HMAC-SHA256: the origin signature equals node's, for secrets and messages of many lengths; node's signatures verify", async () => {
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_é€";
  const text = (n, salt) => Array.from({ length: n }, (_, i) => alphabet[(i * 7 + salt) % alphabet.length]).join("");
  // Around SHA-256's 64-byte block (a longer key is hashed first) and far past it.
  const secretLengths = [32, 33, 55, 56, 63, 64, 65, 100, 127, 128, 129, 200, 1000];
  let checked = 0;
  for (const n of secretLengths) {
    const secret = text(n, n);
    const key = generateKey();
    const m = new SessionManager({ keys: [key], originSecret: secret });
    // Messages from a few bytes to several blocks: the target and the session grow.
    for (const t of [0, 1, 30, 55, 56, 64, 120, 300]) {
      const target = `/${text(t, t + 1).replace(/[^a-zA-Z0-9]/g, "p")}`;
      const s = m.load(null, NOW);
      if (t) s.set("user", text(t, t + 2));
      const cookie = t ? m.save(s, NOW).split(";")[0] : null;
      s.free();
      const host = t % 2 ? "App.Example:8443" : "origin.internal";
      const plan = flow(m).planRequest("POST", host, target, cookie ? [["cookie", cookie]] : [], NOW);
      const set = (name) => plan.headers.find(([op, n]) => op === "set" && n === name)?.[2];
      const session = set("x-session") ?? "";
      const header = set("x-session-signature");
      const ts = String(Math.floor(NOW / 1000));
      const message = ["edge-session/v2", ts, "POST", host.toLowerCase(), target, session].join("\n");
      const want = createHmac("sha256", Buffer.from(secret)).update(message).digest("base64url");
      assert.equal(header, `t=${ts},v2=${want}`, `secret of ${n} characters, target of ${target.length}`);
      plan.session?.free();
      // And the other way: node signs, the package verifies; one bit off does not.
      const request = (sig) => ({ method: "POST", url: target, headers: { host, "x-session": session, "x-session-signature": sig } });
      assert.deepEqual((await verifySessionHeader(request(`t=${ts},v2=${want}`), secret, { now: NOW })).ok, true);
      const off = Buffer.from(want, "base64url");
      off[t % 32] ^= 0x80;
      assert.deepEqual(await verifySessionHeader(request(`t=${ts},v2=${off.toString("base64url")}`), secret, { now: NOW }), { ok: false, reason: "mismatch" });
      checked++;
    }
    m.free();
  }
  assert.equal(checked, secretLengths.length * 8);
});

test("PBKDF2-HMAC-SHA256 and SHA-256: a passphrase key is node's pbkdf2Sync of it, for passphrases of many lengths", () => {
  const passphrases = [
    ...[32, 33, 47, 48, 55, 56, 63, 64, 65, 100, 127, 128, 129, 500].map((n) =>
      Array.from({ length: n }, (_, i) => "correct horse battery staple 0123456789"[(i * 5 + n) % 39]).join(""),
    ),
    "é".repeat(16) + "ü".repeat(16) + "ß0123456789", // multi-byte UTF-8
    "🔑 a passphrase with emoji and spaces, long enough 🔒",
  ];
  for (const p of passphrases) {
    const m = new SessionManager({ keys: [p] });
    const s = m.load(null, NOW);
    s.set("k", "v");
    const token = m.save(s, NOW).split(";")[0].slice(NAME.length + 1);
    s.free();
    m.free();
    const raw = pbkdf2Sync(Buffer.from(p, "utf8"), "edge-session/v1/passphrase", 100_000, 32, "sha256");
    assert.equal(nodeOpen(token, raw).body, "k=v", `a passphrase of ${[...p].length} characters`);
  }
});

test("a token has one spelling: padding, the standard alphabet, set trailing bits, whitespace and percent-escapes are malformed", () => {
  const key = generateKey();
  const m = new SessionManager({ keys: [key] });
  let token;
  // A token whose base64url uses both '-' and '_' and ends in a partial group with spare bits.
  for (let i = 0; !token; i++) {
    const s = m.load(null, NOW);
    s.set("k", "v".repeat(i % 3));
    s.set("n", String(i));
    const t = m.save(s, NOW).split(";")[0].slice(NAME.length + 1);
    s.free();
    if (t.includes("-") && t.includes("_") && t.length % 4 === 2) token = t;
  }
  assert.equal(m.load(`${NAME}=${token}`, NOW).status, "loaded");
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const last = alphabet.indexOf(token.at(-1));
  const spellings = {
    "padded (==)": `${token}==`,
    "padded (=)": `${token}=`,
    "standard alphabet": token.replaceAll("-", "+").replaceAll("_", "/"),
    "trailing bits set": token.slice(0, -1) + alphabet[last | 0b1111],
    "a tab inside": `${token.slice(0, 20)}\t${token.slice(20)}`,
    "a space inside": `${token.slice(0, 20)} ${token.slice(20)}`,
    "a percent-escape": token.replace("-", "%2D"),
    "a line break": `${token.slice(0, 10)}\n${token.slice(10)}`,
  };
  assert.notEqual(spellings["trailing bits set"], token);
  assert.deepEqual(Buffer.from(spellings["trailing bits set"], "base64url"), Buffer.from(token, "base64url"), "a lenient decoder reads the same bytes");
  for (const [what, value] of Object.entries(spellings)) {
    const s = m.load(`${NAME}=${value}`, NOW);
    assert.deepEqual([s.status, s.rejection], ["rejected", "malformed"], what);
    s.free();
  }
  m.free();
});
