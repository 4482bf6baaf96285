// The package as users get it: a clean clone of this repository's HEAD is packed with `npm pack`
// (whose prepack step builds what the package ships with stable Rust: scripts/build.sh), the tarball is
// installed into an empty project, and that project uses it: from node (sessions, the Hono
// middleware, the origin's verifier, the command line), as a JavaScript Worker under
// `wrangler dev` (a counter through `handle`), and bundled by Vite for a page opened in Chromium.
import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../support/chromium.mjs";
import { freePorts } from "../support/net.mjs";
import { existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const VITE = "8.3.8";
const run = (cmd, args, cwd, env = {}) =>
  execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });

/** What the tarball may hold, and nothing else. */
const SHIPPED = [
  "LICENSE",
  "README.md",
  "bin/edge-session.js",
  "js/api.js",
  "js/browser.js",
  "js/flow.d.ts",
  "js/flow.js",
  "js/full/browser.js",
  "js/full/index.d.ts",
  "js/full/node.js",
  "js/full/workerd.js",
  "js/handle.js",
  "js/hono.d.ts",
  "js/hono.js",
  "js/index.d.ts",
  "js/node.js",
  "js/verify.js",
  "js/workerd.js",
  "package.json",
  "pkg/edge_session.d.ts",
  "pkg/edge_session.js",
  "pkg/edge_session_bg.wasm",
  "pkg/edge_session_bg.wasm.d.ts",
  "pkg/full/edge_session.d.ts",
  "pkg/full/edge_session.js",
  "pkg/full/edge_session_bg.wasm",
  "pkg/full/edge_session_bg.wasm.d.ts",
];

let dir;
let app;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "edge-session-pack-"));
  const repo = join(dir, "repo");
  run("git", ["clone", "--quiet", "--no-hardlinks", ROOT, repo], dir);
  // The clone has no build output; its tools (wasm-opt from binaryen) come from the repository's
  // node_modules, and cargo reuses the repository's target directory (where the test run's own
  // published build compiled the dependencies: only this repository's crates are compiled again,
  // from the clone). The stable toolchain, named: the published build needs no other.
  symlinkSync(join(ROOT, "node_modules"), join(repo, "node_modules"));
  let packed;
  try {
    packed = JSON.parse(
      run("npm", ["pack", "--json", "--pack-destination", dir], repo, {
        CARGO_TARGET_DIR: join(ROOT, "target"),
        RUSTUP_TOOLCHAIN: "stable",
      }),
    )[0];
  } finally {
    forgetClonesCrates();
  }
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [...SHIPPED].sort());
  const wasm = packed.files.find((f) => f.path === "pkg/edge_session_bg.wasm");
  const full = packed.files.find((f) => f.path === "pkg/full/edge_session_bg.wasm");
  assert.ok(wasm.size > 100_000, `the wasm is ${wasm.size} bytes`);
  assert.ok(full.size > wasm.size + 20_000, `the full entry's wasm (${full.size} bytes) holds the apache format besides`);
  console.log(`# tarball ${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} unpacked, ${files.length} files`);
  console.log(`# ${files.map((f) => `${f} ${packed.files.find((x) => x.path === f).size}`).join("\n# ")}`);

  // An empty project installs the tarball, Hono and Vite (the npm cache first, then the registry).
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  const hono = JSON.parse(readFileSync(join(ROOT, "node_modules/hono/package.json"), "utf8")).version;
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", join(dir, packed.filename), `hono@${hono}`, `vite@${VITE}`], app);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * The clone's builds of this repository's own crates share their artifacts' names with the work
 * tree's, and cargo records their sources relative to each crate, so it would take them for builds
 * of the work tree: a work tree with uncommitted changes would then be packed, benchmarked or
 * tested as HEAD. Their fingerprints are removed, so the next build there compiles them again (the
 * dependencies and the standard library stay shared).
 */
function forgetClonesCrates() {
  const fingerprints = join(ROOT, "target/wasm32-unknown-unknown/release/.fingerprint");
  if (!existsSync(fingerprints)) return;
  for (const name of readdirSync(fingerprints)) {
    if (/^edge-session(-js)?-[0-9a-f]+$/.test(name)) rmSync(join(fingerprints, name), { recursive: true, force: true });
  }
}

