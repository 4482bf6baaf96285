// Load without loss: the Rust Worker in workerd (Miniflare's server on 127.0.0.1), 100 000
// requests with autocannon (a fixed count, which wrk cannot do), each re-sealing a session:
// no error, no timeout, no non-2xx; memory flat. (sequential.test.mjs, run beside it in another
// process, counts 10 000 requests one after another.)
//
// Memory: workerd's RSS climbs in steps over the first 100 k requests with or without sessions
// (its heap and allocator settling: measured the same with SESSION_INCLUDE matching nothing).
// So the check is comparative: the same 100 k requests through the same worker with sessions
// off, and the session layer may not add more than 32 MB to that (a leak of 1 KB per request
// would add 100 MB).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";
import { generateKey } from "edge-session";
import { ROOT } from "../worker/helpers.mjs";
import { freePorts } from "../support/net.mjs";

const TOTAL = Number(process.env.LOAD_REQUESTS ?? 100_000);
const KEY = generateKey();
const running = [];
after(async () => Promise.all(running.map((mf) => mf.dispose())));

async function start(vars) {
  const [port] = await freePorts(1);
  const mf = new Miniflare({
    modules: true,
    scriptPath: new URL("build/index.js", ROOT).pathname,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    bindings: { SESSION_KEYS: KEY, SESSION_MAX_AGE: "3600", ...vars },
    host: "127.0.0.1",
    port,
  });
  running.push(mf);
  return { mf, base: (await mf.ready).origin };
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

/** TOTAL requests to /counter in tenths; the counts and workerd's RSS after each tenth. */
async function hammer(base, cookie) {
  const run = { requests: 0, errors: 0, timeouts: 0, non2xx: 0, rss: [workerdRssKiB()] };
  for (let i = 0; i < 10; i++) {
    const r = await autocannon({ url: `${base}/counter`, connections: 8, amount: TOTAL / 10, headers: cookie ? { cookie } : {}, timeout: 30 });
    run.requests += r.requests.total;
    run.errors += r.errors;
    run.timeouts += r.timeouts;
    run.non2xx += r.non2xx;
    run.rss.push(workerdRssKiB());
  }
  run.mb = run.rss.map((k) => (k / 1024).toFixed(0)).join(", ");
  return run;
}

test(`${TOTAL} requests through the worker: no error, memory flat`, { timeout: 900_000 }, async () => {
  const on = await start({});
  const login = await fetch(`${on.base}/login?user=load`, { redirect: "manual" });
  const cookie = login.headers.getSetCookie()[0].split(";")[0];
  const check = await fetch(`${on.base}/counter`, { headers: { cookie } });
  assert.equal(check.headers.getSetCookie().length, 1, "every request re-seals the session");
  const withSessions = await hammer(on.base, cookie);
  await on.mf.dispose();
  running.length = 0;
  console.log(`# sessions on: ${withSessions.requests} requests; workerd RSS by tenth (MB): ${withSessions.mb}`);
  assert.equal(withSessions.requests, TOTAL);
  const { errors, timeouts, non2xx } = withSessions;
  assert.deepEqual({ errors, timeouts, non2xx }, { errors: 0, timeouts: 0, non2xx: 0 });

  const off = await start({ SESSION_INCLUDE: "/no-session-path" });
  const without = await hammer(off.base, cookie);
  console.log(`# sessions off: ${without.requests} requests; workerd RSS by tenth (MB): ${without.mb}`);
  const added = withSessions.rss.at(-1) - without.rss.at(-1);
  assert.ok(added < 32 * 1024, `the session layer added ${(added / 1024).toFixed(0)} MB: ${withSessions.mb} vs ${without.mb}`);
});
