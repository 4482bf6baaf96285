// The JavaScript `manager.handle` (in a JS Worker that imports the package, bundled by wrangler)
// and the Rust Worker, both in workerd, on the same inputs: same decisions, and each accepts the
// other's cookies (one core, one format).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { Miniflare } from "miniflare";
import { generateKey } from "edge-session";
import { ROOT, worker, origin, CookieJar, get } from "./helpers.mjs";

const KEY = generateKey();
let rust, js, o;

before(async () => {
  const outdir = new URL("build/js-worker", ROOT).pathname;
  execFileSync(
    "npx",
    ["--no-install", "wrangler", "deploy", "--dry-run", "--outdir", outdir, "-c", "tests/js-worker/wrangler.toml"],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, stdio: "pipe" },
  );
  o = await origin((req, url) => {
    if (url.pathname === "/login") return { headers: { "x-replace-session": "user=alice&role=admin", "set-cookie": "origin=1" } };
    if (url.pathname === "/huge") return { headers: { "x-replace-session": `k=${"v".repeat(20_000)}` } };
    if (url.pathname === "/large") return { headers: { "x-replace-session": `notes=${"n".repeat(9000)}` } };
    if (url.pathname === "/logout") return { headers: { "x-replace-session": "user=&role=", "cache-control": "no-store" } };
  });
  const bindings = { SESSION_KEYS: KEY, SESSION_MAX_AGE: "600", SESSION_EXCLUDE: "/static", SESSION_COOKIE_REMOVE: "true", ORIGIN: o.url };
  rust = worker(bindings);
  js = new Miniflare({
    modules: true,
    scriptPath: `${outdir}/worker.js`,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    bindings,
  });
});

after(async () => {
  await rust?.dispose();
  await js?.dispose();
  await o?.close();
});

/** One request through a worker: what the client got, and what the origin saw. */
async function observe(mf, path, headers) {
  const res = await get(mf, null, path, headers);
  const body = await res.text();
  const seen = o.received.at(-1).headers;
  const setCookies = res.headers.getSetCookie();
  return {
    status: res.status,
    body: body.replace(/expiry=\d+/g, "expiry=<t>"),
    cacheControl: res.headers.get("cache-control"),
    vary: res.headers.get("vary"),
    replaceSession: res.headers.get("x-replace-session"),
    setCookies: setCookies.map((c) => c.replace(/^(session(?:\.\d+)?)=(\d\*)?[^;]+/, (_, n, count) => `${n}=${count ?? ""}<sealed>`)),
    rawSession: setCookies.find((c) => c.startsWith("session="))?.split(";")[0],
    originXSession: (seen["x-session"] ?? null)?.replace(/expiry=\d+/, "expiry=<t>"),
    originCookie: seen.cookie ?? null,
  };
}

test("same inputs, same outputs: login, carry, static, huge update, logout, garbage", async () => {
  const jar = new CookieJar();
  const login = await observe(rust, "/login", { "x-session": "user=mallory" });
  jar.cookies.set("session", login.rawSession.split("=")[1]);
  const cookie = `theme=dark; ${jar.header()}`;
  const cases = [
    ["/login", { "x-session": "user=mallory" }],
    ["/page", { cookie, "x-session": "user=mallory" }],
    ["/static/app.css", { cookie, "x-session": "user=mallory" }],
    ["/huge", { cookie }],
    ["/large", { cookie }],
    ["/logout", { cookie }],
    ["/page", { cookie: "session=garbage; a=1" }],
    ["/page", { cookie: `${jar.header()}; session=other` }],
  ];
  for (const [path, headers] of cases) {
    const a = await observe(rust, path, headers);
    const b = await observe(js, path, headers);
    if (path === "/large") {
      assert.ok(a.setCookies.filter((c) => /^session\.\d=/.test(c)).length >= 3, "chunks");
      assert.equal(a.setCookies.filter((c) => /^session=;.*Max-Age=0/.test(c)).length, 1, "the single cookie removed");
    }
    delete a.rawSession;
    delete b.rawSession;
    assert.deepEqual(b, a, `${path} ${JSON.stringify(headers).slice(0, 60)}`);
  }
});

test("each accepts the other's cookies", async () => {
  for (const [writer, reader] of [[rust, js], [js, rust]]) {
    const login = await observe(writer, "/login", {});
    const after = await observe(reader, "/page", { cookie: login.rawSession });
    assert.equal(after.originXSession, "user=alice&role=admin&expiry=<t>");
  }
});