test("from node: sessions, Hono, handle with the origin's verifier, the command line", () => {
  writeFileSync(
    join(app, "use.mjs"),
    `
    import { SessionManager, generateKey, verifySessionHeader } from "edge-session";
    import { session } from "edge-session/hono";
    import { Hono } from "hono";
    const key = generateKey();
    const manager = new SessionManager({ keys: [key], maxAge: 60 });
    const s = manager.load(null);
    s.set("user", "alice");
    const cookie = manager.save(s).split(";")[0];
    const again = manager.load(cookie);
    const app = new Hono();
    app.use("*", session({ keys: [key] }));
    app.get("/", (c) => c.text(String(c.get("session").get("user"))));
    const res = await app.request("http://127.0.0.1/", { headers: { cookie } });
    const secret = "an origin secret that is long enough 2026";
    const proxy = new SessionManager({ keys: [key], originSecret: secret });
    const forwarded = await proxy.handle(new Request("http://127.0.0.1/a?b=1", { headers: { cookie } }), async (req) =>
      Response.json(await verifySessionHeader(req, secret)));
    console.log(JSON.stringify({ user: again.get("user"), hono: await res.text(), verified: await forwarded.json() }));
    `,
  );
  const out = JSON.parse(run("node", ["use.mjs"], app));
  assert.equal(out.user, "alice");
  assert.equal(out.hono, "alice");
  assert.equal(out.verified.ok, true);
  assert.equal(out.verified.session.user, "alice");
  // The command line, from the installed bin.
  const bin = join(app, "node_modules/.bin/edge-session");
  const key = run(bin, ["keygen"], app);
  assert.match(key, /^base64:[A-Za-z0-9+/]{43}=\n$/);
  const sealed = run(bin, ["seal", "--key", key.trim(), "user=carol"], app);
  assert.match(run(bin, ["inspect", "--key", key.trim(), sealed.trim()], app), /^ {2}user {2}carol$/m);
});

test("a JavaScript Worker under wrangler dev: a counter through handle", { timeout: 180_000 }, async () => {
  const worker = join(app, "worker");
  mkdirSync(worker);
  // The counter: `next` plays the origin, reading X-Session and answering with X-Replace-Session.
  writeFileSync(
    join(worker, "index.js"),
    `
    import { SessionManager } from "edge-session";
    let manager;
    export default {
      async fetch(request, env) {
        manager ??= new SessionManager({ keys: [env.SESSION_KEY], cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" });
        return manager.handle(request, (req) => {
          const n = Number(new URLSearchParams(req.headers.get("x-session") ?? "").get("count") ?? 0) + 1;
          return new Response(String(n), { headers: { "x-replace-session": "count=" + n } });
        });
      },
    };
    `,
  );
  writeFileSync(join(worker, "wrangler.toml"), 'name = "counter"\nmain = "index.js"\ncompatibility_date = "2026-04-26"\n');
  const key = run(join(app, "node_modules/.bin/edge-session"), ["keygen"], app).trim();
  const [port, inspector] = await freePorts(2);
  let output = "";
  const dev = spawn(
    join(ROOT, "node_modules/.bin/wrangler"),
    ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--show-interactive-dev-session=false", "--var", `SESSION_KEY:${key}`, "--log-level", "warn"],
    { cwd: worker, env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  dev.stdout.on("data", (d) => (output += d));
  dev.stderr.on("data", (d) => (output += d));
  try {
    let cookie = "";
    const counts = [];
    const deadline = Date.now() + 120_000;
    while (counts.length < 3) {
      let res;
      try {
        res = await fetch(`http://127.0.0.1:${port}/`, { headers: cookie ? { cookie } : {} });
      } catch {
        if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`wrangler dev did not start:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      assert.equal(res.status, 200, output);
      counts.push(await res.text());
      const set = res.headers.getSetCookie();
      assert.equal(set.length, 1, "one Set-Cookie per answer");
      assert.match(res.headers.get("cache-control") ?? "", /private/);
      cookie = set[0].split(";")[0];
    }
    assert.deepEqual(counts, ["1", "2", "3"]);
  } finally {
    if (dev.exitCode === null) process.kill(-dev.pid, "SIGTERM");
  }
});

test("bundled by Vite, in a page opened in Chromium", { timeout: 180_000 }, async () => {
  const web = join(app, "web");
  mkdirSync(web);
  writeFileSync(join(web, "index.html"), '<!doctype html><title>app</title><script type="module" src="./main.js"></script>');
  writeFileSync(
    join(web, "main.js"),
    `
    import { SessionManager, generateKey } from "edge-session";
    import { inspect } from "edge-session/full";
    const key = generateKey();
    const manager = new SessionManager({ keys: [key], maxAge: 60 });
    const s = manager.load(null);
    s.set("user", "alice");
    const setCookie = manager.save(s);
    document.body.dataset.result = JSON.stringify({
      user: manager.load(setCookie.split(";")[0]).get("user"),
      format: inspect(setCookie, { keys: [key] }).format,
    });
    `,
  );
  run(join(app, "node_modules/.bin/vite"), ["build", "--logLevel", "warn", "--outDir", "dist"], web);
  const dist = join(web, "dist");
  const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname.replace(/\/$/, "/index.html");
    if (path.includes("..")) return res.writeHead(404).end();
    try {
      const body = await readFile(join(dist, path));
      res.writeHead(200, { "content-type": types[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const browser = await chromium.launch(CHROMIUM);
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 30_000 }).catch(() => {});
    const result = await page.evaluate(() => document.body.dataset.result);
    assert.ok(result, `the page did not run: ${errors.join("; ")}`);
    assert.deepEqual(JSON.parse(result), { user: "alice", format: "sealed" });
    // Each entry brought its own wasm.
    const assets = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".wasm"));
    assert.equal(assets.length, 2, assets.join(", "));
  } finally {
    await browser.close();
    await new Promise((r) => server.close(r));
  }
});
