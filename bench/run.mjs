// The benchmark suite: edge-session beside the libraries a user would otherwise pick, in the same
// run on the same machine, printed as ratios (absolute times drift on shared machines).
//   npm run build && npm run bench
//                            full run of the published build: writes BENCHMARKS.md and bench/roundtrip.svg
//   npm run bench -- --report   re-render BENCHMARKS.md and the chart from bench/results.json
//   npm run bench -- --quick smoke run (seconds; run by the test command): writes the same into
//                            test-artifacts/bench/ and checks that every measurement produced a number
// Needs the built package (npm run build), the built worker (scripts/build-worker.sh; a full run
// rebuilds it if it is stale or the test command's linted build), wrk and
// apache2 (scripts/setup.sh --test installs them, and the peers as dev dependencies).
import { execFile, execFileSync, spawn } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync, chmodSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { cpus, totalmem, tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { HONO_ALONE, IMPLS, run, supports } from "./impls.mjs";
import { freePorts, waitFor } from "../tests/support/net.mjs";
import { serveWorker } from "../tests/support/workerd.mjs";
import { APACHE, httpdConf } from "../tests/support/apache.mjs";
import { parse as parseToml } from "smol-toml";

const QUICK = process.argv.includes("--quick");
const ROOT = new URL("../", import.meta.url).pathname;
const OUT = QUICK ? join(ROOT, "test-artifacts/bench") : ROOT;
const SIZES = [1, 10, 50];
/** What is measured: writes at every size; reads and the realistic mix at 10 keys. */
const CASES = [...SIZES.map((size) => ({ size, mode: "write" })), { size: 10, mode: "read" }, { size: 10, mode: "mix" }];
const ROUNDS = QUICK ? 1 : 3;
const SAMPLE_MS = QUICK ? 20 : 400;
const LOAD_SECONDS = QUICK ? 1 : 10;
const ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
const log = (...a) => console.error("[bench]", ...a);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const results = { date: new Date().toISOString().slice(0, 10), quick: QUICK };

// ---------------------------------------------------------------------------------------------
// 1. Round trips in node: every implementation, interleaved rounds, median per-op time.
async function roundTripsNode() {
  const rows = [];
  for (const { size, mode } of CASES) {
    const impls = IMPLS.filter((impl) => supports(impl, mode));
    const states = [];
    for (const impl of impls) {
      const state = await impl.prepare(size);
      await run(impl, state, QUICK ? 20 : 500, 0, mode); // warm-up (JIT, caches, first key derivation)
      states.push(state);
    }
    const times = impls.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, impl] of impls.entries()) {
        let n = 0;
        const t0 = performance.now();
        let t = t0;
        while (t - t0 < SAMPLE_MS) {
          await run(impl, states[i], 10, n, mode);
          n += 10;
          t = performance.now();
        }
        times[i].push(((t - t0) * 1000) / n);
      }
    }
    for (const [i, impl] of impls.entries()) rows.push({ runtime: "node", size, mode, name: impl.name, kind: impl.kind, us: median(times[i]) });
    log(`node, ${size} keys, ${mode}: done`);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 2. Round trips and instantiation in workerd (Miniflare), timed from outside.
function bundleBenchWorker() {
  const outdir = join(ROOT, "build/bench-worker");
  execFileSync("npx", ["--no-install", "wrangler", "deploy", "--dry-run", "--outdir", outdir, "-c", "bench/workerd/wrangler.toml"], {
    cwd: ROOT,
    env: ENV,
    stdio: "pipe",
  });
  return outdir;
}

