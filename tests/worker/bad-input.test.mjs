// What attackers and broken clients send, at the Worker in real workerd: never a panic, never a
// 5xx of ours (502 only when the origin fails), the session either intact or empty (never a
// partial or someone else's), and log lines that say why without any secret or session content.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { generateKey } from "edge-session";
import { ROOT, origin, CookieJar, get } from "./helpers.mjs";

const KEY = generateKey();
let mf, o, jar, logs = "";

before(async () => {
  o = await origin((req, url) => {
    if (url.pathname === "/login") return { headers: { "x-replace-session": "user=alice&secret=s3cr3t-value" } };
    if (url.pathname === "/huge") {
      return { headers: { "x-replace-session": `k=${"v".repeat(url.searchParams.has("mb") ? 1 << 20 : 60_000)}` } };
    }
  });
  mf = new Miniflare({
    modules: true,
    scriptPath: new URL("build/index.js", ROOT).pathname,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    bindings: { SESSION_KEYS: KEY, ORIGIN: o.url },
    // workerd's own stdout/stderr: where the Worker's console lines go.
    handleRuntimeStdio(stdout, stderr) {
      stdout.on("data", (d) => (logs += d));
      stderr.on("data", (d) => (logs += d));
    },
  });
  jar = new CookieJar();
  await (await get(mf, jar, "/login")).text();
  assert.match(jar.header(), /^session=/);
});

after(async () => {
  await mf?.dispose();
  await o?.close();
});

/** The session the origin saw for one request with this Cookie header. */
async function seen(cookie, path = "/") {
  const res = await get(mf, null, path, { cookie });
  await res.text();
  assert.ok(res.status < 500, `${res.status} for ${cookie.slice(0, 60)}…`);
  return { status: res.status, session: o.received.at(-1).headers["x-session"] };
}

const INTACT = /^user=alice&secret=s3cr3t-value(&expiry=\d+)?$/;
const EMPTY = /^(expiry=\d+)?$/;

test("the valid cookie gives the whole session", async () => {
  assert.match((await seen(jar.header())).session, INTACT);
});

test("a 1 MB Cookie header: refused before parsing, an empty session, not an error", async () => {
  const cookie = `${jar.header()}; pad=${"p".repeat(1 << 20)}`;
  const res = await get(mf, null, "/", { cookie });
  await res.text();
  // workerd may refuse a header this large itself (a 4xx of the runtime's); if it reaches the
  // Worker, the session is empty (the header is over the 64 KiB cap).
  assert.ok(res.status < 500, String(res.status));
  if (res.status === 200) assert.match(o.received.at(-1).headers["x-session"], EMPTY);
});

test("10 000 cookies: bounded work, the session found among them", async () => {
  // 50 KB: under both workerd's request-header limit and edge-session's 64 KiB cap, so every
  // piece is parsed.
  const many = Array.from({ length: 10_000 }, () => "a=1").join("; ");
  for (const cookie of [`${many}; ${jar.header()}`, `${jar.header()}; ${many}`]) {
    const { status, session } = await seen(cookie);
    assert.equal(status, 200);
    assert.match(session, INTACT);
  }
  // 10 000 distinct names (about 90 KB): over the cap, an empty session without parsing.
  const named = Array.from({ length: 10_000 }, (_, i) => `c${i}=${i}`).join("; ");
  const { status, session } = await seen(`${named}; ${jar.header()}`);
  assert.equal(status, 200);
  assert.match(session, EMPTY);
});

test("the session cookie repeated: the same value is the session, different values are none", async () => {
  assert.match((await seen(`${jar.header()}; ${jar.header()}`)).session, INTACT);
  const other = new CookieJar();
  await (await get(mf, other, "/login")).text();
  assert.match((await seen(`${jar.header()}; ${other.header()}`)).session, EMPTY);
  assert.match((await seen(`${jar.header()}; session=AAAA`)).session, EMPTY);
});

test("bad base64, truncations, invalid UTF-8 and control bytes: empty sessions", async () => {
  const value = jar.header().slice("session=".length);
  for (const cookie of [
    "session=!!!not*base64!!!",
    `session=${value.slice(0, -1)}`,
    `session=${value.slice(0, 20)}`,
    `session=${value}A`,
    `session=${value.slice(0, 10)}\u00ff\u00fe${value.slice(12)}`, // raw 0xFF 0xFE on the wire
    "session=\u00c3\u0028", // an invalid two-byte sequence
    `session="${value}"`,
    "session=%00%00",
    "=; ==; session",
  ]) {
    assert.match((await seen(cookie)).session, EMPTY, cookie.slice(0, 40));
  }
});

test("a huge SessionHeader from the origin is ignored: 200, and the session is intact after", async () => {
  const res = await get(mf, null, "/huge", { cookie: jar.header() });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-replace-session"), null, "never passed to the client");
  await res.text();
  assert.match((await seen(jar.header())).session, INTACT);
  // 1 MB of response header is more than workerd's HTTP client reads: the origin's response
  // fails, which is a 502 (the origin's failure), and the session is still intact.
  const tooBig = await get(mf, null, "/huge?mb=1", { cookie: jar.header() });
  assert.equal(tooBig.status, 502);
  await tooBig.text();
  assert.match((await seen(jar.header())).session, INTACT);
});

test("the origin down: 502 and only then", async () => {
  const down = await origin();
  const url = down.url;
  await down.close();
  const failing = new Miniflare({
    modules: true,
    scriptPath: new URL("build/index.js", ROOT).pathname,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    bindings: { SESSION_KEYS: KEY, ORIGIN: url },
  });
  try {
    for (const cookie of [jar.header(), "session=garbage", `pad=${"p".repeat(70_000)}`]) {
      const res = await get(failing, null, "/", { cookie });
      assert.equal(res.status, 502);
      assert.match(await res.text(), /origin/);
    }
  } finally {
    await failing.dispose();
  }
});

test("log lines say why a cookie was refused, and never hold a key, a cookie or session content", async () => {
  // Give workerd a moment to flush its stdout.
  await new Promise((r) => setTimeout(r, 300));
  for (const reason of ["malformed", "duplicate", "too-large"]) {
    assert.match(logs, new RegExp(`\\{"edge_session":"rejected","why":"${reason}"(,"sid":"[0-9a-f]{32}")?\\}`), `no ${reason} line in:\n${logs}`);
  }
  assert.match(logs, /\{"edge_session":"update-refused","error":"session update of \d+ bytes exceeds the 16384-byte limit"\}/);
  const value = jar.header().slice("session=".length);
  for (const secret of [KEY, value, value.slice(0, 24), "alice", "s3cr3t", "vvvvvvvvvvvvvvvv"]) {
    assert.ok(!logs.includes(secret), `the logs hold ${secret.slice(0, 12)}…`);
  }
});
