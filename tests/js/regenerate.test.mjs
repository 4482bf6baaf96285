// session.regenerate() and the SessionHeader's `!regenerate`: a login re-issues the session.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionManager, generateKey } from "edge-session";

const T0 = 1_800_000_000_000;
const manager = new SessionManager({ keys: [generateKey()], maxLifetime: 100 });
const cookieOf = (line) => line.split(";")[0];

test("regenerate keeps the entries, issues a new token and restarts the lifetime", () => {
  const s = manager.load(null, T0);
  s.set("cart", "3");
  const anonymous = cookieOf(manager.save(s, T0));
  const before = manager.load(anonymous, T0 + 90_000);
  assert.equal(before.issued, T0);
  before.set("user", "alice");
  before.regenerate();
  const fresh = cookieOf(manager.save(before, T0 + 90_000));
  assert.notEqual(fresh, anonymous);
  const after = manager.load(fresh, T0 + 150_000);
  assert.deepEqual(after.entries(), [["cart", "3"], ["user", "alice"]]);
  assert.equal(after.issued, T0 + 90_000);
  assert.equal(manager.load(anonymous, T0 + 150_000).status, "expired");
});

test("an origin asks for it with !regenerate in its SessionHeader; the key is reserved", async () => {
  const m = new SessionManager({ keys: [generateKey()] });
  const first = await m.handle(new Request("http://x/"), () => new Response("", { headers: { "x-replace-session": "cart=1" } }));
  const cookie = cookieOf(first.headers.getSetCookie()[0]);
  let seen;
  const login = await m.handle(new Request("http://x/login", { headers: { cookie } }), (req) => {
    seen = req.headers.get("x-session");
    return new Response("", { headers: { "x-replace-session": "!regenerate=1&user=alice" } });
  });
  assert.equal(seen, "cart=1");
  const after = cookieOf(login.headers.getSetCookie()[0]);
  assert.notEqual(after, cookie);
  assert.deepEqual(m.load(after).entries(), [["cart", "1"], ["user", "alice"]]);
  const s = m.load(null);
  assert.throws(() => s.set("!regenerate", "1"), { code: "ERR_INVALID_KEY_NAME" });
});