async function timed(mf, path) {
  const t0 = performance.now();
  const res = await mf.dispatchFetch(`http://127.0.0.1${path}`);
  const body = await res.text();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body}`);
  return performance.now() - t0;
}

/** N for `path` + `&n=`, from a first guess (µs per operation), after a warm-up. */
async function sizeN(mf, path, guessUs) {
  const targetMs = QUICK ? 10 : 150;
  let n = Math.max(10, Math.round((targetMs * 1000) / Math.max(guessUs, 1)));
  await timed(mf, `${path}&n=${n}`); // prepare, warm-up (Liftoff to TurboFan)
  // The guess comes from node, where the async designs are far slower than in workerd: grow N
  // until one request holds the target time of work, well above a request's own noise.
  for (let i = 0; i < 10 && (await timed(mf, `${path}&n=${n}`)) < targetMs; i++) n *= 2;
  return n;
}

/** One sample of the per-operation ms of `path` at N: (t(2N) - t(N)) / N. */
async function sample(mf, path, n) {
  const t1 = await timed(mf, `${path}&n=${n}`);
  const t2 = await timed(mf, `${path}&n=${2 * n}`);
  return (t2 - t1) / n;
}

/** The per-operation ms of samples: their median, or of the quick run's two their mean (the median
 * of two would be the lower: one sample disturbed by the machine's other work, t(2N) <= t(N),
 * sank a measurement). Not positive: noise larger than the work. */
const perOpOf = (samples) => (samples.length % 2 ? median(samples) : samples.reduce((a, b) => a + b, 0) / samples.length);

/** Per-operation ms of each of `paths` (with first guesses in µs), measured in interleaved rounds
 * as in node: a round samples every path once, so a slow stretch of the machine falls on all of
 * them rather than on whichever was being measured then (measured one after another, the async
 * peers' figures moved by 2-3x between runs). A path whose samples are lost in noise is measured
 * again alone at a larger N (up to three times). */
async function perOps(mf, paths) {
  const ns = [];
  for (const { path, guessUs } of paths) ns.push(await sizeN(mf, path, guessUs));
  const samples = paths.map(() => []);
  for (let r = 0; r < Math.max(ROUNDS, 2); r++) {
    for (const [i, { path }] of paths.entries()) samples[i].push(await sample(mf, path, ns[i]));
  }
  const out = [];
  for (const [i, { path }] of paths.entries()) {
    let ms = perOpOf(samples[i]);
    for (let attempt = 0, n = ns[i] * 2; attempt < 3 && !(ms > 0); attempt++, n *= 2) {
      const again = [];
      for (let r = 0; r < Math.max(ROUNDS, 2); r++) again.push(await sample(mf, path, n));
      ms = perOpOf(again);
    }
    out.push(ms > 0 ? ms : NaN); // NaN: reported as a missing measurement
  }
  return out;
}

async function workerd(nodeRows) {
  const outdir = bundleBenchWorker();
  const mf = new Miniflare({
    modules: true,
    scriptPath: join(outdir, "worker.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    compatibilityFlags: ["nodejs_compat"],
  });
  try {
    const rows = [];
    for (const { size, mode } of CASES) {
      const impls = [...IMPLS.entries()].filter(([, impl]) => supports(impl, mode));
      const paths = impls.map(([i, impl]) => ({
        path: `/run?impl=${i}&size=${size}&mode=${mode}`,
        guessUs: nodeRows.find((r) => r.size === size && r.mode === mode && r.name === impl.name).us,
      }));
      const ms = await perOps(mf, paths);
      for (const [k, [, impl]] of impls.entries()) {
        rows.push({ runtime: "workerd", size, mode, name: impl.name, kind: impl.kind, us: ms[k] * 1000 });
      }
      log(`workerd, ${size} keys, ${mode}: done`);
    }
    const [instantiateMs] = await perOps(mf, [{ path: "/instantiate?x=1", guessUs: 200 }]);
    const version = await mf.dispatchFetch("http://127.0.0.1/list").then((r) => r.json());
    return { rows, instantiateMs, implsSeen: version.length };
  } finally {
    await mf.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Sizes.
function sizes() {
  const file = (p) => {
    const bytes = readFileSync(join(ROOT, p));
    return { path: p, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  // The default entry's wasm (the goal), its glue, the full entry's wasm (the apache format and
  // inspect: edge-session/full, the CLI), the Worker's; then, reported with no ceiling of their own
  // (issue 35), the device-bound entry's and the Worker's dbsc build (when built).
  const optional = ["pkg/device-bound/edge_session_bg.wasm", "build-dbsc/index_bg.wasm"].filter((p) => existsSync(join(ROOT, p)));
  return ["pkg/edge_session_bg.wasm", "pkg/edge_session.js", "pkg/full/edge_session_bg.wasm", "build/index_bg.wasm", ...optional].map(file);
}

// ---------------------------------------------------------------------------------------------
// 4. Cold start in node: a fresh process per sample (V8 caches compiled modules in-process).
function coldStartNode() {
  const script = `
    const { readFileSync } = require("node:fs");
    const bytes = readFileSync(${JSON.stringify(join(ROOT, "pkg/edge_session_bg.wasm"))});
    const t0 = performance.now();
    const module = new WebAssembly.Module(bytes);
    const t1 = performance.now();
    const imports = {};
    for (const { module: m, name } of WebAssembly.Module.imports(module)) (imports[m] ??= {})[name] = () => {};
    const t2 = performance.now();
    new WebAssembly.Instance(module, imports);
    const t3 = performance.now();
    // The package's own entry, from import to a usable manager (compile + instantiate + glue).
    import(${JSON.stringify(join(ROOT, "js/node.js"))}).then(({ SessionManager }) => {
      const t4 = performance.now();
      new SessionManager({ format: "plain" });
      console.log(JSON.stringify({ compile: t1 - t0, instantiate: t3 - t2, entry: performance.now() - t4 }));
    });`;
  const samples = [];
  for (let i = 0; i < (QUICK ? 2 : 15); i++) samples.push(JSON.parse(execFileSync(process.execPath, ["-e", script]).toString()));
  const m = (k) => median(samples.map((s) => s[k]));
  return { compileMs: m("compile"), instantiateMs: m("instantiate"), firstManagerMs: m("entry") };
}

// ---------------------------------------------------------------------------------------------
// 5. Memory: RSS of a fresh node process over 100 k round trips (sealed, 10 keys).
function memory() {
  const total = QUICK ? 5_000 : 100_000;
  const script = `
    import { IMPLS, run } from ${JSON.stringify(join(ROOT, "bench/impls.mjs"))};
    const impl = IMPLS[0];
    const state = await impl.prepare(10);
    const samples = [];
    for (let done = 0; done < ${total}; done += ${total / 10}) {
      await run(impl, state, ${total / 10}, done);
      globalThis.gc?.();
      samples.push({ done: done + ${total / 10}, rss: process.memoryUsage().rss });
    }
    console.log(JSON.stringify(samples));`;
  const samples = JSON.parse(execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script]).toString());
  const first = samples[0].rss;
  const last = samples.at(-1).rss;
  const max = Math.max(...samples.map((s) => s.rss));
  return { total, samples, firstMb: first / 2 ** 20, lastMb: last / 2 ** 20, maxMb: max / 2 ** 20, growthMb: (last - first) / 2 ** 20 };
}

// ---------------------------------------------------------------------------------------------
// 6. Load: wrk against `wrangler dev` (sessions on and off) and Apache httpd with
// mod_session_crypto, the same /counter kind of response, the same wrk settings.
const WRK = ["-t2", "-c8", `-d${LOAD_SECONDS}s`, "--latency"];

// wrk runs asynchronously: the servers under test write a log line per session event to pipes that
// this process reads, and a blocked event loop (execFileSync) would let those pipes fill and stall
// the server mid-run (this is what made "sessions on" look slow, and its p99 triple, before).
const execFileAsync = promisify(execFile);

async function wrk(url, cookie) {
  const args = [...WRK, ...(cookie ? ["-H", `Cookie: ${cookie}`] : []), url];
  const out = (await execFileAsync("wrk", args, { timeout: (LOAD_SECONDS + 30) * 1000 })).stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const errors = /Socket errors: (.*)/.exec(out)?.[1] ?? null;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const lat = (p) => /(\d+(?:\.\d+)?)(us|ms|s)\b/.exec(new RegExp(`^\\s+${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  const ms = (m) => (m ? Number(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]] : NaN);
  if (!Number.isFinite(rps)) throw new Error(`wrk printed no rate:\n${out}`);
  return { rps, requests, errors, non2xx, p50: ms(lat("50")), p99: ms(lat("99")) };
}

