// The Rust example (examples/rust-worker/): edge-session's core in a user's own workers-rs Worker,
// built by worker-build (scripts/build-worker.sh --example) and run in workerd.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Miniflare } from "miniflare";
import { generateKey, inspect } from "edge-session/full";

const KEY = generateKey();
let mf;

before(async () => {
  mf = new Miniflare({
    modules: true,
    scriptPath: new URL("../../examples/rust-worker/build/index.js", import.meta.url).pathname,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-26",
    bindings: { SESSION_KEYS: KEY, SESSION_COOKIE_ATTRIBUTES: "Path=/; HttpOnly; SameSite=Lax" },
  });
});

after(async () => {
  await mf?.dispose();
});

test("a visit counter kept in the sealed cookie: load, update, Set-Cookie", async () => {
  let cookie = "";
  const counts = [];
  for (let i = 0; i < 3; i++) {
    const res = await mf.dispatchFetch("http://127.0.0.1/", { headers: cookie ? { cookie } : {} });
    assert.equal(res.status, 200);
    counts.push(await res.text());
    const set = res.headers.getSetCookie();
    assert.equal(set.length, 1);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    assert.equal(res.headers.get("vary"), "Cookie");
    cookie = set[0].split(";")[0];
  }
  assert.deepEqual(counts, ["1", "2", "3"]);
  // The cookie is the core's sealed format, opened with the same key by the package.
  const i = inspect(cookie, { keys: [KEY] });
  assert.deepEqual([i.format, i.ok, i.entries], ["sealed", true, [["count", "3"]]]);
  // A tampered cookie is an empty session: the count starts again.
  const forged = cookie.slice(0, -4) + (cookie.at(-4) === "A" ? "B" : "A") + cookie.slice(-3);
  assert.equal(await (await mf.dispatchFetch("http://127.0.0.1/", { headers: { cookie: forged } })).text(), "1");
});
