// For tests/pack/pack.test.mjs: the installed tarball in every runtime (the conformance suite of
// tests/conformance/) and through every bundler (a page in Chromium), each run as its users run it.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { EdgeRuntime } from "edge-runtime";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../support/chromium.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const BIN = join(ROOT, "node_modules/.bin");
const run = (cmd, args, cwd, env = {}) =>
  execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20, timeout: 180_000 });

/** `run` without blocking: the origin the suite calls is served by this process. */
const runAsync = async (cmd, args, cwd, env = {}) =>
  (await promisify(execFile)(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 64 << 20, timeout: 180_000 })).stdout;

/** The conformance suite and its runners, copied into the app that installed the tarball. */
export function installSuite(app) {
  const dir = join(app, "conformance");
  mkdirSync(dir, { recursive: true });
  for (const f of ["suite.mjs", "runner.mjs"]) cpSync(join(ROOT, "tests/conformance", f), join(dir, f));
  return dir;
}

/** The results a runner printed on its `CONFORMANCE` line. */
function printed(out) {
  const line = out.split("\n").find((l) => l.startsWith("CONFORMANCE "));
  if (!line) throw new Error(`no results:\n${out}`);
  return JSON.parse(line.slice("CONFORMANCE ".length));
}

/** Runs the suite in node, Deno or Bun, as a script beside the app's node_modules. */
export async function inProcessRuntime(name, app, env) {
  installSuite(app);
  const commands = {
    node: [process.execPath, ["conformance/runner.mjs"]],
    deno: [join(BIN, "deno"), ["run", "--allow-all", "--quiet", "conformance/runner.mjs"]],
    bun: [join(BIN, "bun"), ["conformance/runner.mjs"]],
  };
  const [cmd, args] = commands[name];
  return printed(await runAsync(cmd, args, app, { CONFORMANCE_ORIGIN: env.origin, CONFORMANCE_SECRET: env.secret, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }));
}

/** Vercel's Edge Runtime: the suite bundled as Vercel bundles edge code (one script, its conditions). */
export async function inEdgeRuntime(app, env) {
  const dir = installSuite(app);
  writeFileSync(
    join(dir, "edge-entry.mjs"),
    `import * as pkg from "edge-session";
import * as bound from "edge-session/device-bound";
import { conformance } from "./suite.mjs";
globalThis.__conformance = (origin, secret) => conformance(pkg, { origin, secret, bound }).then((r) => JSON.stringify(r));
`,
  );
  run(join(BIN, "esbuild"), ["edge-entry.mjs", "--bundle", "--format=iife", "--platform=browser", "--conditions=edge-light,worker,browser", "--outfile=edge-bundle.js", "--log-level=warning"], dir);
  const runtime = new EdgeRuntime({ initialCode: readFileSync(join(dir, "edge-bundle.js"), "utf8") });
  return JSON.parse(await runtime.evaluate(`__conformance(${JSON.stringify(env.origin)}, ${JSON.stringify(env.secret)})`));
}

