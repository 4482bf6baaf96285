// Origin authentication through the npm package: `handle` with `originSecret` signs what it
// forwards; `verifySessionHeader` accepts exactly that and refuses forged, replayed and
// re-targeted headers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionManager, generateKey, verifySessionHeader } from "edge-session";

const SECRET = "an origin secret of at least 32 characters, 2026";

/** A manager that signs, and the request `handle` forwarded for `url` with a logged-in cookie. */
async function forwarded(url, { method = "GET", options = {} } = {}) {
  const m = new SessionManager({ keys: [generateKey()], originSecret: SECRET, ...options });
  const s = m.load(null);
  s.set("user", "alice");
  const cookie = m.save(s).split(";")[0];
  s.free();
  let seen;
  const res = await m.handle(new Request(url, { method, headers: { cookie, "x-session-signature": "t=1,v1=forged" } }), (req) => {
    seen = req;
    return new Response("ok");
  });
  assert.equal(res.status, 200);
  m.free();
  return seen;
}

test("handle signs what it forwards; the origin's check accepts it and gives the session", async () => {
  const req = await forwarded("https://app.example/account?tab=2", { method: "POST" });
  assert.match(req.headers.get("x-session-signature"), /^t=\d+,v2=[A-Za-z0-9_-]{43}$/, "the client's copy replaced");
  assert.deepEqual(await verifySessionHeader(req, SECRET), { ok: true, session: Object.assign(Object.create(null), { user: "alice" }) });
  // While the secret is rotated the origin may hold both.
  assert.equal((await verifySessionHeader(req, ["the next secret, at least 32 characters", SECRET])).ok, true);
  // Excluded paths are signed too, with no session.
  const excluded = await forwarded("https://app.example/static/a.css", { options: { exclude: ["/static"] } });
  assert.equal(excluded.headers.get("x-session"), null);
  const v = await verifySessionHeader(excluded, SECRET);
  assert.equal(v.ok, true);
  assert.deepEqual(Object.keys(v.session), []);
});

test("forged, replayed past the tolerance and re-targeted headers are refused", async () => {
  const req = await forwarded("https://app.example/account?tab=2");
  const sig = req.headers.get("x-session-signature");
  const t = Number(/^t=(\d+)/.exec(sig)[1]) * 1000;
  const direct = (url, headers) => new Request(url, { headers });
  // A client that reaches the origin directly, with its own session and no (or a made-up) signature.
  assert.deepEqual(await verifySessionHeader(direct("https://app.example/", { "x-session": "user=admin" }), SECRET), { ok: false, reason: "missing" });
  const forged = { "x-session": "user=admin", "x-session-signature": sig };
  assert.deepEqual(await verifySessionHeader(direct("https://app.example/account?tab=2", forged), SECRET), { ok: false, reason: "mismatch" });
  assert.deepEqual(
    await verifySessionHeader(direct("https://app.example/", { "x-session-signature": "t=abc,v1=zz" }), SECRET),
    { ok: false, reason: "malformed" },
  );
  // The real header, copied to another path, host or method, or with another secret.
  const same = { "x-session": "user=alice", "x-session-signature": sig };
  assert.deepEqual(await verifySessionHeader(direct("https://app.example/admin?tab=2", same), SECRET), { ok: false, reason: "mismatch" });
  assert.deepEqual(await verifySessionHeader(direct("https://staging.example/account?tab=2", same), SECRET), { ok: false, reason: "mismatch" });
  assert.deepEqual(await verifySessionHeader(direct("https://app.example:8443/account?tab=2", same), SECRET), { ok: false, reason: "mismatch" });
  assert.equal((await verifySessionHeader(direct("https://APP.example/account?tab=2", same), SECRET)).ok, true, "hosts are case-blind");
  assert.deepEqual(
    await verifySessionHeader(new Request("https://app.example/account?tab=2", { method: "DELETE", headers: same }), SECRET),
    { ok: false, reason: "mismatch" },
  );
  assert.equal((await verifySessionHeader(req, "another secret of at least thirty-two characters")).reason, "mismatch");
  // Replayed later: within the tolerance it verifies, past it not.
  assert.equal((await verifySessionHeader(req, SECRET, { now: t + 299_000 })).ok, true);
  assert.deepEqual(await verifySessionHeader(req, SECRET, { now: t + 301_000 }), { ok: false, reason: "expired" });
  assert.deepEqual(await verifySessionHeader(req, SECRET, { now: t + 61_000, tolerance: 60 }), { ok: false, reason: "expired" });
});

test("Node's IncomingMessage shape verifies too; bad secrets and options are errors", async () => {
  const req = await forwarded("https://app.example/p?q=1");
  const node = { method: "GET", url: "/p?q=1", headers: { ...Object.fromEntries(req.headers), host: "app.example" } };
  assert.equal((await verifySessionHeader(node, SECRET)).ok, true);
  const elsewhere = { ...node, headers: { ...node.headers, host: "staging.example" } };
  assert.deepEqual(await verifySessionHeader(elsewhere, SECRET), { ok: false, reason: "mismatch" });
  await assert.rejects(verifySessionHeader(req, ""), { code: "ERR_INVALID_OPTION" });
  await assert.rejects(verifySessionHeader(req, SECRET, { tolerance: -1 }), { code: "ERR_INVALID_OPTION" });
  assert.throws(() => new SessionManager({ keys: [generateKey()], originSecret: "short" }), { code: "ERR_WEAK_KEY" });
});

test("with an origin, handle addresses the request to it: host and target signed as the origin receives them", async () => {
  const m = new SessionManager({ keys: [generateKey()], originSecret: SECRET });
  let seen;
  const res = await m.handle(new Request("https://app.example/login?user=alice&next=%2F"), (req) => {
    seen = req;
    return new Response("ok");
  }, { origin: "https://origin.internal:8443" });
  assert.equal(res.status, 200);
  assert.equal(seen.url, "https://origin.internal:8443/login?user=alice&next=%2F", "the query is kept");
  assert.equal(seen.redirect, "manual");
  assert.equal((await verifySessionHeader(seen, SECRET)).ok, true);
  const replayed = new Request("https://other.internal:8443/login?user=alice&next=%2F", { headers: seen.headers });
  assert.deepEqual(await verifySessionHeader(replayed, SECRET), { ok: false, reason: "mismatch" });
  // A path that looks like an authority stays a path of the origin.
  await m.handle(new Request("https://app.example//evil.example/x"), (req) => {
    seen = req;
    return new Response("ok");
  }, { origin: "https://origin.internal" });
  assert.equal(new URL(seen.url).host, "origin.internal");
  for (const bad of ["origin.internal", "https://origin.internal/base", "https://u:p@origin.internal", "ftp://origin.internal", "https://o.internal/?a", 42]) {
    await assert.rejects(m.handle(new Request("https://app.example/"), () => new Response("ok"), { origin: bad }), { code: "ERR_INVALID_OPTION" }, String(bad));
  }
  m.free();
});
