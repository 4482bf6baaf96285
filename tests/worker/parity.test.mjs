// One flow, every face: the same requests through each face of the front proxy, in workerd, and
// the same answers header by header: what the origin receives and what the client receives.
// A new face is a new entry in FACES. The cases include the drift bugs the faces once had:
//   1. cookie tossing: `Cookie: prefs=dark,session=TOKEN` is one cookie named prefs (a `,` never
//      separates cookies), so no face loads that token or takes it for a conflict with the real one;
//   2. the origin's SessionHeader must not reach the client on excluded paths;
//   3. a client's `X_Session` (underscore spelling) must not reach the origin;
//   4. an origin that fails (also on an excluded path) is a 502, never a rejection or a 200;
//   5. Hono: the handler forwards the rewritten request, not the client's;
//   6. status text kept, and the same JSON log lines, in every face.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { generateKey, verifySessionHeader } from "edge-session";
import { bundleJsWorker, worker, origin, CookieJar, get } from "./helpers.mjs";

const KEY = generateKey();
const SECRET = "the origin secret of the parity test, 32+ characters";
const FACES = {};
let o;
const logs = {};

before(async () => {
  const outdir = bundleJsWorker();
  o = await origin((req, url) => {
    if (url.pathname === "/login") return { headers: { "x-replace-session": "user=alice&role=admin", "set-cookie": "origin=1" } };
    if (url.pathname === "/huge") return { headers: { "x-replace-session": `k=${"v".repeat(20_000)}` } };
    if (url.pathname === "/large") return { headers: { "x-replace-session": `notes=${"n".repeat(9000)}` } };
    if (url.pathname === "/logout") return { headers: { "x-replace-session": "user=&role=", "cache-control": "no-store" } };
    if (url.pathname === "/static/leak") return { headers: { "x-replace-session": "user=eve", "x_replace_session": "user=eve" } };
    if (url.pathname === "/teapot") return { status: 418, reason: "Short And Stout" };
    if (url.pathname.endsWith("/drop")) return { drop: true };
  });
  const bindings = {
    SESSION_KEYS: KEY,
    SESSION_MAX_AGE: "600",
    SESSION_EXCLUDE: "/static",
    SESSION_COOKIE_REMOVE: "true",
    SESSION_ORIGIN_SECRET: SECRET,
    ORIGIN: o.url,
  };
  const js = (face) =>
    new Miniflare({
      modules: true,
      scriptPath: `${outdir}/worker.js`,
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-26",
      bindings: { ...bindings, FACE: face },
      handleRuntimeStdio(stdout, stderr) {
        for (const s of [stdout, stderr]) s.on("data", (d) => (logs[face] = (logs[face] ?? "") + d));
      },
    });
  FACES.rust = worker(bindings, {
    handleRuntimeStdio(stdout, stderr) {
      for (const s of [stdout, stderr]) s.on("data", (d) => (logs.rust = (logs.rust ?? "") + d));
    },
  });
  FACES.handle = js("handle");
  FACES.hono = js("hono");
});

after(async () => {
  for (const mf of Object.values(FACES)) await mf?.dispose();
  await o?.close();
});

/** One request through a face: what the client got, and what the origin saw (header by header). */
async function observe(mf, path, headers) {
  const before = o.received.length;
  const res = await get(mf, null, path, headers);
  const body = await res.text();
  const received = o.received.length > before ? o.received.at(-1) : null;
  const seen = received?.headers ?? null;
  // Every face signs what it forwards (time, method, host, path and query, session): the origin's
  // own check, in place of the signature's bytes (its time differs between the faces' requests).
  const verdict = received && (await verifySessionHeader(received, SECRET));
  const setCookies = res.headers.getSetCookie();
  const client = {};
  for (const [name, value] of res.headers) {
    if (["date", "content-length", "set-cookie", "keep-alive", "connection"].includes(name)) continue;
    client[name] = value;
  }
  const origin = seen && Object.fromEntries(
    Object.entries(seen)
      .filter(([name]) => !["host", "content-length", "accept-encoding", "cf-connecting-ip", "connection", "user-agent", "accept", "accept-language", "sec-fetch-mode", "cf-ray", "cf-visitor", "x-forwarded-proto", "x-real-ip"].includes(name))
      .map(([name, value]) => [name, name === "x-session" ? value.replace(/expiry=\d+/, "expiry=<t>") : value])
      .map(([name, value]) => [name, name === "x-session-signature" ? (verdict.ok ? "<verified>" : `<refused: ${verdict.reason}>`) : value]),
  );
  return {
    status: res.status,
    statusText: res.statusText,
    body: body
      .replace(/expiry=\d+/g, "expiry=<t>")
      .replace(/"x-session":"[^"]*"/, '"x-session":"<s>"')
      .replace(/"x-session-signature":"[^"]*"/, '"x-session-signature":"<signature>"'),
    client,
    setCookies: setCookies.map((c) => c.replace(/^(session(?:\.\d+)?)=(\d\*)?[^;]+/, (_, n, count) => `${n}=${count ?? ""}<sealed>`)),
    rawSession: setCookies.find((c) => c.startsWith("session="))?.split(";")[0],
    origin,
  };
}

