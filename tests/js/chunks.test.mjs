// Large sessions through the JS API: saveAll splits a sealed session across cookies, handle
// sends every line, and the chunk options and errors have their stable codes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionManager, generateKey } from "edge-session";

const manager = new SessionManager({ keys: [generateKey()], maxAge: 600, expiryUpdateInterval: 0 });
const pairs = (lines) => lines.map((l) => l.split(";")[0]);

test("saveAll: one cookie while it fits, chunks past 4096 bytes, read back whole", () => {
  const s = manager.load(null);
  s.set("user", "alice");
  const one = manager.saveAll(s);
  assert.equal(one.length, 1);
  assert.match(one[0], /^session=/);
  s.set("notes", "n".repeat(6000));
  const all = manager.saveAll(s);
  // The browser holds the one cookie written above: growing into chunks removes it.
  const removed = all.filter((l) => /Max-Age=0/.test(l));
  assert.deepEqual(removed.map((l) => l.split("=")[0]), ["session"]);
  const lines = all.filter((l) => !/Max-Age=0/.test(l));
  assert.deepEqual(lines.map((l) => l.split("=")[0]), ["session.0", "session.1", "session.2"]);
  assert.ok(all.every((l) => l.length <= 4096 && /HttpOnly/.test(l)));
  const back = manager.load(`theme=dark; ${pairs(lines).join("; ")}`);
  assert.equal(back.get("notes").length, 6000);
  assert.equal(back.get("user"), "alice");
  // save() is for one cookie: a chunked session is its documented error.
  assert.throws(() => manager.save(back), { code: "ERR_CHUNKED_SESSION" });
});

test("a cleared chunked session does not come back: save() refuses, saveAll() and removalCookies() remove every chunk", () => {
  const s = manager.load(null);
  s.set("notes", "n".repeat(9000));
  const header = pairs(manager.saveAll(s)).join("; ");
  const back = manager.load(header);
  back.clear();
  // Before: save() removed `session` alone, and the next request loaded the session from its chunks.
  assert.throws(() => manager.save(back), { code: "ERR_CHUNKED_SESSION" });
  const removals = manager.saveAll(back);
  assert.deepEqual(removals.map((l) => l.split("=")[0]).sort(), ["session.0", "session.1", "session.2"]);
  assert.ok(removals.every((l) => /Max-Age=0/.test(l)));
  const logout = manager.removalCookies();
  assert.deepEqual(logout.map((l) => l.split("=")[0]), ["session", "session.0", "session.1", "session.2", "session.3"]);
  assert.ok(logout.every((l) => /^[^=]+=; Max-Age=0; Path=\/; HttpOnly; Secure; SameSite=Lax$/.test(l)));
});

test("past maxChunks: ERR_TOO_MANY_CHUNKS; maxChunks is checked", () => {
  const small = new SessionManager({ keys: [generateKey()], maxChunks: 2 });
  const s = small.load(null);
  s.set("big", "b".repeat(9000));
  assert.throws(() => small.saveAll(s), { code: "ERR_TOO_MANY_CHUNKS", message: /maxChunks \(2\)/ });
  for (const maxChunks of [0, 17, 2.5, "4"]) {
    assert.throws(() => new SessionManager({ keys: [generateKey()], maxChunks }), { code: "ERR_INVALID_OPTION" }, String(maxChunks));
  }
});

test("handle: an origin that grows the session gets every chunk set, and stale ones removed", async () => {
  const big = "x".repeat(7000);
  const grow = await manager.handle(new Request("http://x/"), () => new Response("ok", { headers: { "x-replace-session": `user=bob&big=${big}` } }));
  const set = grow.headers.getSetCookie();
  assert.deepEqual(set.map((l) => l.split("=")[0]), ["session.0", "session.1", "session.2"]);
  assert.equal(grow.headers.get("cache-control"), "private, no-store");
  let seen;
  const cookie = pairs(set).join("; ");
  const shrink = await manager.handle(new Request("http://x/", { headers: { cookie } }), (req) => {
    seen = req.headers.get("x-session");
    return new Response("ok", { headers: { "x-replace-session": "big=" } });
  });
  assert.match(seen, new RegExp(`^user=bob&big=${big}&expiry=\\d+$`));
  const lines = shrink.headers.getSetCookie();
  assert.ok(lines.some((l) => l.startsWith("session=") && !/Max-Age=0/.test(l)), "one cookie again");
  assert.deepEqual(lines.filter((l) => /Max-Age=0/.test(l)).map((l) => l.split("=")[0]).sort(), ["session.0", "session.1", "session.2"]);
});
