// The store suite: what every server-side store must do, the same checks for each (Workers KV in
// workerd, Redis in node; tests/worker/js-store.test.mjs, tests/js/store-redis.test.mjs). Given:
//   visit(path, cookie)  a request through a face with this store, answered by an app that logs in
//                        (/login?user=U), changes a cart (/cart?n=N), remembers (/remember) and
//                        logs out (/logout) through the SessionHeader: { status, seen (the session
//                        the app saw, without expiry), cookie (the one to keep; null once removed),
//                        lines (Set-Cookie) }
//   records()            the store's records, key → record
//   ttl(key)             seconds until a record expires (null where the store cannot tell)
import assert from "node:assert/strict";

export async function storeSuite({ name, visit, records, ttl }) {
  const login = await visit("/login?user=alice");
  assert.equal(login.status, 200, name);
  const stored = await records();
  assert.deepEqual(Object.values(stored), ["1:user=alice"], `${name}: the record`);
  const [key] = Object.keys(stored);
  assert.match(key, /session:[0-9a-f]{32}$/, `${name}: the key`);
  assert.doesNotMatch(login.cookie, /alice/, `${name}: the cookie holds a reference only`);
  assert.match(login.lines[0], /; Max-Age=3600; /, name);
  const left = await ttl(key);
  if (left !== null) assert.ok(left > 3590 && left <= 3600, `${name}: the record expires with the session (${left})`);
  assert.equal((await visit("/", login.cookie)).seen, "user=alice", `${name}: read back`);

  const cart = await visit("/cart?n=3", login.cookie);
  assert.notEqual(cart.cookie, login.cookie, `${name}: a change re-issues the id`);
  assert.deepEqual(Object.values(await records()), ["1:user=alice&cart.json=3"], `${name}: the old record deleted`);
  assert.equal((await visit("/", login.cookie)).seen, "", `${name}: the old id names nothing`);

  const remembered = await visit("/remember", cart.cookie);
  assert.match(remembered.lines[0], /; Max-Age=2592000; /, `${name}: remember me, on the token`);
  const [rkey] = Object.keys(await records());
  const rleft = await ttl(rkey);
  if (rleft !== null) assert.ok(rleft > 2_591_000, `${name}: the record lives as long (${rleft})`);

  const out = await visit("/logout", remembered.cookie);
  assert.equal(out.cookie, null, `${name}: the cookie removed`);
  assert.deepEqual(await records(), {}, `${name}: the record deleted`);
  assert.equal((await visit("/", remembered.cookie)).seen, "", `${name}: an ended session's cookie is no session`);
}
