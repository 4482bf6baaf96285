// Load without loss: the Rust Worker served by workerd on 127.0.0.1 (`workerd serve`), 100 000
// requests with autocannon (a fixed count, which wrk cannot do), each re-sealing a session, split
// over two workerd processes side by side (the machine has two cores; measured unloaded: the
// 100 000 in ~25 s, 30 s of workerd's CPU):
// no error, no timeout, no non-2xx; the session layer's memory flat. (sequential.test.mjs, run
// beside it in another process, counts 10 000 requests one after another.)
//
// Memory: the session layer's allocations live in the wasm linear memory, which only ever grows
// (to the allocator's high-water mark); the Worker reports its size in /__edge-session/metrics.
// After a first tenth of warm-up it may not grow at all over the other 90 % of requests: a leak of
// even a few bytes per request would take pages. workerd's resident memory is printed beside it
// but not asserted: it climbs in steps over 100 k requests with sessions on or off alike
// (measured under Miniflare: 417 vs 401 MB), V8's heap policy, not this code.
const ISOLATES = 2;
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import autocannon from "autocannon";
import { generateKey } from "edge-session";
import { serveWorker } from "../support/workerd.mjs";

const TOTAL = Number(process.env.LOAD_REQUESTS ?? 100_000);
const KEY = generateKey();
const ADMIN = generateKey();
const running = [];
after(() => running.forEach((w) => w.stop()));

async function start(vars) {
  const w = await serveWorker({ SESSION_KEYS: KEY, SESSION_DEMO: "true", SESSION_MAX_AGE: "3600", ...vars });
  running.push(w);
  return w;
}

/** Resident memory (KiB) of the workerd processes that this process started and still runs. */
function workerdRssKiB() {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("workerd")) continue;
      const ppid = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      if (ppid !== process.pid) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
    } catch {}
  }
  return total;
}

/** The Worker's wasm linear memory in bytes, from its metrics. */
async function wasmMemory(base) {
  const res = await fetch(`${base}/__edge-session/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const m = /^edge_session_wasm_memory_bytes (\d+)$/m.exec(await res.text());
  assert.ok(m, "the metrics report the wasm memory");
  return Number(m[1]);
}

/** TOTAL requests to /counter in tenths; the counts, workerd's RSS and the wasm memory after each. */
async function hammer(base, cookie, total) {
  const run = { requests: 0, errors: 0, timeouts: 0, non2xx: 0, rss: [workerdRssKiB()], wasm: [await wasmMemory(base)] };
  for (let i = 0; i < 10; i++) {
    const r = await autocannon({ url: `${base}/counter`, connections: 8, amount: total / 10, headers: cookie ? { cookie } : {}, timeout: 30 });
    run.requests += r.requests.total;
    run.errors += r.errors;
    run.timeouts += r.timeouts;
    run.non2xx += r.non2xx;
    run.rss.push(workerdRssKiB());
    run.wasm.push(await wasmMemory(base));
  }
  run.mb = run.rss.map((k) => (k / 1024).toFixed(0)).join(", ");
  run.wasmKiB = run.wasm.map((b) => b / 1024).join(", ");
  return run;
}

test(`${TOTAL} requests through the worker: no error, the session layer's memory flat`, { timeout: 900_000 }, async () => {
  const workers = [];
  // Every write logged (SESSION_LOG_WRITES = all): no line may be lost under load.
  for (let i = 0; i < ISOLATES; i++) workers.push(await start({ SESSION_ADMIN_TOKEN: ADMIN, SESSION_LOG_WRITES: "all" }));
  const runs = await Promise.all(
    workers.map(async ({ base }) => {
      const login = await fetch(`${base}/login?user=load`, { redirect: "manual" });
      const cookie = login.headers.getSetCookie()[0].split(";")[0];
      const check = await fetch(`${base}/counter`, { headers: { cookie } });
      assert.equal(check.headers.getSetCookie().length, 1, "every request re-seals the session");
      return hammer(base, cookie, TOTAL / ISOLATES);
    }),
  );
  console.log(`# workerd RSS by tenth, all processes (MB): ${runs[0].mb}`);
  for (const [i, run] of runs.entries()) {
    console.log(`# workerd ${i + 1}: ${run.requests} requests; wasm memory by tenth (KiB): ${run.wasmKiB}`);
    const { errors, timeouts, non2xx } = run;
    assert.deepEqual({ errors, timeouts, non2xx }, { errors: 0, timeouts: 0, non2xx: 0 });
    assert.equal(run.wasm.at(-1), run.wasm[1], `the wasm memory grew after warm-up (KiB by tenth: ${run.wasmKiB})`);
  }
  assert.equal(runs.reduce((n, r) => n + r.requests, 0), TOTAL);
  for (const [i, w] of workers.entries()) {
    // A log line for every write (each request re-seals), written out under load; no panic.
    const lines = w.logLines();
    assert.ok(lines > TOTAL / ISOLATES, `workerd ${i + 1} logged ${lines} writes for ${runs[i].requests} requests`);
    const log = w.log();
    assert.doesNotMatch(log, /internal-error|panicked|Uncaught/, log.slice(0, 2000));
  }
});
