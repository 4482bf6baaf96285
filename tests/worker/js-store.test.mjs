// A server-side store from JavaScript, in real workerd with Miniflare's Workers KV: the JS Worker
// (tests/js-worker/worker.js: `handle` and the Hono middleware over edge-session/full with
// `store: kvStore(env.SESSIONS)`) and the Rust Worker (SESSION_STORE = "kv") share one namespace,
// and a session written by either opens in the other: the same records under the same keys, the
// same sealed reference in the cookie, one set of decisions (the core's `store` module).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { generateKey } from "edge-session";
import { ROOT, bundleJsWorker, storeOrigin, visitThrough } from "./helpers.mjs";
import { storeSuite } from "../support/store-suite.mjs";

const KEY = generateKey();
let mf, o, kv;
const workers = {};

before(async () => {
  const outdir = bundleJsWorker();
  o = await storeOrigin();
  const vars = { SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_MAX_AGE: "3600", SESSION_STORE: "kv" };
  const wasm = [{ type: "CompiledWasm", include: ["**/*.wasm"] }];
  mf = new Miniflare({
    workers: [
      { name: "rust", modules: true, scriptPath: new URL("build/index.js", ROOT).pathname, modulesRules: wasm, compatibilityDate: "2026-04-26", bindings: vars, kvNamespaces: { SESSIONS: "sessions" } },
      { name: "handle", modules: true, scriptPath: `${outdir}/worker.js`, modulesRoot: outdir, modulesRules: wasm, compatibilityDate: "2026-04-26", bindings: { ...vars, FACE: "handle" }, kvNamespaces: { SESSIONS: "sessions" } },
      { name: "hono", modules: true, scriptPath: `${outdir}/worker.js`, modulesRoot: outdir, modulesRules: wasm, compatibilityDate: "2026-04-26", bindings: { ...vars, FACE: "hono" }, kvNamespaces: { SESSIONS: "sessions" } },
    ],
  });
  for (const name of ["rust", "handle", "hono"]) workers[name] = await mf.getWorker(name);
  kv = await mf.getKVNamespace("SESSIONS", "rust");
});
after(async () => {
  await mf?.dispose();
  await o?.close();
});

const visit = (face, path, cookie) => visitThrough(workers[face], o, path, cookie);

/** The store's keys and records. */
async function records() {
  const out = {};
  for (const { name } of (await kv.list()).keys) out[name] = await kv.get(name);
  return out;
}

test("the store suite, in KV, through handle and the Hono middleware", async () => {
  for (const face of ["handle", "hono"]) {
    for (const { name } of (await kv.list()).keys) await kv.delete(name);
    await storeSuite({
      name: `kv (${face})`,
      visit: (path, cookie) => visit(face, path, cookie),
      records,
      // KV's expirations are whole seconds from the write.
      ttl: async (key) => {
        const entry = (await kv.list()).keys.find((k) => k.name === key);
        return entry?.expiration ? entry.expiration - Math.floor(Date.now() / 1000) : null;
      },
    });
  }
});

test("a session written by the Rust Worker's store opens in the JS one's, and the reverse", async () => {
  for (const [writer, reader] of [["rust", "handle"], ["handle", "rust"], ["rust", "hono"], ["hono", "rust"]]) {
    const login = await visit(writer, "/login?user=bob");
    assert.equal((await visit(reader, "/", login.cookie)).seen, "user=bob", `${writer} -> ${reader}`);
    const changed = await visit(reader, "/cart?n=2", login.cookie);
    assert.equal((await visit(writer, "/", changed.cookie)).seen, "user=bob&cart.json=2", `${reader} -> ${writer}`);
  }
});