async function wranglerDev(vars) {
  const [port, inspector] = await freePorts(2);
  // The variables (a key among them) in a file of mode 0600, as secrets are kept: never on a command line.
  const envDir = mkdtempSync(join(tmpdir(), "edge-session-bench-env-"));
  const envFile = join(envDir, "bench.env");
  writeFileSync(envFile, Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}\n`).join(""), { mode: 0o600 });
  const args = ["--no-install", "wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
    "--show-interactive-dev-session=false", "--log-level", "warn", "--env-file", envFile];
  let output = "";
  const proc = spawn("npx", args, { cwd: ROOT, env: ENV, stdio: ["ignore", "pipe", "pipe"], detached: true });
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/`, async (r) => r.status === 200 && /edge-session demo/.test(await r.text()), "wrangler dev", proc, () => output);
  return {
    base,
    stop: () => {
      if (proc.exitCode === null) process.kill(-proc.pid, "SIGTERM");
      rmSync(envDir, { recursive: true, force: true });
    },
  };
}

async function loginCookie(base, path) {
  const res = await fetch(`${base}${path}`, { redirect: "manual" });
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

/** Apache httpd serving the counter, with mod_session_crypto (or, `sessions` false, the same handler without sessions). */
async function apache(passphrase, sessions = true) {
  const dir = mkdtempSync(join(tmpdir(), "edge-session-bench-apache-"));
  chmodSync(dir, 0o755);
  const [port] = await freePorts(1);
  // The counter, as the demo origin's: read the session, write count+1 through SessionHeader.
  writeFileSync(
    join(dir, "counter.lua"),
    [
      "function handle(r)",
      '  local s = r.subprocess_env["HTTP_SESSION"] or ""',
      '  local n = (tonumber(string.match(s, "count=(%d+)") or "0") or 0) + 1',
      '  r.headers_out["X-Replace-Session"] = "user=bench&count=" .. n',
      '  r.content_type = "text/plain"',
      '  r:puts("count " .. n .. "\\n")',
      "  return apache2.OK",
      "end",
      "",
    ].join("\n"),
  );
  const modules = ["mpm_event", "authz_core", "lua", "session", "session_cookie", "session_crypto"];
  writeFileSync(
    join(dir, "httpd.conf"),
    httpdConf(dir, port, modules, [
      `LuaMapHandler "^/counter$" ${dir}/counter.lua handle`,
      "<Location /counter>",
      `  Session ${sessions ? "On" : "Off"}`,
      "  SessionEnv On",
      "  SessionHeader X-Replace-Session",
      "  SessionCookieName session path=/;httponly",
      `  SessionCryptoPassphrase "${passphrase}"`,
      "  SessionMaxAge 3600",
      "</Location>",
    ]),
  );
  execFileSync(APACHE, ["-f", join(dir, "httpd.conf"), "-k", "start"], { env: { ...process.env, APACHE_RUN_DIR: dir } });
  const base = `http://127.0.0.1:${port}`;
  const errors = () => (existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : "");
  await waitFor(`${base}/counter`, (r) => r.status === 200, "apache", null, errors);
  const version = execFileSync(APACHE, ["-v"]).toString().split("\n")[0].replace("Server version: ", "");
  return {
    base,
    version,
    errors,
    stop: () => {
      try {
        execFileSync(APACHE, ["-f", join(dir, "httpd.conf"), "-k", "stop"]);
      } catch {}
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** wrk after a warm-up run of its own (JIT tier-up, connection pools); the smoke run (whose
 *  figures mean nothing) measures at once. */
async function measure(url, cookie) {
  if (!QUICK) await execFileAsync("wrk", ["-t2", "-c8", "-d2s", ...(cookie ? ["-H", `Cookie: ${cookie}`] : []), url]);
  return wrk(url, cookie);
}

/**
 * The Worker's default configuration: wrangler.toml's [vars], as deployed, with what a local http
 * run needs instead (as .dev.vars does: no `__Host-` name, no Secure) and the demo origin.
 */
function defaultVars(key) {
  const { vars } = parseToml(readFileSync(join(ROOT, "wrangler.toml"), "utf8"));
  delete vars.ORIGIN;
  return { ...vars, SESSION_KEYS: key, SESSION_DEMO: "true", SESSION_COOKIE_NAME: "session", SESSION_COOKIE_ATTRIBUTES: "Path=/; HttpOnly; SameSite=Lax" };
}

/** What the load runs measure on each server: a write per request, and a read. */
const LOAD_PATHS = [
  ["write", "/counter"],
  ["read", "/"],
];

async function load() {
  const { generateKey } = await import("edge-session");
  const key = generateKey();
  const out = {};
  const base = defaultVars(key);
  const modes = [
    ["sessions on", base],
    ["sessions on, every write logged", { ...base, SESSION_LOG_WRITES: "all" }],
    ["sessions off", { ...base, SESSION_INCLUDE: "/no-session-path" }],
  ];
  // This machine's speed drifts by tens of percent from one run to the next: workerd's modes are
  // measured in interleaved rounds, and each ratio is the median of the rounds' own ratios.
  const rounds = { workerd: QUICK ? 1 : 3, "wrangler dev": 1 };
  const perRound = [];
  for (const [host, start] of [["workerd", serveWorker], ["wrangler dev", wranglerDev]]) {
    for (let round = 0; round < rounds[host]; round++) {
      const runs = {};
      for (const [mode, vars] of modes) {
        if (host !== "workerd" && mode.includes("every write")) continue;
        const server = await start(vars);
        try {
          const cookie = await loginCookie(server.base, "/login?user=bench");
          for (const [kind, path] of LOAD_PATHS) {
            // The write path only, in wrangler dev (its proxy is the cost there).
            if (host !== "workerd" && kind !== "write") continue;
            const label = `worker in ${host}, ${mode}${kind === "write" ? "" : `, ${kind}`}`;
            const check = await fetch(`${server.base}${path}`, { headers: cookie ? { cookie } : {} });
            const sets = check.headers.getSetCookie().length;
            const wanted = mode.startsWith("sessions on") && kind === "write" ? 1 : 0;
            if (mode.startsWith("sessions on") && !cookie) throw new Error(`${label}: no session cookie`);
            if (sets !== wanted) throw new Error(`${label}: ${sets} cookies set, not ${wanted} (${kind === "write" ? "the counter re-seals" : "a read writes nothing"})`);
            const before = server.logLines?.() ?? 0;
            runs[label] = await measure(`${server.base}${path}`, cookie);
            log(`${label} (round ${round + 1}): ${runs[label].rps} req/s`);
            // With every write logged, every write was logged (and written out) while it was measured.
            if (server.logLines && mode.includes("every write") && kind === "write" && server.logLines() - before < runs[label].requests) {
              throw new Error(`${label}: ${server.logLines() - before} log lines for ${runs[label].requests} requests`);
            }
          }
        } finally {
          await server.stop();
        }
      }
      if (host === "workerd") perRound.push(runs);
      // The table shows the run of the median rate of each label.
      for (const [label, r] of Object.entries(runs)) (out[label] ??= []).push(r);
    }
  }
  for (const label of Object.keys(out)) out[label] = [...out[label]].sort((a, b) => a.rps - b.rps)[Math.floor((out[label].length - 1) / 2)];
  const ratio = (on, off = "sessions off") => median(perRound.map((r) => r[`worker in workerd, ${on}`].rps / r[`worker in workerd, ${off}`].rps));
  const cost = (on, off = "sessions off") => median(perRound.map((r) => sessionCostUs(r[`worker in workerd, ${on}`], r[`worker in workerd, ${off}`])));
  out.workerdRounds = perRound.length;
  out.workerdRatio = ratio("sessions on");
  out.workerdRatioAllLogged = ratio("sessions on, every write logged");
  out.workerdReadRatio = ratio("sessions on, read", "sessions off, read");
  out.workerdCostUs = cost("sessions on");
  out.workerdCostAllLoggedUs = cost("sessions on, every write logged");
  out.workerdReadCostUs = cost("sessions on, read", "sessions off, read");
  for (const [label, sessions] of [[APACHE_LABEL, true], [APACHE_OFF_LABEL, false]]) {
    const httpd = await apache("a benchmark passphrase that is long enough, 2026-11", sessions);
    try {
      const first = await fetch(`${httpd.base}/counter`);
      const cookie = first.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      const again = await fetch(`${httpd.base}/counter`, { headers: { cookie } });
      const counting = /count 2/.test(await again.text());
      if (sessions && (!cookie || !counting)) throw new Error(`apache counter is not counting:\n${httpd.errors()}`);
      if (!sessions && cookie) throw new Error(`apache without sessions set a cookie:\n${httpd.errors()}`);
      out[label] = { ...(await measure(`${httpd.base}/counter`, cookie)), version: httpd.version };
      log(`${label}: ${out[label].rps} req/s`);
    } finally {
      httpd.stop();
    }
  }
  return out;
}

const APACHE_LABEL = "Apache httpd, mod_session_crypto";
const APACHE_OFF_LABEL = "Apache httpd, the same handler without sessions";

// ---------------------------------------------------------------------------------------------
// Report.
const fmtUs = (us) => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));
const kb = (b) => `${(b / 1024).toFixed(1)} KB`;

/** Microseconds of one request of `mode` for implementation `name`, 10 keys. */
function us10(r, runtime, name, mode = "write") {
  return r.roundTrips.find((x) => x.runtime === runtime && x.size === 10 && (x.mode ?? "write") === mode && x.name === name)?.us;
}

/** What sessions add to one request, in µs: 1/rate with sessions − 1/rate without. */
function sessionCostUs(on, off) {
  return (1 / on.rps - 1 / off.rps) * 1e6;
}

const OURS = "edge-session sealed";
const HONO_MIDDLEWARE = "edge-session sealed (Hono middleware)";
const WEBCRYPTO = "WebCrypto AES-GCM (hand-written)";

function targets(r) {
  const list = [];
  const faster = (runtime, peer, min) => {
    const got = us10(r, runtime, peer) / us10(r, runtime, OURS);
    list.push({ what: `${runtime}: 10-key write round trip vs ${peer}`, want: `≥ ${min}×`, got, min });
  };
  faster("workerd", "iron-session 9", 5);
  faster("workerd", "@hono/session 0.2 (JWE)", 2);
  faster("workerd", WEBCRYPTO, 1);
  const read = us10(r, "workerd", OURS, "read");
  list.push({
    what: `workerd: read of a repeated cookie (WebCrypto open-only: ${fmtUs(us10(r, "workerd", WEBCRYPTO, "read"))} µs)`,
    want: "≤ 3 µs",
    got: read,
    max: 3,
    unit: " µs",
  });
  faster("node", WEBCRYPTO, 5);
  faster("node", "iron-session 9", 30);
  // The Hono middleware's own cost (its row minus the same app without it) against the bare round
  // trip it wraps (load, update, save: the "edge-session sealed" row), 10 keys, the same rounds.
  for (const runtime of ["node", "workerd"]) {
    const own = us10(r, runtime, HONO_MIDDLEWARE) - us10(r, runtime, HONO_ALONE);
    const bare = us10(r, runtime, OURS);
    list.push({
      what: `${runtime}: the Hono middleware's own cost (${fmtUs(own)} µs: its app − the app alone) vs the bare round trip it wraps (${fmtUs(bare)} µs)`,
      want: "≤ 1.5×",
      got: own / bare,
      max: 1.5,
    });
  }
  const on = r.load["worker in workerd, sessions on"];
  const off = r.load["worker in workerd, sessions off"];
  const rounds = r.load.workerdRounds ?? 1;
  list.push({
    what: `worker in workerd, default configuration: req/s with sessions vs without, a write per request (/counter; median of ${rounds} interleaved rounds; every write logged: ${((r.load.workerdRatioAllLogged ?? NaN) * 100).toFixed(0)} %)`,
    want: "≥ 90 %",
    got: r.load.workerdRatio ?? on.rps / off.rps,
    min: 0.9,
    pct: true,
  });
  list.push({
    what: `worker in workerd, default configuration: req/s with sessions vs without, a read (/; median of ${rounds} interleaved rounds)`,
    want: "≥ 95 %",
    got: r.load.workerdReadRatio ?? NaN,
    min: 0.95,
    pct: true,
  });
  const ours = r.load.workerdCostUs ?? sessionCostUs(on, off);
  const httpd = sessionCostUs(r.load[APACHE_LABEL], r.load[APACHE_OFF_LABEL]);
  list.push({
    what: `cost of sessions per request: Apache ${httpd.toFixed(0)} µs / worker in workerd ${ours.toFixed(1)} µs`,
    want: "≥ 50× cheaper",
    // A cost within wrk's noise (≤ 0) cannot give a ratio: shown as missed, never as a win.
    got: ours > 0 ? httpd / ours : NaN,
    min: 50,
  });
  // Size is a ceiling, not a goal (issue 31): what a user would notice, not every kilobyte.
  const size = (path) => r.sizes.find((s) => s.path === path);
  const [pkg, full, worker] = [size("pkg/edge_session_bg.wasm"), size("pkg/full/edge_session_bg.wasm"), size("build/index_bg.wasm")];
  list.push({ what: "package wasm (default entry), gzip", want: "≤ 80 KB", got: pkg.gzip / 1024, max: 80, unit: " KB" });
  list.push({ what: "package wasm (full entry), gzip", want: "≤ 110 KB", got: full.gzip / 1024, max: 110, unit: " KB" });
  list.push({ what: "worker wasm, gzip", want: "≤ 200 KB", got: worker.gzip / 1024, max: 200, unit: " KB" });
  list.push({ what: "instantiate (node)", want: "≤ 5 ms", got: r.cold.instantiateMs, max: 5, unit: " ms" });
  list.push({ what: "instantiate (workerd)", want: "≤ 5 ms", got: r.workerd.instantiateMs, max: 5, unit: " ms" });
  list.push({ what: "RSS growth over the run", want: "flat (≤ 5 MB)", got: r.memory.growthMb, max: 5, unit: " MB" });
  for (const t of list) {
    t.ok = t.min !== undefined ? t.got >= t.min : t.got <= t.max;
    t.shown = !Number.isFinite(t.got) ? "not measurable" : t.pct ? `${(t.got * 100).toFixed(0)} %` : t.unit ? `${t.got.toFixed(2)}${t.unit}` : `${t.got.toFixed(2)}×`;
  }
  return list;
}

function svg(rows) {
  // Horizontal bars, 10-key round trip, node and workerd side by side, log scale (the peers are
  // one to two orders of magnitude apart).
  const names = IMPLS.map((i) => i.name);
  const writes = rows.filter((r) => r.size === 10 && (r.mode ?? "write") === "write");
  const get = (runtime, name) => writes.find((r) => r.runtime === runtime && r.name === name)?.us ?? 0;
  const max = Math.max(...writes.map((r) => r.us));
  const left = 290, width = 460, rowH = 34, top = 50;
  const x = (us) => (Math.log10(Math.max(us, 1)) / Math.log10(Math.max(max, 10) * 1.5)) * width;
  const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 90}" height="${top + names.length * rowH + 40}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Session round trip, 10 keys (µs, log scale; shorter is faster)</text>`,
    `<rect x="${left}" y="30" width="10" height="10" fill="#2b6cb0"/><text x="${left + 14}" y="39">node</text>`,
    `<rect x="${left + 70}" y="30" width="10" height="10" fill="#dd6b20"/><text x="${left + 84}" y="39">workerd</text>`,
  ];
  names.forEach((name, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${left - 8}" y="${y + 17}" text-anchor="end">${esc(name)}</text>`);
    for (const [j, runtime, color] of [[0, "node", "#2b6cb0"], [1, "workerd", "#dd6b20"]]) {
      const us = get(runtime, name);
      parts.push(`<rect x="${left}" y="${y + 3 + j * 14}" width="${x(us).toFixed(1)}" height="12" fill="${color}"/>`);
      parts.push(`<text x="${left + x(us) + 4}" y="${y + 13 + j * 14}">${fmtUs(us)}</text>`);
    }
  });
  parts.push(`<text x="10" y="${top + names.length * rowH + 25}" fill="#555">${results.date}, ${esc(results.machine)}</text>`, "</svg>");
  return parts.join("\n");
}