test("every face gives the same answers, header by header, on the same requests", async () => {
  const jar = new CookieJar();
  const login = await observe(FACES.rust, "/login", {});
  jar.cookies.set("session", login.rawSession.split("=")[1]);
  const token = jar.header();
  const cookie = `theme=dark; ${token}`;
  const forged = { "x-session": "user=mallory", x_session: "user=admin", X_SESSION: "user=root" };
  const cases = [
    ["/login", { ...forged }],
    ["/page", { cookie, ...forged }],
    ["/page", { cookie: `prefs=dark,${token}` }], // 1
    ["/page", { cookie: `${token}; prefs=dark,session=other` }], // 1
    ["/static/app.css", { cookie, ...forged }], // 3
    ["/static/leak", { cookie }], // 2
    ["/huge", { cookie }],
    ["/large", { cookie }],
    ["/teapot", { cookie }], // 6
    ["/drop", { cookie }], // 4
    ["/static/drop", {}], // 4
    ["/logout", { cookie }],
    ["/page", { cookie: "session=garbage; a=1" }],
    ["/page", { cookie: `${token}; session=other` }],
  ];
  for (const [path, headers] of cases) {
    const answers = {};
    for (const [name, mf] of Object.entries(FACES)) {
      answers[name] = await observe(mf, path, headers);
      delete answers[name].rawSession;
    }
    const label = `${path} ${JSON.stringify(headers).slice(0, 60)}`;
    for (const name of Object.keys(FACES)) assert.deepEqual(answers[name], answers.rust, `${name} vs rust: ${label}`);
    const a = answers.rust;
    // What every face must do, not only do alike.
    if (a.origin) {
      assert.equal(a.origin.x_session, undefined, `${label}: no client X_Session reaches the origin`);
      assert.doesNotMatch(a.origin["x-session"] ?? "", /user=(mallory|admin|root)/, `${label}: only the proxy sets X-Session`);
      assert.doesNotMatch(a.origin.cookie ?? "", /(^|;\s*)session(\.\d+)?=/, `${label}: cookieRemove`);
      assert.equal(a.origin["x-session-signature"], "<verified>", `${label}: signed for the origin's host and the target`);
    }
    assert.equal(a.client["x-replace-session"], undefined, `${label}: the SessionHeader never reaches the client`);
    assert.equal(a.client.x_replace_session, undefined, `${label}`);
    if (path.endsWith("/drop")) assert.equal(a.status, 502, label);
    if (path === "/teapot") assert.deepEqual([a.status, a.statusText], [418, "Short And Stout"]);
    if (path === "/page" && headers.cookie?.startsWith("prefs=dark,")) assert.doesNotMatch(a.origin["x-session"] ?? "", /user=/, `${label}: a tossed token is no session`);
    if (path === "/page" && headers.cookie?.endsWith("prefs=dark,session=other")) {
      assert.equal(a.origin["x-session"], "user=alice&role=admin&expiry=<t>", `${label}: the real cookie, no conflict`);
    }
    if (path === "/large") {
      assert.ok(a.setCookies.filter((c) => /^session\.\d=/.test(c)).length >= 3, "chunks");
      assert.equal(a.setCookies.filter((c) => /^session=;.*Max-Age=0/.test(c)).length, 1, "the single cookie removed");
    }
  }
});

test("each face accepts the others' cookies", async () => {
  for (const [writer, w] of Object.entries(FACES)) {
    const login = await observe(w, "/login", {});
    for (const [reader, r] of Object.entries(FACES)) {
      const after = await observe(r, "/page", { cookie: login.rawSession });
      assert.equal(after.origin["x-session"], "user=alice&role=admin&expiry=<t>", `${writer} -> ${reader}`);
    }
  }
});

test("every face logs the flow's notices as the same JSON lines", async () => {
  await new Promise((r) => setTimeout(r, 300));
  for (const name of Object.keys(FACES)) {
    const text = logs[name] ?? "";
    assert.match(text, /\{"edge_session":"rejected","why":"malformed"(,"sid":"[0-9a-f]{32}")?\}/, `${name}:\n${text}`);
    assert.match(text, /\{"edge_session":"update-refused","error":"session update of \d+ bytes exceeds the 16384-byte limit"\}/, name);
    assert.match(text, /\{"edge_session":"origin-failed","error":"[^"]*"\}/, name);
    assert.doesNotMatch(text, /edge-session: /, `${name}: no free-text lines`);
  }
});
