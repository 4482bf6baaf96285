// The package as users get it: a clean clone of this repository's HEAD is packed with `npm pack`
// (whose prepack step builds what the package ships with stable Rust: scripts/build.sh), the tarball is
// installed into an empty project, and that project uses it: from node (sessions, the Hono
// middleware, the origin's verifier, the command line), as a JavaScript Worker under
// `wrangler dev` (a counter through `handle`), the conformance suite (tests/conformance/) in node,
// Deno, Bun, Vercel's Edge Runtime, workerd and Chromium, and a page built by esbuild, Vite,
// webpack 5 and Rollup with their default configurations, opened in Chromium.
import { before, after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { freePorts } from "../support/net.mjs";
import { verifySessionHeader } from "edge-session";
import { startOrigin } from "../conformance/origin.mjs";
import { bundle, inChromium, inEdgeRuntime, inProcessRuntime, inWorkerd, pageResult, serving } from "./everywhere.mjs";
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
  "js/astro.d.ts",
  "js/astro.js",
  "js/base64.js",
  "js/browser.js",
  "js/edge.js",
  "js/express.d.ts",
  "js/express.js",
  "js/flow.d.ts",
  "js/flow.js",
  "js/full/browser.js",
  "js/full/edge.js",
  "js/full/index.d.ts",
  "js/full/node.js",
  "js/full/workerd.js",
  "js/device-bound/browser.js",
  "js/device-bound/edge.js",
  "js/device-bound/index.d.ts",
  "js/device-bound/node.js",
  "js/device-bound/workerd.js",
  "js/handle.js",
  "js/hono.d.ts",
  "js/hono.js",
  "js/index.d.ts",
  "js/next.d.ts",
  "js/next.js",
  "js/node.js",
  "js/plans.js",
  "js/store-flow.js",
  "js/store.d.ts",
  "js/store.js",
  "js/sveltekit.d.ts",
  "js/sveltekit.js",
  "js/verify.js",
  "js/workerd.js",
  "package.json",
  "pkg/edge_session.d.ts",
  "pkg/edge_session.js",
  "pkg/edge_session_bg.wasm",
  "pkg/edge_session_bg.wasm.d.ts",
  "pkg/edge_session_wasm.js",
  "pkg/full/edge_session.d.ts",
  "pkg/full/edge_session.js",
  "pkg/full/edge_session_bg.wasm",
  "pkg/full/edge_session_bg.wasm.d.ts",
  "pkg/full/edge_session_wasm.js",
  "pkg/device-bound/edge_session.d.ts",
  "pkg/device-bound/edge_session.js",
  "pkg/device-bound/edge_session_bg.wasm",
  "pkg/device-bound/edge_session_bg.wasm.d.ts",
  "pkg/device-bound/edge_session_wasm.js",
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

describe("the conformance suite, against the tarball, in every runtime", () => {
  const secret = "an origin secret of at least 32 characters, 2026";
  let origin;
  before(async () => {
    origin = await startOrigin(verifySessionHeader, secret);
  });
  after(() => origin?.close());
  const expectAll = (results, runtime, skipped = []) => {
    assert.equal(results.length, 6, `${runtime}: ${JSON.stringify(results)}`);
    for (const r of results) {
      assert.ok(r.ok, `${runtime}: ${r.name}: ${r.detail}`);
      if (!skipped.includes(r.name)) assert.equal(r.detail, null, `${runtime}: ${r.name} ran whole`);
    }
    console.log(`# ${runtime}: ${results.length} checks passed`);
  };
  const env = () => ({ origin: origin.url, secret });
  for (const runtime of ["node", "deno", "bun"]) {
    test(runtime, { timeout: 180_000 }, async () => expectAll(await inProcessRuntime(runtime, app, env()), runtime));
  }
  test("Vercel's Edge Runtime (bundled with its conditions)", { timeout: 180_000 }, async () => expectAll(await inEdgeRuntime(app, env()), "edge-runtime"));
  test("workerd (bundled by wrangler, run by Miniflare)", { timeout: 180_000 }, async () => expectAll(await inWorkerd(app, env()), "workerd"));
  test("Chromium (bundled by esbuild)", { timeout: 180_000 }, async () =>
    // A page can neither send Cookie nor see Set-Cookie: those steps of handle's checks are skipped.
    expectAll(await inChromium(app, env()), "chromium", [
      "handle and verifySessionHeader in this runtime: the signature verified",
      "handle against a real origin over HTTP",
      "device-bound sessions (edge-session/device-bound): a WebCrypto ES256 key registered, the cookie alone refused, a refresh",
    ]));
});

describe("bundlers with their default configuration: a page with both entries, in Chromium", () => {
  for (const bundler of ["esbuild", "vite", "webpack", "rollup"]) {
    test(bundler, { timeout: 180_000 }, async () => {
      const dist = await bundle(bundler, app);
      assert.deepEqual(await serving(dist, pageResult), { user: "alice", cart: { items: [1, 2] }, format: "sealed" });
    });
  }
});