function markdown(r) {
  const L = [];
  L.push("# Benchmarks", "");
  L.push(`Measured ${r.date} on ${r.machine}. Written by \`npm run bench\` (\`node bench/run.mjs\`); absolute`);
  L.push("times drift on shared machines, the ratios in the same run hold. A missed target is shown as missed.", "");
  L.push("## Targets", "", "| target | wanted | measured | |", "| --- | --- | ---: | --- |");
  for (const t of r.targets) L.push(`| ${t.what} | ${t.want} | ${t.shown} | ${t.ok ? "met" : "**missed**"} |`);
  L.push("", "## Session round trip", "");
  L.push("Parse the Cookie header, open, apply a 2-key update, seal, produce Set-Cookie; `key0..keyN-1` with");
  L.push("25-character values. Median of interleaved rounds. Async designs are awaited, as their callers must.");
  L.push("![round trip chart](bench/roundtrip.svg)", "");
  for (const runtime of ["node", "workerd"]) {
    L.push(`### ${runtime}`, "", "| implementation | 1 key (µs) | 10 keys (µs) | 50 keys (µs) | 10 keys: edge-session sealed is … faster |", "| --- | ---: | ---: | ---: | ---: |");
    for (const impl of IMPLS) {
      const us = (size) => r.roundTrips.find((x) => x.runtime === runtime && x.size === size && (x.mode ?? "write") === "write" && x.name === impl.name).us;
      const ours = us10(r, runtime, OURS);
      L.push(`| ${impl.name} | ${fmtUs(us(1))} | ${fmtUs(us(10))} | ${fmtUs(us(50))} | ${(us(10) / ours).toFixed(2)}× |`);
    }
    L.push("");
  }
  L.push("## Reads and the realistic mix", "");
  L.push("Most requests only read the session: it is unchanged and inside `expiryUpdateInterval` (300 s here), so");
  L.push("nothing is re-sealed. \"read\" sends the same cookie again and again (edge-session keeps opened cookies:");
  L.push("`openCache`); \"mix\" is 9 reads of the current cookie and 1 write in every 10 requests, each write's");
  L.push("cookie sent by the requests after it. 10 keys, µs per request; the peers decrypt on every read.", "");
  for (const runtime of ["node", "workerd"]) {
    L.push(`### ${runtime}`, "", "| implementation | write (µs) | read (µs) | mix (µs) | mix: edge-session sealed is … faster |", "| --- | ---: | ---: | ---: | ---: |");
    for (const impl of IMPLS.filter((i) => supports(i, "read"))) {
      const [w, rd, mx] = ["write", "read", "mix"].map((m) => us10(r, runtime, impl.name, m));
      L.push(`| ${impl.name} | ${fmtUs(w)} | ${fmtUs(rd)} | ${fmtUs(mx)} | ${(mx / us10(r, runtime, OURS, "mix")).toFixed(2)}× |`);
    }
    L.push("");
  }
  L.push("In workerd the time is taken from outside the isolate (its clocks stop during computation): the");
  L.push("difference between requests of N and 2N round trips, divided by N; the median of 3 rounds, each round");
  L.push("sampling every implementation once, as in node.", "");
  L.push("## The worker under load", "");
  L.push(`wrk ${WRK.join(" ")} against \`/counter\` (read the session, count + 1, re-seal: a write per request) and, for`);
  L.push("the worker in workerd, against `/` (the session read and shown, nothing re-sealed inside the update interval: a read),");
  L.push("the same client for all. The worker runs with its default configuration (`wrangler.toml`'s vars, with a local");
  L.push("http cookie name and no `Secure`, as `.dev.vars` has): among them `SESSION_EXPIRY_UPDATE_INTERVAL = 60`,");
  L.push("`SESSION_COOKIE_REMOVE = true` and `SESSION_LOG_WRITES = created` (new sessions logged, their rewrites counted).");
  L.push("The Rust worker (`build/index.js`, its embedded demo origin) runs in workerd directly (`workerd serve`,");
  L.push("its log lines written to a file that nothing reads during the run, as in production where logs leave the");
  L.push("machine) and in `wrangler dev` (workerd behind wrangler's local proxy, which reads and prints every log");
  L.push("line); \"sessions off\" is the same");
  L.push("worker with `SESSION_INCLUDE` matching nothing. Apache httpd: mpm_event, mod_session_crypto");
  L.push("(SessionCryptoPassphrase, aes256, SessionMaxAge 3600) and a mod_lua handler for the counter. Each server");
  L.push("gets a warm-up run first; all share the machine's 2 cores with wrk. What sessions cost per request is");
  L.push("1/rate with sessions − 1/rate without, for the worker in workerd and for Apache (the same Lua handler");
  L.push("with `Session Off`): the servers' own serving cancels out.", "");
  L.push("| server | req/s | p50 (ms) | p99 (ms) | requests | non-2xx | socket errors |", "| --- | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const [label, w] of Object.entries(r.load)) {
    if (typeof w !== "object") continue;
    // Latencies converted from wrk's units print without the conversion's float noise (0.815, not
    // 0.8150000000000001).
    L.push(`| ${label}${w.version ? ` (${w.version})` : ""} | ${w.rps.toFixed(0)} | ${Number(w.p50.toPrecision(6))} | ${Number(w.p99.toPrecision(6))} | ${w.requests} | ${w.non2xx} | ${w.errors ?? "none"} |`);
  }
  const cost = (on, off) => (r.load[on] && r.load[off] ? `${sessionCostUs(r.load[on], r.load[off]).toFixed(1)} µs` : "—");
  const rounds = r.load.workerdRounds ?? 1;
  L.push("", `Sessions cost per request: worker in workerd ${(r.load.workerdCostUs ?? NaN).toFixed(1)} µs for a write (${(r.load.workerdCostAllLoggedUs ?? NaN).toFixed(1)} µs with every write logged), ${(r.load.workerdReadCostUs ?? NaN).toFixed(1)} µs for a read (medians of ${rounds} rounds),`);
  L.push(`worker in wrangler dev ${cost("worker in wrangler dev, sessions on", "worker in wrangler dev, sessions off")}, Apache ${cost(APACHE_LABEL, APACHE_OFF_LABEL)}.`);
  L.push("", "## Size", "", `The package as ${r.build ?? "built"}; the Worker as ${r.workerBuild ?? "worker-build makes it (stable)"}.`, "", "| file | raw | gzip -9 |", "| --- | ---: | ---: |");
  for (const s of r.sizes) L.push(`| \`${s.path}\` | ${s.raw} B | ${s.gzip} B (${kb(s.gzip)}) |`);
  L.push("", "## Cold start", "");
  L.push(`node (fresh process per sample, median): compile ${r.cold.compileMs.toFixed(2)} ms, instantiate ${r.cold.instantiateMs.toFixed(2)} ms;`);
  L.push(`importing the package's node entry to a first SessionManager: ${r.cold.firstManagerMs.toFixed(2)} ms after import.`);
  L.push(`workerd (the module compiled at startup, a new instance per call): ${r.workerd.instantiateMs.toFixed(3)} ms per instantiate.`, "");
  L.push("## Memory", "");
  L.push(`RSS of a fresh node process over ${r.memory.total.toLocaleString("en")} sealed 10-key round trips, sampled every tenth:`);
  L.push(`${r.memory.samples.map((s) => (s.rss / 2 ** 20).toFixed(1)).join(", ")} MB (growth after the first tenth: ${r.memory.growthMb.toFixed(2)} MB).`, "");
  L.push(readFileSync(join(ROOT, "bench/NOTES.md"), "utf8"));
  return L.join("\n");
}

