// Test support: the built Rust Worker (build/index.js, build/index_bg.wasm) served by workerd
// itself (`workerd serve`, the binary Miniflare and wrangler run), as the load tests and the
// benchmark use it.
//
// Not through Miniflare: its server adds an entry worker in front of the user's (a second
// dispatch per request), and its log comes through a pipe that the test process must drain. Here
// workerd's stdout and stderr go to a file: the worker writes its log lines (one per session
// write) as in production, and no process on this machine reads them while the load runs.
// Draining that pipe cost the benchmark's process 80-110 ms of CPU per second at ~2,000 lines/s
// (process.cpuUsage), taken from the two cores workerd and the load generator share.
import { spawn } from "node:child_process";
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts, waitFor } from "./net.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;

/** A capnp text literal (workerd's config language): JSON's string escapes are capnp's. */
const capnpString = (v) => JSON.stringify(String(v));

/**
 * Starts the built worker with these text bindings (its vars and secrets) on a free port of
 * 127.0.0.1, and waits until its demo page answers. `pid` is workerd's own (a child of this
 * process); `log()` is what it wrote to stdout and stderr so far; `stop()` ends it and removes
 * its files.
 */
export async function serveWorker(vars) {
  const [port] = await freePorts(1);
  const dir = mkdtempSync(join(tmpdir(), "edge-session-workerd-"));
  // capnp embeds files from beside the config.
  for (const f of ["index.js", "index_bg.wasm"]) copyFileSync(join(ROOT, "build", f), join(dir, f));
  const bindings = Object.entries(vars).map(([k, v]) => `(name = ${capnpString(k)}, text = ${capnpString(v)})`);
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    (name = "index.js", esModule = embed "index.js"),
    (name = "index_bg.wasm", wasm = embed "index_bg.wasm"),
  ],
  compatibilityDate = "2026-04-26",
  bindings = [${bindings.join(", ")}],
);
`,
  );
  const logPath = join(dir, "worker.log");
  const out = openSync(logPath, "a");
  const proc = spawn(join(ROOT, "node_modules/.bin/workerd"), ["serve", "--experimental", join(dir, "config.capnp")], {
    stdio: ["ignore", out, out],
    detached: true,
  });
  closeSync(out);
  const log = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  const stop = () => {
    if (proc.exitCode === null && proc.signalCode === null) process.kill(-proc.pid, "SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${base}/`, async (r) => r.status === 200 && /edge-session demo/.test(await r.text()), "workerd", proc, () => log().slice(-4000));
  } catch (e) {
    stop();
    throw e;
  }
  return {
    base,
    pid: proc.pid,
    log,
    /** How many session event lines the worker has written so far. */
    logLines: () => (log().match(/\{"edge_session":/g) ?? []).length,
    stop,
  };
}
