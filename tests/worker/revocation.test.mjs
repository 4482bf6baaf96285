// "Log out everywhere" in real workerd with Miniflare's KV: a not-before time per user
// (revoke:user:<name>) and a global one (revoke:global) end sessions issued before them, after
// at most the isolate's cache period (SESSION_REVOCATION_CACHE).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { generateKey } from "edge-session";
import { worker, origin, CookieJar, get, configError, CONFIG_ERROR_BODY } from "./helpers.mjs";

const open = [];
after(async () => Promise.all(open.map((x) => x.dispose?.() ?? x.close())));
const o = await origin((req, url) => {
  if (url.pathname === "/login") return { headers: { "x-replace-session": `!regenerate=1&user=${url.searchParams.get("user")}` } };
});
open.push(o);

function start(vars) {
  const mf = worker(
    { SESSION_KEYS: generateKey(), ORIGIN: o.url, SESSION_REVOCATION_KV: "REVOCATIONS", ...vars },
    { kvNamespaces: ["REVOCATIONS"] },
  );
  open.push(mf);
  return mf;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function whoami(mf, jar) {
  const res = await get(mf, jar, "/");
  await res.text();
  return { session: o.received.at(-1).headers["x-session"], setCookies: res.headers.getSetCookie() };
}

test("a user's not-before ends that user's sessions everywhere, and only theirs", async () => {
  const mf = start({ SESSION_REVOCATION_CACHE: "1" });
  const kv = await mf.getKVNamespace("REVOCATIONS");
  const [laptop, phone, bob] = [new CookieJar(), new CookieJar(), new CookieJar()];
  await (await get(mf, laptop, "/login?user=alice")).text();
  await (await get(mf, phone, "/login?user=alice")).text();
  await (await get(mf, bob, "/login?user=bob")).text();
  assert.equal((await whoami(mf, laptop)).session, "user=alice");

  await sleep(5);
  await kv.put("revoke:user:alice", String(Date.now()));
  await sleep(1100); // the cache period
  for (const jar of [laptop, phone]) {
    const r = await whoami(mf, jar);
    assert.equal(r.session, "", "revoked: the origin sees no session");
    assert.match(r.setCookies[0] ?? "", /^session=; Max-Age=0/, "and the cookie is removed");
  }
  assert.equal((await whoami(mf, bob)).session, "user=bob");

  // Logging in again after the revocation works.
  await sleep(5);
  await (await get(mf, laptop, "/login?user=alice")).text();
  assert.equal((await whoami(mf, laptop)).session, "user=alice");
});

test("the global not-before ends every session issued before it", async () => {
  const mf = start({ SESSION_REVOCATION_CACHE: "1" });
  const kv = await mf.getKVNamespace("REVOCATIONS");
  const jars = [new CookieJar(), new CookieJar()];
  for (const [i, jar] of jars.entries()) await (await get(mf, jar, `/login?user=u${i}`)).text();
  await sleep(5);
  await kv.put("revoke:global", String(Date.now()));
  await sleep(1100);
  for (const jar of jars) assert.equal((await whoami(mf, jar)).session, "");
});

test("the trade-off: within the cache period a revocation is not seen yet", async () => {
  const mf = start({ SESSION_REVOCATION_CACHE: "60" });
  const kv = await mf.getKVNamespace("REVOCATIONS");
  const jar = new CookieJar();
  await (await get(mf, jar, "/login?user=carol")).text();
  assert.equal((await whoami(mf, jar)).session, "user=carol"); // caches "no revocation" for carol
  await sleep(5);
  await kv.put("revoke:user:carol", String(Date.now()));
  assert.equal((await whoami(mf, jar)).session, "user=carol", "cached for up to 60 s in this isolate");
});

test("revocation needs the sealed format; garbage in KV is no revocation", async () => {
  const refused = await configError(
    { ORIGIN: o.url, SESSION_REVOCATION_KV: "REVOCATIONS", SESSION_FORMAT: "plain", SESSION_KEYS: "" },
    { kvNamespaces: ["REVOCATIONS"] },
  );
  assert.equal(refused.status, 500);
  assert.equal(refused.body, CONFIG_ERROR_BODY);
  assert.match(refused.error, /SESSION_REVOCATION_KV: revocation needs the sealed format/);

  const mf = start({ SESSION_REVOCATION_CACHE: "0" });
  const kv = await mf.getKVNamespace("REVOCATIONS");
  const jar = new CookieJar();
  await (await get(mf, jar, "/login?user=dave")).text();
  await kv.put("revoke:user:dave", "not a time");
  assert.equal((await whoami(mf, jar)).session, "user=dave");
});

test("a user name over 256 bytes is revocable too: by the admin logout, and by its SHA-256 key", async () => {
  const { createHash } = await import("node:crypto");
  const ADMIN = generateKey();
  const mf = start({ SESSION_REVOCATION_CACHE: "1", SESSION_ADMIN_TOKEN: ADMIN });
  const kv = await mf.getKVNamespace("REVOCATIONS");
  const long = `${"a".repeat(300)}@example.com`;
  const other = `${"b".repeat(300)}@example.com`;
  const [jar, bystander] = [new CookieJar(), new CookieJar()];
  await (await get(mf, jar, `/login?user=${encodeURIComponent(long)}`)).text();
  await (await get(mf, bystander, `/login?user=${encodeURIComponent(other)}`)).text();
  assert.equal((await whoami(mf, jar)).session, `user=${encodeURIComponent(long)}`);
  await sleep(5);
  // The operator's logout takes the long name (it answered 400 before) ...
  const res = await mf.dispatchFetch(`http://127.0.0.1/__edge-session/logout?user=${encodeURIComponent(long)}`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await res.json()).ended, null, "no Durable Object store here");
  // ... and stores its not-before under the name's SHA-256, which an operator can compute too.
  const hashed = `revoke:user-sha256:${createHash("sha256").update(long).digest("hex")}`;
  assert.ok(Number(await kv.get(hashed)) > 0, hashed);
  await sleep(1100);
  const r = await whoami(mf, jar);
  assert.equal(r.session, "", "the long-named user's session ended");
  assert.match(r.setCookies[0] ?? "", /^session=; Max-Age=0/);
  assert.match((await whoami(mf, bystander)).session, /^user=b{300}/, "another long name stays");
});
