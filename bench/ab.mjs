// A/B of two builds of the npm package in one run: the 10-key sealed write and the read of a
// repeated cookie (bench/ab-ops.mjs), in node and in workerd, each round sampling both builds, the
// median of the rounds per build. For a change to what seals (the crates, the build profile):
//   node bench/ab.mjs <baseline> [--rounds N]
// <baseline> is a directory with the other build's js/ and pkg/ (a `git worktree` of the other
// commit after `bash scripts/build.sh` there, or the unpacked tarball's package/). This tree's own
// js/ and pkg/ are the candidate. Prints µs per operation and candidate / baseline.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Miniflare } from "miniflare";
import { prepare, run } from "./ab-ops.mjs";

const ROOT = new URL("../", import.meta.url).pathname;
const args = process.argv.slice(2);
const baseline = args[0] && !args[0].startsWith("--") ? resolve(args[0]) : null;
if (!baseline) {
  console.error("usage: node bench/ab.mjs <baseline package directory> [--rounds N]");
  process.exit(2);
}
const ROUNDS = Number(args[args.indexOf("--rounds") + 1]) || 9;
const SAMPLE_MS = 300;
const MODES = ["write", "read"];
const BUILDS = [
  { name: "baseline", dir: baseline },
  { name: "candidate", dir: ROOT },
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function node() {
  const managers = [];
  for (const b of BUILDS) managers.push((await import(join(b.dir, "js/node.js"))).SessionManager);
  const key = (await import(join(ROOT, "js/node.js"))).generateKey();
  const out = {};
  for (const mode of MODES) {
    const states = managers.map((M) => prepare(M, key, mode));
    states.forEach((s) => run(s, 2000)); // warm-up
    const times = BUILDS.map(() => []);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [i, s] of states.entries()) {
        let n = 0;
        const t0 = performance.now();
        while (performance.now() - t0 < SAMPLE_MS) {
          run(s, 100, n);
          n += 100;
        }
        times[i].push(((performance.now() - t0) * 1000) / n);
      }
    }
    out[mode] = times.map(median);
  }
  return out;
}

async function workerd() {
  const dir = mkdtempSync(join(tmpdir(), "edge-session-ab-"));
  try {
    writeFileSync(
      join(dir, "worker.js"),
      `import * as a from ${JSON.stringify(join(BUILDS[0].dir, "js/workerd.js"))};
import * as b from ${JSON.stringify(join(BUILDS[1].dir, "js/workerd.js"))};
import { prepare, run } from ${JSON.stringify(join(ROOT, "bench/ab-ops.mjs"))};
const builds = [a, b];
const states = new Map();
let key; // workerd allows no randomness at global scope: drawn on the first request
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const build = Number(url.searchParams.get("build"));
    const mode = url.searchParams.get("mode");
    const id = build + "/" + mode;
    key ??= b.generateKey();
    if (!states.has(id)) states.set(id, prepare(builds[build].SessionManager, key, mode));
    return new Response(String(run(states.get(id), Number(url.searchParams.get("n")))));
  },
};
`,
    );
    writeFileSync(join(dir, "wrangler.toml"), `name = "ab"\nmain = "worker.js"\ncompatibility_date = "2026-04-26"\n`);
    const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" };
    execFileSync(join(ROOT, "node_modules/.bin/wrangler"), ["deploy", "--dry-run", "--outdir", join(dir, "out"), "-c", join(dir, "wrangler.toml")], { cwd: dir, env, stdio: "pipe" });
    const mf = new Miniflare({
      modules: true,
      scriptPath: join(dir, "out/worker.js"),
      modulesRoot: join(dir, "out"),
      modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
      compatibilityDate: "2026-04-26",
    });
    // workerd freezes its clocks during computation: time N and 2N operations from outside.
    const timed = async (path) => {
      const t0 = performance.now();
      const res = await mf.dispatchFetch(`http://127.0.0.1${path}`);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      await res.text();
      return performance.now() - t0;
    };
    try {
      const out = {};
      for (const mode of MODES) {
        const n = mode === "write" ? 4000 : 40000;
        const paths = BUILDS.map((_, i) => `/?build=${i}&mode=${mode}`);
        for (const p of paths) await timed(`${p}&n=${n}`); // prepare, warm-up
        const times = BUILDS.map(() => []);
        for (let r = 0; r < ROUNDS; r++) {
          for (const [i, p] of paths.entries()) {
            const t1 = await timed(`${p}&n=${n}`);
            const t2 = await timed(`${p}&n=${2 * n}`);
            times[i].push(((t2 - t1) * 1000) / n);
          }
        }
        out[mode] = times.map(median);
      }
      return out;
    } finally {
      await mf.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = { node: await node(), workerd: await workerd() };
console.log(`| runtime | operation | baseline (µs) | candidate (µs) | candidate / baseline |`);
console.log(`| --- | --- | ---: | ---: | ---: |`);
for (const [runtime, modes] of Object.entries(results)) {
  for (const [mode, [a, b]] of Object.entries(modes)) {
    console.log(`| ${runtime} | 10-key ${mode === "write" ? "sealed write" : "read of a repeated cookie"} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(2)} |`);
  }
}
console.log(`(${ROUNDS} interleaved rounds, medians; baseline ${baseline})`);
