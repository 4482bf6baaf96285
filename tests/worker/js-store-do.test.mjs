// Durable Objects from JavaScript, in real workerd: the JS Worker (`handle` over edge-session/full
// with `store: durableObjectStore(env.SESSIONS)`) bound to the Rust Worker's SessionStore class
// (script_name), beside the Rust Worker with SESSION_STORE = "durable-object": the store suite, a
// session crossing between the two both ways, the per-user limit, and the operator's log-out
// everywhere (the Rust Worker's admin endpoint) ending sessions the JS Worker wrote.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import { Miniflare } from "miniflare";
import { generateKey } from "edge-session";
import { ROOT, bundleJsWorker, storeOrigin, visitThrough } from "./helpers.mjs";
import { storeSuite } from "../support/store-suite.mjs";

const KEY = generateKey();
const ADMIN = "an-admin-token-long-enough-for-the-rule-0123456789";
let mf, o, sessions;
const workers = {};

before(async () => {
  const outdir = bundleJsWorker();
  o = await storeOrigin();
  const vars = { SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_MAX_AGE: "3600", SESSION_STORE: "durable-object", SESSION_MAX_SESSIONS: "2", SESSION_ADMIN_TOKEN: ADMIN };
  const wasm = [{ type: "CompiledWasm", include: ["**/*.wasm"] }];
  mf = new Miniflare({
    workers: [
      { name: "rust", modules: true, scriptPath: new URL("build/index.js", ROOT).pathname, modulesRules: wasm, compatibilityDate: "2026-04-26", bindings: vars, durableObjects: { SESSIONS: "SessionStore" } },
      { name: "js", modules: true, scriptPath: `${outdir}/worker.js`, modulesRoot: outdir, modulesRules: wasm, compatibilityDate: "2026-04-26", bindings: { ...vars, FACE: "handle" }, durableObjects: { SESSIONS: { className: "SessionStore", scriptName: "rust" } } },
    ],
  });
  for (const name of ["rust", "js"]) workers[name] = await mf.getWorker(name);
  sessions = await mf.getDurableObjectNamespace("SESSIONS", "rust");
});
after(async () => {
  await mf?.dispose();
  await o?.close();
});

const visit = (face, path, cookie) => visitThrough(workers[face], o, path, cookie);

/** A user's object's name, for the test's eyes only (docs/WORKER.md has the layout). */
function homeOf(user) {
  const raw = Buffer.from(KEY.replace(/^base64:/, ""), "base64");
  const secret = createHash("sha256").update("edge-session/v1/hash-key").update(raw).digest();
  return `u${createHmac("sha256", secret).update("edge-session/v1/home").update(user).digest().subarray(0, 16).toString("hex")}`;
}

/** The records of a user's object, key → record, through the protocol. */
async function recordsOf(user) {
  const stub = sessions.get(sessions.idFromName(homeOf(user)));
  const list = await (await stub.fetch("https://session-store.internal/list")).text();
  const out = {};
  for (const line of list.split("\n").filter(Boolean)) {
    const [id] = line.split(" ");
    out[`session:${id}`] = await (await stub.fetch(`https://session-store.internal/get?id=${id}`)).text();
  }
  return out;
}

test("the store suite, in the Rust Worker's Durable Objects, through the JS Worker's handle", async () => {
  await storeSuite({ name: "durable-object", visit: (path, cookie) => visit("js", path, cookie), records: () => recordsOf("alice"), ttl: async () => null });
});

test("a session written by either Worker opens in the other; the limit and the operator's log-out hold for both", async () => {
  for (const [writer, reader] of [["rust", "js"], ["js", "rust"]]) {
    const login = await visit(writer, "/login?user=bob");
    assert.equal((await visit(reader, "/", login.cookie)).seen, "user=bob", `${writer} -> ${reader}`);
    const changed = await visit(reader, "/cart?n=2", login.cookie);
    assert.equal((await visit(writer, "/", changed.cookie)).seen, "user=bob&cart.json=2", `${reader} -> ${writer}`);
  }
  // bob now has sessions from both rounds; the limit (2) keeps the newest two.
  const a = await visit("js", "/login?user=carl");
  const b = await visit("rust", "/login?user=carl");
  const c = await visit("js", "/login?user=carl");
  assert.equal((await visit("rust", "/", a.cookie)).seen, "", "the oldest evicted");
  assert.equal((await visit("js", "/", b.cookie)).seen, "user=carl");
  const out = await workers.rust.fetch("http://127.0.0.1/__edge-session/logout?user=carl", { method: "POST", headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(out.status, 200, await out.clone().text());
  assert.equal((await out.json()).ended, 2);
  for (const d of [b, c]) assert.equal((await visit("js", "/", d.cookie)).seen, "", "logged out everywhere");
});