/** workerd: a JavaScript Worker around the suite, bundled by wrangler as for a deploy, run by Miniflare. */
export async function inWorkerd(app, env) {
  const dir = join(app, "conformance-worker");
  mkdirSync(dir, { recursive: true });
  cpSync(join(ROOT, "tests/conformance/suite.mjs"), join(dir, "suite.mjs"));
  writeFileSync(
    join(dir, "index.js"),
    `import * as pkg from "edge-session";
import * as bound from "edge-session/device-bound";
import { conformance } from "./suite.mjs";
export default {
  async fetch(request, env) {
    return Response.json(await conformance(pkg, { origin: env.CONFORMANCE_ORIGIN, secret: env.CONFORMANCE_SECRET, bound }));
  },
};
`,
  );
  writeFileSync(join(dir, "wrangler.toml"), 'name = "conformance"\nmain = "index.js"\ncompatibility_date = "2026-04-26"\n');
  run(join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], dir, { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" });
  const dist = join(dir, "dist");
  const mf = new Miniflare({
    modules: true,
    modulesRoot: dist,
    scriptPath: join(dist, "index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    bindings: { CONFORMANCE_ORIGIN: env.origin, CONFORMANCE_SECRET: env.secret },
  });
  try {
    return await (await mf.dispatchFetch("http://127.0.0.1/")).json();
  } finally {
    await mf.dispose();
  }
}

/** Serves `dist` over HTTP on 127.0.0.1 while `fn(url)` runs. */
export async function serving(dist, fn) {
  const types = { ".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
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
  try {
    return await fn(`http://127.0.0.1:${server.address().port}/`);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

/** Opens `url` in Chromium and waits for the page to put its result on `document.body.dataset.result`. */
export async function pageResult(url) {
  const browser = await chromium.launch(CHROMIUM);
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("requestfailed", (r) => errors.push(`${r.url()} ${r.failure()?.errorText}`));
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.url()} ${r.status()}`));
    await page.goto(url);
    await page.waitForFunction(() => document.body?.dataset.result, null, { timeout: 60_000 }).catch(() => {});
    const result = await page.evaluate(() => document.body?.dataset.result);
    if (!result) throw new Error(`the page did not run: ${errors.join("; ") || "no error"}`);
    return JSON.parse(result);
  } finally {
    await browser.close();
  }
}

/** Chromium: the suite bundled by esbuild (its default, ESM output) in a page. */
export async function inChromium(app, env) {
  const dir = installSuite(app);
  writeFileSync(
    join(dir, "page.mjs"),
    `import * as pkg from "edge-session";
import * as bound from "edge-session/device-bound";
import { conformance } from "./suite.mjs";
const q = new URLSearchParams(location.search);
document.body.dataset.result = JSON.stringify(await conformance(pkg, { origin: q.get("origin"), secret: q.get("secret"), bound }));
`,
  );
  const dist = join(dir, "page");
  run(join(BIN, "esbuild"), ["page.mjs", "--bundle", "--format=esm", `--outdir=${dist}`, "--log-level=warning"], dir);
  writeFileSync(join(dist, "index.html"), '<!doctype html><title>conformance</title><body><script type="module" src="./page.js"></script>');
  return serving(dist, (url) => pageResult(`${url}?origin=${encodeURIComponent(env.origin)}&secret=${encodeURIComponent(env.secret)}`));
}

/** The page every bundler builds: both entries, a session round trip and an inspection. */
export const PAGE = `
import { SessionManager, generateKey } from "edge-session";
import { inspect } from "edge-session/full";
const key = generateKey();
const manager = new SessionManager({ keys: [key], maxAge: 60 });
const s = manager.load(null);
s.set("user", "alice");
s.set("cart", { items: [1, 2] });
const setCookie = manager.save(s);
const back = manager.load(setCookie.split(";")[0]);
document.body.dataset.result = JSON.stringify({
  user: back.get("user"),
  cart: back.get("cart"),
  format: inspect(setCookie, { keys: [key] }).format,
});
`;

/** Builds the page with `bundler` in a fresh directory of the app, with its default configuration: the directory to serve. */
export async function bundle(bundler, app) {
  const web = join(app, `web-${bundler}`);
  mkdirSync(web, { recursive: true });
  writeFileSync(join(web, "main.js"), PAGE);
  const dist = join(web, "dist");
  const page = (script, type = "module") => writeFileSync(join(dist, "index.html"), `<!doctype html><title>app</title><body><script type="${type}" src="./${script}"></script>`);
  switch (bundler) {
    case "esbuild":
      // Exactly the command the README names.
      run(join(BIN, "esbuild"), ["main.js", "--bundle", "--format=esm", "--outdir=dist", "--log-level=warning"], web);
      page("main.js");
      break;
    case "vite":
      writeFileSync(join(web, "index.html"), '<!doctype html><title>app</title><body><script type="module" src="./main.js"></script>');
      run(join(app, "node_modules/.bin/vite"), ["build", "--logLevel", "warn", "--outDir", "dist"], web);
      break;
    case "webpack":
      // webpack 5 with no configuration at all: ./src/index.js to ./dist/main.js, production mode.
      mkdirSync(join(web, "src"), { recursive: true });
      writeFileSync(join(web, "src/index.js"), PAGE);
      run(join(BIN, "webpack"), ["--mode", "production", "--no-stats"], web);
      page("main.js", "text/javascript");
      break;
    case "rollup": {
      // Rollup resolves npm packages with @rollup/plugin-node-resolve, as for any package.
      const { rollup } = await import("rollup");
      const { nodeResolve } = await import("@rollup/plugin-node-resolve");
      const b = await rollup({ input: join(web, "main.js"), plugins: [nodeResolve({ browser: true, rootDir: web })], onwarn: () => {} });
      await b.write({ dir: dist, format: "es" });
      await b.close();
      page("main.js");
      break;
    }
    default:
      throw new Error(bundler);
  }
  return dist;
}
