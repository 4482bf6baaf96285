// One device-bound session suite for every face (the Worker in workerd, `handle` in node): a
// protocol client written from the draft (dbsc-client.mjs) against the face in front of an origin
// that logs in, logs out and shows what X-Session told it.
import assert from "node:assert/strict";
import { Device, deviceKey, item, proof } from "./dbsc-client.mjs";

/** The origin behind the face: its answer to a request that came with `session` (X-Session). */
export function originAnswer(method, path, session) {
  if (path === "/login") return { status: 200, headers: { "x-replace-session": "user=alice" }, body: "{}" };
  if (path === "/logout") return { status: 200, headers: { "x-replace-session": "!clear=1" }, body: "{}" };
  return { status: 200, headers: { "content-type": "application/json" }, body: JSON.stringify({ session: session ?? null }) };
}

/**
 * The suite, as subtests of `t`. `start()` gives `{ send(method, path, headers) → Response, advance(s),
 * close() }` over a fresh face (device_bound on, bound cookie max age `maxAge`); `canAdvance` says
 * whether its clock can move (node's can, workerd's cannot: those steps are skipped there, and say so).
 */
export async function dbscSuite(t, { start, maxAge, canAdvance, expireBound }) {
  const me = async (d, opts) => {
    const res = await d.fetch("GET", "/me", {}, opts);
    assert.ok(res.status < 500, `status ${res.status}`);
    // The session as the origin saw it, without the expiry a max age adds.
    return (await res.json()).session?.replace(/(^|&)expiry=\d+/, "");
  };
  const bound = async (face) => {
    const d = new Device(face.send, await deviceKey(), face.clock);
    const res = await d.fetch("POST", "/login");
    assert.equal(res.status, 200);
    assert.ok(d.session, "the login's response offered a registration and the device registered");
    return d;
  };
  /** A subtest's body on a fresh face with a device registered there; the face closed after. */
  const onBound = (fn) => async () => {
    const face = await start();
    try {
      await fn(await bound(face), face);
    } finally {
      await face.close();
    }
  };

  await t.test("registration binds the key; the origin is told the session is bound and when it was issued", onBound(async (d, face) => {
    assert.equal(d.registered.credentials[0].type, "cookie");
    assert.deepEqual(d.registered.scope, { include_site: false });
    assert.ok(d.session.challenge, "the registration hands out the next challenge");
    assert.ok(d.jar.has(d.session.credential), "the bound cookie is set");
    const env = await me(d);
    assert.match(env, /^user=alice&!bound=1&!issued=\d+$/);
    const issued = Number(/!issued=(\d+)/.exec(env)[1]);
    assert.ok(Math.abs(issued - face.clock()) < 60, `issued ${issued}`);
  }));

  await t.test("the session cookie alone (a stolen copy) is no session; the device's request still is", onBound(async (d, face) => {
    assert.equal(await me(d, { drop: [d.session.credential] }), "");
    assert.match(await me(d), /^user=alice&!bound=1/);
    // A browser without DBSC (never registers): its session is not bound and works as before.
    const plain = new Device(face.send, await deviceKey(), face.clock);
    await plain.fetch("POST", "/login", {}, { register: false });
    assert.match(await me(plain, { register: false }), /^user=alice&!issued=\d+$/);
  }));

  await t.test("refresh: 403 with a challenge, the device's proof accepted, another key's refused, a replay refused", onBound(async (d) => {
    d.session.challenge = null;
    const first = await d.refresh({ retry: false });
    assert.equal(first.status, 403);
    const challenge = item(first.headers.get("secure-session-challenge"));
    assert.ok(challenge);
    const other = await deviceKey();
    const refused = await d.refresh({ signer: other, challenge, retry: false });
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).error, "bad-signature");
    d.jar.delete(d.session.credential);
    assert.equal(await me(d), "");
    const ok = await d.refresh({ challenge, retry: false });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).session_identifier, d.session.id);
    assert.match(await me(d), /^user=alice&!bound=1/);
    const replay = await d.refresh({ challenge, retry: false });
    assert.equal(replay.status, 403);
    assert.equal((await replay.json()).error, "stale-challenge");
    // The browser's own path: the cached challenge, a 403 answered with a fresh one, retried once.
    const again = await d.refresh();
    assert.equal(again.status, 200);
  }));

  await t.test("malformed proofs, wrong alg or typ, oversize headers: a clear 4xx, never a 5xx", onBound(async (d) => {
    const id = `"${d.session.id}"`;
    const key = d.key;
    const jti = d.session.challenge;
    const cases = [
      ["not.a.jwt.at.all", "malformed"],
      ["e30.e30.AA", "malformed"],
      [await proof(key, { jti }, { header: { alg: "RS256" } }), "unsupported-alg"],
      [await proof(key, { jti }, { header: { alg: "none" } }), "unsupported-alg"],
      [await proof(key, { jti }, { header: { typ: "JWT" } }), "wrong-typ"],
      [(await proof(key, { jti })).replace(/\.[^.]+$/, ".MEUCIQ"), "bad-signature"],
      ["x".repeat(8000), "too-large"],
    ];
    for (const [value, code] of cases) {
      const res = await d.send("POST", d.session.refreshUrl, { cookie: d.cookie(), "sec-secure-session-id": id, "secure-session-response": value });
      assert.equal(res.status, 400, `${code}: ${res.status}`);
      assert.equal((await res.json()).error, code);
    }
    const long = await d.send("POST", d.session.refreshUrl, { cookie: d.cookie(), "sec-secure-session-id": "x".repeat(300) });
    assert.equal(long.status, 400);
    const get = await d.send("GET", d.session.refreshUrl, { cookie: d.cookie() });
    assert.equal(get.status, 405);
    const reg = await d.send("POST", "/__edge-session/dbsc/register", { cookie: d.cookie(), "secure-session-response": await proof(key, { jti }, { jwk: true }) });
    assert.equal(reg.status, 400);
    assert.equal((await reg.json()).error, "already-bound");
    const none = await d.send("POST", "/__edge-session/dbsc/register", {});
    assert.equal(none.status, 400);
    assert.equal((await none.json()).error, "no-session");
  }));

  await t.test("an expired bound cookie is refused; an expired challenge is refused", { skip: !canAdvance && !expireBound && "this face's clock cannot move" }, onBound(async (d, face) => {
    const challenge = d.session.challenge;
    // The browser would drop the cookie itself: a client that keeps sending it is refused.
    const kept = d.cookie();
    if (canAdvance) face.advance(maxAge + 1);
    else await expireBound(maxAge + 1);
    const res = await d.send("GET", "/me", { cookie: kept });
    assert.equal((await res.json()).session ?? "", "");
    if (canAdvance) {
      face.advance(301 - maxAge - 1);
      const stale = await d.refresh({ challenge, retry: false });
      assert.equal(stale.status, 403);
      assert.equal((await stale.json()).error, "stale-challenge");
    }
    const ok = await d.refresh();
    assert.equal(ok.status, 200);
    assert.match(await me(d), /^user=alice&!bound=1/);
  }));

  await t.test("logout ends the bound session: the bound cookie goes, the next refresh says continue: false", onBound(async (d) => {
    const out = await d.fetch("POST", "/logout");
    assert.equal(out.status, 200);
    assert.equal(d.jar.size, 0, [...d.jar.keys()].join());
    const res = await d.refresh();
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { session_identifier: d.session.id, continue: false });
  }));
}
