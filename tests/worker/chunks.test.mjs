// Large sessions through the Rust Worker in workerd: split across cookies, read back whole,
// shrunk back to one cookie with the stale chunks removed; spliced chunks give no session.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { generateKey } from "edge-session";
import { worker, origin, CookieJar, get } from "./helpers.mjs";

const open = [];
after(async () => Promise.all(open.map((x) => x.dispose?.() ?? x.close())));

const big = (n) => "z".repeat(n);
const o = await origin((req, url) => {
  const size = url.searchParams.get("size");
  if (size) return { headers: { "x-replace-session": `user=${url.searchParams.get("user") ?? "alice"}&big=${big(Number(size))}` } };
});
open.push(o);
const mf = worker({ SESSION_KEYS: generateKey(), ORIGIN: o.url });
open.push(mf);

test("a 9 KB session: three cookies, read back whole, then one cookie again", async () => {
  const jar = new CookieJar();
  const res = await get(mf, jar, "/set?size=9000");
  await res.text();
  const set = res.headers.getSetCookie();
  assert.deepEqual(set.map((l) => l.split("=")[0]), ["session.0", "session.1", "session.2"]);
  assert.ok(set.every((l) => l.length <= 4096));
  assert.equal(res.headers.get("cache-control"), "private, no-store");

  await (await get(mf, jar, "/")).text();
  assert.match(o.received.at(-1).headers["x-session"], new RegExp(`^user=alice&big=${big(9000)}$`));

  const shrink = await get(mf, jar, "/set?size=10");
  await shrink.text();
  const lines = shrink.headers.getSetCookie();
  assert.deepEqual(lines.filter((l) => /Max-Age=0/.test(l)).map((l) => l.split("=")[0]), ["session.0", "session.1", "session.2"]);
  assert.deepEqual([...jar.cookies.keys()], ["session"]);
  await (await get(mf, jar, "/")).text();
  assert.equal(o.received.at(-1).headers["x-session"], `user=alice&big=${big(10)}`);
});

test("chunks from two sessions do not splice: an empty session, a 200", async () => {
  const a = new CookieJar();
  const b = new CookieJar();
  await (await get(mf, a, "/set?size=9000&user=alice")).text();
  await (await get(mf, b, "/set?size=9000&user=mallory")).text();
  const mixed = new Map(a.cookies);
  mixed.set("session.1", b.cookies.get("session.1"));
  const cookie = [...mixed].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await get(mf, null, "/", { cookie });
  assert.equal(res.status, 200);
  await res.text();
  assert.equal(o.received.at(-1).headers["x-session"], "");
});

test("past the chunk cap: not saved, the previous session intact, never a 5xx", async () => {
  const jar = new CookieJar();
  await (await get(mf, jar, "/set?size=100")).text();
  const res = await get(mf, jar, "/set?size=15000");
  assert.equal(res.status, 200);
  await res.text();
  assert.equal(res.headers.getSetCookie().length, 0);
  await (await get(mf, jar, "/")).text();
  assert.equal(o.received.at(-1).headers["x-session"], `user=alice&big=${big(100)}`);
});
