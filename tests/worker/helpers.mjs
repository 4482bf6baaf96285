// Shared by the Worker tests: the built worker in Miniflare (real workerd), a local origin
// server that records what it receives, and a minimal cookie jar.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { Miniflare } from "miniflare";

export const ROOT = new URL("../../", import.meta.url);

/**
 * Miniflare's `handleRuntimeStdio` for a worker that logs a line per request: workerd's stdout is
 * read and dropped (passed on, 100 000 lines cost the test runner more than the requests cost the
 * worker), its stderr handed to `onStderr`.
 */
export const dropStdout = (onStderr) => (stdout, stderr) => {
  stdout.resume();
  stderr.on("data", onStderr);
};

/**
 * The built worker (build/index.js) in workerd with these bindings (and Miniflare options). Bindings
 * that name no ORIGIN (nor SESSION_DEMO) serve the embedded demo origin, which a deployment must ask
 * for with SESSION_DEMO.
 */
export function worker(bindings, options = {}) {
  const demo = "ORIGIN" in bindings || "SESSION_DEMO" in bindings ? {} : { SESSION_DEMO: "true" };
  return new Miniflare({
    modules: true,
    scriptPath: new URL("build/index.js", ROOT).pathname,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    bindings: { ...demo, ...bindings },
    ...options,
  });
}

/** The 500 body of a Worker whose configuration is invalid: the reason is in the log only. */
export const CONFIG_ERROR_BODY = "edge-session is not configured: see the Worker's log\n";

/**
 * Starts the worker with a configuration that must be refused and makes one request: its status,
 * body and the reason in the log line the Worker printed (`{"edge_session":"config-error","error":…}`).
 */
export async function configError(bindings, options = {}) {
  let log = "";
  const mf = worker(bindings, {
    ...options,
    handleRuntimeStdio(stdout, stderr) {
      for (const s of [stdout, stderr]) s.on("data", (d) => (log += d));
    },
  });
  try {
    const res = await mf.dispatchFetch("http://127.0.0.1/");
    const body = await res.text();
    for (let i = 0; i < 100 && !log.includes('"config-error"'); i++) await new Promise((r) => setTimeout(r, 20));
    const line = log.split("\n").find((l) => l.includes('"config-error"'));
    return { status: res.status, body, error: line ? JSON.parse(line.slice(line.indexOf("{"))).error : "" };
  } finally {
    await mf.dispose();
  }
}

/**
 * A local origin on 127.0.0.1. `respond(req, url)` returns { status, reason, headers, body } or
 * nothing (then 200, the received headers as JSON), or { drop: true } to close the connection
 * without an answer. Every request's method, target and headers are kept in `received`.
 */
export async function origin(respond = () => undefined) {
  const received = [];
  // Large request headers pass (node's default is 16 KB): the bad-input tests forward 50 KB ones.
  const server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    const url = new URL(req.url, "http://origin");
    received.push({ path: url.pathname, method: req.method, url: req.url, headers: req.headers });
    const out = respond(req, url) ?? {};
    if (out.drop) return req.socket.destroy();
    const headers = { "content-type": "application/json", ...(out.headers ?? {}) };
    if (out.reason) res.writeHead(out.status ?? 200, out.reason, headers);
    else res.writeHead(out.status ?? 200, headers);
    res.end(out.body ?? JSON.stringify(req.headers));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(r)) };
}

/** Keeps the cookies a client would keep, from Set-Cookie headers. */
export class CookieJar {
  cookies = new Map();
  store(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const removed = attrs.some((a) => a.trim().toLowerCase() === "max-age=0");
      if (removed) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(eq + 1));
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

/** GET through the worker with the jar's cookies (and extra headers); stores what it sets. */
export async function get(mf, jar, path, headers = {}) {
  const cookie = jar?.header();
  const res = await mf.dispatchFetch(`http://127.0.0.1${path}`, {
    headers: { ...(cookie ? { cookie } : {}), ...headers },
    redirect: "manual",
  });
  jar?.store(res);
  return res;
}

/** Bundles tests/js-worker/worker.js (and the package it imports) as wrangler deploys it; its directory. */
export function bundleJsWorker() {
  const outdir = new URL("build/js-worker", ROOT).pathname;
  execFileSync("npx", ["--no-install", "wrangler", "deploy", "--dry-run", "--outdir", outdir, "-c", "tests/js-worker/wrangler.toml"], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    stdio: "pipe",
  });
  return outdir;
}

/** The store tests' origin: logs in, changes a cart, remembers and logs out through the SessionHeader. */
export function storeOrigin() {
  return origin((req, url) => {
    const q = url.searchParams;
    if (url.pathname === "/login") return { headers: { "x-replace-session": `!regenerate=1&user=${q.get("user")}` } };
    if (url.pathname === "/cart") return { headers: { "x-replace-session": `cart.json=${q.get("n") ?? 1}` } };
    if (url.pathname === "/remember") return { headers: { "x-replace-session": "!maxage=2592000" } };
    if (url.pathname === "/logout") return { headers: { "x-replace-session": "!clear=1" } };
  });
}

/**
 * A request through a Miniflare worker with a cookie, in front of `o`: the status, what the origin
 * saw (without the expiry), the cookie to keep (null once removed) and the Set-Cookie lines.
 */
export async function visitThrough(worker, o, path, cookie) {
  const res = await worker.fetch(`http://127.0.0.1${path}`, { headers: cookie ? { cookie } : {} });
  await res.text();
  const lines = res.headers.getSetCookie();
  const next = lines.find((l) => l.startsWith("session=") && !/Max-Age=0/.test(l))?.split(";")[0];
  const removed = lines.some((l) => /^session=;.*Max-Age=0/.test(l));
  const seen = (o.received.at(-1).headers["x-session"] ?? "").replace(/&?expiry=\d+/, "");
  return { status: res.status, seen, cookie: removed ? null : (next ?? cookie), lines };
}