/** Which build of the package pkg/ holds: the one build there is. */
function pkgBuild() {
  return "the published build (`scripts/build.sh`: stable Rust, release profile, wasm-opt -Oz)";
}

/**
 * A full run measures the Worker as it deploys: scripts/build-worker.sh rebuilds build/ when it is
 * stale or holds the test command's build (linted by clippy-driver, MIR optimisations off).
 */
function plainWorkerBuild() {
  const env = { ...process.env };
  delete env.EDGE_SESSION_CLIPPY;
  execFileSync("bash", ["scripts/build-worker.sh", "--code"], { cwd: ROOT, env, stdio: ["ignore", "inherit", "inherit"] });
  execFileSync("bash", ["scripts/build-worker.sh", "--dbsc"], { cwd: ROOT, env, stdio: ["ignore", "inherit", "inherit"] });
  const kind = readFileSync(join(ROOT, "build/.kind"), "utf8").trim();
  if (!kind.startsWith("release") || kind.includes("clippy")) throw new Error(`build/ holds a Worker built as "${kind}", not the release build`);
  return kind === "release" ? "the deployed build (`scripts/build-worker.sh`: stable Rust, no names section)" : `a build marked "${kind}"`;
}

function machine() {
  const cpu = cpus()[0]?.model?.trim() ?? "unknown CPU";
  const workerdVersion = JSON.parse(readFileSync(join(ROOT, "node_modules/workerd/package.json"), "utf8")).version;
  return `${cpu}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GB, Linux; node ${process.version}, workerd ${workerdVersion}`;
}

