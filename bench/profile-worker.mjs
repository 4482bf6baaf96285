// Profiles the Rust Worker (build/index.js) in workerd: a CPU profile of its isolate, taken over
// the V8 inspector while N /counter requests (8 at a time) run against Miniflare, then the functions
// with the most time (inclusive and self), names included (the worker's wasm keeps its names).
//   node bench/profile-worker.mjs [N] [VAR=value ...]    e.g. SESSION_LOG_WRITES=all
// PROFILE_PATH=/ profiles a read (the demo's page) instead of /counter. Build the Worker with its
// names first (EDGE_SESSION_NAMES=1 bash scripts/build-worker.sh --code), or functions show as
// wasm-function[N].
// Writes the whole profile to test-artifacts/worker.cpuprofile (open it in Chrome's DevTools).
import { Miniflare } from "miniflare";
import WebSocket from "ws";
import { mkdirSync, writeFileSync } from "node:fs";
import { generateKey } from "edge-session";
import { freePorts } from "../tests/support/net.mjs";
const [inspectorPort] = await freePorts(1);
const extra = Object.fromEntries(process.argv.slice(3).map((a) => a.split("=")));
const mf = new Miniflare({ name: "w", modules: true, scriptPath: new URL("../build/index.js", import.meta.url).pathname, modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
  compatibilityDate: "2026-04-26", bindings: { SESSION_KEYS: generateKey(), SESSION_DEMO: "true", SESSION_MAX_AGE: "3600", ...extra }, inspectorPort,
  handleRuntimeStdio(o, e) { o.resume(); e.resume(); } });
await mf.ready;
const login = await mf.dispatchFetch("http://x/login?user=bench", { redirect: "manual" });
const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
const list = await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json();
const ws = new WebSocket(list.find((t) => /w$/.test(t.webSocketDebuggerUrl))?.webSocketDebuggerUrl ?? list[0].webSocketDebuggerUrl);
await new Promise((r) => ws.on("open", r));
let id = 0; const pending = new Map();
ws.on("message", (m) => { const d = JSON.parse(m); if (pending.has(d.id)) { pending.get(d.id)(d); pending.delete(d.id); } });
const call = (method, params = {}) => new Promise((r) => { const i = ++id; pending.set(i, r); ws.send(JSON.stringify({ id: i, method, params })); });
for (let i = 0; i < 300; i++) await (await mf.dispatchFetch(`http://x${process.env.PROFILE_PATH ?? "/counter"}`, { headers: { cookie } })).text();
await call("Profiler.enable"); await call("Profiler.setSamplingInterval", { interval: 50 }); await call("Profiler.start");
const t0 = performance.now();
const N = Number(process.argv[2] ?? 3000);
const PATH = process.env.PROFILE_PATH ?? "/counter";
await Promise.all(Array.from({ length: 8 }, async () => { for (let i = 0; i < N / 8; i++) await (await mf.dispatchFetch(`http://x${PATH}`, { headers: { cookie } })).text(); }));
const ms = performance.now() - t0;
const { result } = await call("Profiler.stop");
const out = new URL("../test-artifacts/worker.cpuprofile", import.meta.url).pathname;
mkdirSync(new URL("../test-artifacts/", import.meta.url).pathname, { recursive: true });
writeFileSync(out, JSON.stringify(result.profile));
console.log(`${N} requests to ${PATH} in ${ms.toFixed(0)} ms; profile: ${out}`);
ws.close();
await mf.dispose();

// Time per function: self, and inclusive (each function once per sample), as % of busy samples.
const p = result.profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n) => (n.callFrame.functionName || `(${n.callFrame.url.split("/").pop() || "anonymous"})`).replace(/::h[0-9a-f]{16}$/, "");
const self = new Map();
const incl = new Map();
let busy = 0;
for (const id of p.samples) {
  const n = byId.get(id);
  if (name(n) === "(idle)") continue;
  busy++;
  self.set(name(n), (self.get(name(n)) ?? 0) + 1);
  const seen = new Set();
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const k = name(byId.get(x));
    if (!seen.has(k)) incl.set(k, (incl.get(k) ?? 0) + 1);
    seen.add(k);
  }
}
console.log(`busy samples: ${busy}, ${(busy / N).toFixed(2)} per request`);
for (const [title, m] of [["inclusive", incl], ["self", self]]) {
  console.log(`--- ${title} (% of busy samples)`);
  for (const [k, c] of [...m].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${((100 * c) / busy).toFixed(1).padStart(5)}  ${k.slice(0, 110)}`);
}