if (process.argv.includes("--report")) {
  // Re-render BENCHMARKS.md and the chart from the last full run's bench/results.json.
  Object.assign(results, JSON.parse(readFileSync(join(ROOT, "bench/results.json"), "utf8")));
} else {
  results.workerBuild = QUICK ? "the tests' build (stable, linted by clippy-driver)" : plainWorkerBuild();
  results.machine = machine();
  results.build = pkgBuild();
  log(results.machine);
  const nodeRows = await roundTripsNode();
  results.workerd = await workerd(nodeRows);
  results.roundTrips = [...nodeRows, ...results.workerd.rows];
  results.sizes = sizes();
  results.cold = coldStartNode();
  log("cold start: done");
  results.memory = memory();
  log("memory: done");
  results.load = await load();
}
results.targets = targets(results);

for (const row of results.roundTrips) if (!(row.us > 0)) throw new Error(`no measurement for ${row.runtime} ${row.name} ${row.size} keys ${row.mode}`);
mkdirSync(join(OUT, "bench"), { recursive: true });
writeFileSync(join(OUT, "bench/roundtrip.svg"), svg(results.roundTrips));
writeFileSync(join(OUT, "BENCHMARKS.md"), markdown(results));
writeFileSync(join(OUT, "bench/results.json"), JSON.stringify(results, null, 2));
console.log(markdown(results));
console.log(`${QUICK ? "quick" : "full"} run: ${results.targets.filter((t) => t.ok).length} of ${results.targets.length} targets met; wrote ${join(OUT, "BENCHMARKS.md")}`);
