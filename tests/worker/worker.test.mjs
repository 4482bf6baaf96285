// The Worker in real workerd (Miniflare), against the embedded demo origin and a local origin.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { generateKey } from "edge-session";
import { worker, origin, CookieJar, get, configError, CONFIG_ERROR_BODY } from "./helpers.mjs";

const KEY = generateKey();
const open = [];
after(async () => Promise.all(open.map((x) => x.dispose?.() ?? x.close())));
const start = (bindings) => {
  const mf = worker(bindings);
  open.push(mf);
  return mf;
};
const startOrigin = async (respond) => {
  const o = await origin(respond);
  open.push(o);
  return o;
};

test("demo origin: login, the session persists, logout clears it", async () => {
  const mf = start({ SESSION_KEYS: KEY, SESSION_MAX_AGE: "3600" });
  const jar = new CookieJar();
  let res = await get(mf, jar, "/");
  assert.equal(res.status, 200);
  assert.match(await res.text(), /Hello, stranger/);
  assert.deepEqual(res.headers.getSetCookie(), [], "no cookie for anonymous visitors");

  res = await get(mf, jar, "/login?user=alice");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-replace-session"), null, "the SessionHeader never reaches the client");
  const [setCookie] = res.headers.getSetCookie();
  assert.match(setCookie, /^session=[A-Za-z0-9_-]+; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  assert.doesNotMatch(setCookie, /alice/, "sealed");
  assert.equal(res.headers.get("cache-control"), "private, no-store");
  assert.match(res.headers.get("vary"), /Cookie/);
  await res.text();

  for (let i = 0; i < 3; i++) {
    res = await get(mf, jar, "/");
    assert.match(await res.text(), /Hello, alice\./);
    assert.match(res.headers.get("cache-control"), /private/);
    assert.match(res.headers.get("vary"), /Cookie/);
  }

  res = await get(mf, jar, "/logout");
  assert.match(res.headers.getSetCookie()[0], /^session=; Max-Age=0;/);
  await res.text();
  res = await get(mf, jar, "/");
  assert.match(await res.text(), /Hello, stranger/);

  // The query is form-decoded (the core's parser): `+` and `%XX`, the first non-empty value.
  await (await get(mf, jar, "/login?user=&user=Ana+Mar%C3%ADa%20%3C3")).text();
  assert.match(await (await get(mf, jar, "/")).text(), /Hello, Ana María &lt;3\./);
});

test("every format counts its writes: a plain-format rewrite is 'rotated', a logout 'ended'", async () => {
  const ADMIN = "an-admin-token-long-enough-for-the-rule-0123456789";
  const mf = start({ SESSION_FORMAT: "plain", SESSION_KEYS: "", SESSION_ADMIN_TOKEN: ADMIN });
  const jar = new CookieJar();
  for (const path of ["/login?user=erin", "/counter", "/counter", "/logout"]) await (await get(mf, jar, path)).text();
  const res = await mf.dispatchFetch("http://127.0.0.1/__edge-session/metrics", { headers: { authorization: `Bearer ${ADMIN}` } });
  const metrics = await res.text();
  assert.equal(res.status, 200, metrics);
  for (const [event, n] of [["created", 1], ["rotated", 2], ["ended", 1]]) {
    assert.match(metrics, new RegExp(`^edge_session_events_total\\{event="${event}"\\} ${n}$`, "m"), metrics);
  }
});

/** The session event lines a worker printed. */
const eventLines = (logs) => logs.split("\n").filter((l) => l.includes('{"edge_session"')).map((l) => JSON.parse(l.slice(l.indexOf("{"))));

test("by default a new session is a log line, its rewrites are counted only (SESSION_LOG_WRITES = created)", async () => {
  const ADMIN = "an-admin-token-long-enough-for-the-rule-0123456789";
  let logs = "";
  const mf = worker(
    { SESSION_KEYS: KEY, SESSION_MAX_AGE: "3600", SESSION_ADMIN_TOKEN: ADMIN },
    { handleRuntimeStdio: (out, err) => [out, err].forEach((s) => s.on("data", (d) => (logs += d))) },
  );
  open.push(mf);
  const jar = new CookieJar();
  for (const path of ["/login?user=gail", "/counter", "/counter", "/logout"]) await (await get(mf, jar, path)).text();
  await (await get(mf, new CookieJar(), "/", { cookie: "session=forged" })).text();
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(
    eventLines(logs).map((l) => l.edge_session),
    ["created", "ended", "rejected"],
    "the login, the logout and the forged cookie; not the two rewrites",
  );
  const res = await mf.dispatchFetch("http://127.0.0.1/__edge-session/metrics", { headers: { authorization: `Bearer ${ADMIN}` } });
  const metrics = await res.text();
  for (const [event, n] of [["created", 1], ["rotated", 2], ["ended", 1]]) {
    assert.match(metrics, new RegExp(`^edge_session_events_total\\{event="${event}"\\} ${n}$`, "m"), metrics);
  }
});

test("cookie format: a rewrite's log line names the cookie it replaced (prev = the sid it was written under)", async () => {
  let logs = "";
  const mf = worker(
    { SESSION_KEYS: KEY, SESSION_MAX_AGE: "3600", SESSION_LOG_WRITES: "all" },
    { handleRuntimeStdio: (out, err) => [out, err].forEach((s) => s.on("data", (d) => (logs += d))) },
  );
  open.push(mf);
  const jar = new CookieJar();
  for (const path of ["/login?user=frank", "/counter", "/counter"]) await (await get(mf, jar, path)).text();
  await new Promise((r) => setTimeout(r, 300));
  const lines = logs.split("\n").filter((l) => l.includes('{"edge_session"')).map((l) => JSON.parse(l.slice(l.indexOf("{"))));
  const writes = lines.filter((l) => ["created", "rotated"].includes(l.edge_session));
  assert.deepEqual(writes.map((l) => l.edge_session), ["created", "rotated", "rotated"], JSON.stringify(lines));
  assert.match(writes[0].sid, /^[0-9a-f]{32}$/);
  assert.equal(writes[1].prev, writes[0].sid);
  assert.equal(writes[2].prev, writes[1].sid);
  assert.notEqual(writes[2].sid, writes[1].sid);
});

test("garbage cookies are an empty session and a 200, never an error", async () => {
  const mf = start({ SESSION_KEYS: KEY });
  const valid = new CookieJar();
  await (await get(mf, valid, "/login?user=alice")).text();
  const random = Array.from({ length: 512 }, (_, i) => String.fromCharCode(33 + ((i * 7919) % 90))).join("");
  for (const cookie of [
    `session=${random.replace(/[;,]/g, "x")}`,
    `session=${"A".repeat(8192)}`,
    "session=!!!not-base64!!!",
    "session=",
    `${valid.header()}; session=AAAA`,
    `${"x=1; ".repeat(2000)}`,
    "session=\u00ff\u00fe",
  ]) {
    const res = await get(mf, null, "/", { cookie });
    assert.equal(res.status, 200, cookie.slice(0, 40));
    assert.match(await res.text(), /Hello, stranger/, cookie.slice(0, 40));
  }
});

test("the origin: client X-Session stripped (CVE-2018-1283), session sent, cookie removed, SessionHeader merged", async () => {
  const o = await startOrigin((req, url) =>
    url.pathname === "/set" ? { headers: { "x-replace-session": "user=bob&role=admin", "set-cookie": "origin=1; Path=/" } } : undefined,
  );
  const mf = start({ SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_COOKIE_REMOVE: "true" });
  const jar = new CookieJar();
  const res = await get(mf, jar, "/set", { "x-session": "user=mallory&role=admin" });
  assert.equal(res.status, 200);
  const cookies = res.headers.getSetCookie();
  assert.ok(cookies.includes("origin=1; Path=/"), `the origin's own Set-Cookie is kept: ${cookies}`);
  assert.ok(cookies.some((c) => c.startsWith("session=")));
  assert.equal(res.headers.get("x-replace-session"), null);
  assert.equal(o.received.at(-1).headers["x-session"], "", "the client's X-Session never reaches the origin");
  await res.text();

  await (await get(mf, jar, "/whoami", { "x-session": "user=mallory", cookie: `${jar.header()}; theme=dark` })).text();
  const seen = o.received.at(-1).headers;
  assert.equal(seen["x-session"].replace(/&expiry=\d+$/, ""), "user=bob&role=admin");
  assert.equal(seen.cookie, "origin=1; theme=dark", "only the session cookie is removed");
});

test("the session cookie reaches the origin when SESSION_COOKIE_REMOVE is off", async () => {
  const o = await startOrigin();
  const mf = start({ SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_COOKIE_REMOVE: "false" });
  await (await get(mf, null, "/", { cookie: "session=abc; a=1" })).text();
  assert.equal(o.received.at(-1).headers.cookie, "session=abc; a=1");
});

test("include / exclude: outside, requests pass through (X-Session still stripped, the SessionHeader still removed)", async () => {
  const o = await startOrigin(() => ({ headers: { "x-replace-session": "user=eve" } }));
  const mf = start({ SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_INCLUDE: "/app", SESSION_EXCLUDE: "/app/static" });
  for (const path of ["/other", "/app/static/x.css"]) {
    const res = await get(mf, null, path, { "x-session": "user=mallory" });
    assert.deepEqual(res.headers.getSetCookie(), [], path);
    assert.equal(res.headers.get("x-replace-session"), null, `${path}: the SessionHeader never reaches the client`);
    assert.equal(o.received.at(-1).headers["x-session"], undefined, `${path}: no X-Session at all`);
    await res.text();
  }
  const res = await get(mf, null, "/app/page");
  assert.equal(res.headers.get("x-replace-session"), null);
  assert.equal(res.headers.getSetCookie().length, 1);
  await res.text();
});

test("expiry: a short max age ends the session", async () => {
  const o = await startOrigin((req, url) => (url.pathname === "/login" ? { headers: { "x-replace-session": "user=alice" } } : undefined));
  const mf = start({ SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_MAX_AGE: "1", SESSION_EXPIRY_UPDATE_INTERVAL: "0" });
  const jar = new CookieJar();
  await (await get(mf, jar, "/login")).text();
  const saved = jar.header();
  await (await get(mf, null, "/", { cookie: saved })).text();
  assert.match(o.received.at(-1).headers["x-session"], /^user=alice&expiry=\d+$/);
  await new Promise((r) => setTimeout(r, 1300));
  const res = await get(mf, null, "/", { cookie: saved });
  await res.text();
  assert.match(o.received.at(-1).headers["x-session"], /^(expiry=\d+)?$/, "expired: an empty session (a fresh expiry only, as Apache's HTTP_SESSION)");
  assert.match(res.headers.getSetCookie()[0] ?? "", /Max-Age=0/, "the stale cookie is removed");
});

test("rotation: an old key's cookie is accepted and re-sealed with the new key", async () => {
  const OLD = generateKey();
  const NEW = generateKey();
  const o = await startOrigin((req, url) => (url.pathname === "/login" ? { headers: { "x-replace-session": "user=alice" } } : undefined));
  const before = start({ SESSION_KEYS: OLD, ORIGIN: o.url });
  const jar = new CookieJar();
  await (await get(before, jar, "/login")).text();
  const oldCookie = jar.header();

  const rotated = start({ SESSION_KEYS: `${NEW} ${OLD}`, ORIGIN: o.url });
  const res = await get(rotated, jar, "/");
  await res.text();
  assert.equal(o.received.at(-1).headers["x-session"], "user=alice");
  assert.equal(res.headers.getSetCookie().length, 1, "re-sealed although unmodified");
  assert.notEqual(jar.header(), oldCookie);

  const onlyNew = start({ SESSION_KEYS: NEW, ORIGIN: o.url });
  await (await get(onlyNew, jar, "/")).text();
  assert.equal(o.received.at(-1).headers["x-session"], "user=alice", "the re-sealed cookie opens with the new key alone");
  await (await get(onlyNew, null, "/", { cookie: oldCookie })).text();
  assert.equal(o.received.at(-1).headers["x-session"], "", "the old cookie does not");
});

test("a huge SessionHeader from the origin is ignored: 200, session intact", async () => {
  let huge = false;
  const o = await startOrigin(() => (huge ? { headers: { "x-replace-session": `k=${"v".repeat(20_000)}` } } : { headers: { "x-replace-session": "user=alice" } }));
  const mf = start({ SESSION_KEYS: KEY, ORIGIN: o.url });
  const jar = new CookieJar();
  await (await get(mf, jar, "/")).text();
  huge = true;
  const res = await get(mf, jar, "/");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-replace-session"), null);
  await res.text();
  huge = false;
  await (await get(mf, jar, "/")).text();
  assert.match(o.received.at(-1).headers["x-session"], /^user=alice/);
});

test("an unreachable origin is a 502, reported as the origin's failure", async () => {
  const o = await startOrigin();
  const url = o.url;
  await o.close();
  const mf = start({ SESSION_KEYS: KEY, ORIGIN: url });
  const res = await get(mf, null, "/");
  assert.equal(res.status, 502);
  assert.match(await res.text(), /origin/);
});

test("a missing or weak key is a clear configuration error, not a silent default", async () => {
  for (const [bindings, pattern] of [
    [{}, /SESSION_KEYS is not set/],
    [{ SESSION_KEYS: "short" }, /SESSION_KEYS: key #0: key too short/],
    [{ SESSION_KEYS: KEY, SESSION_MAX_AGE: "soon" }, /SESSION_MAX_AGE/],
  ]) {
    const { status, body, error } = await configError(bindings);
    assert.equal(status, 500);
    assert.equal(body, CONFIG_ERROR_BODY, "the reason goes to the log, not to every client");
    assert.match(error, pattern);
    assert.ok(!error.includes(KEY) && !body.includes(KEY));
  }
});

test("the demo origin answers only when asked for; ORIGIN's host is decided on the URL as workerd parses it", async () => {
  for (const [bindings, pattern] of [
    // No ORIGIN and no SESSION_DEMO: refused, naming both (an empty ORIGIN served the demo before,
    // whose /login?user=NAME logs anyone in as anyone with the deployment's keys).
    [{ SESSION_KEYS: KEY, SESSION_DEMO: "false" }, /^ORIGIN: not set.*SESSION_DEMO/],
    [{ SESSION_KEYS: KEY, ORIGIN: "" }, /^ORIGIN: not set.*SESSION_DEMO/],
    [{ SESSION_KEYS: KEY, ORIGIN: "https://app.example", SESSION_DEMO: "true" }, /^SESSION_DEMO: /],
    // Not a loopback host: the host is what follows the credentials.
    [{ SESSION_KEYS: KEY, ORIGIN: "http://127.0.0.1:1@app.example" }, /^ORIGIN: must not hold credentials/],
    [{ SESSION_KEYS: KEY, ORIGIN: "http://localhost.app.example" }, /^ORIGIN: must be an https:\/\/ URL/],
    [{ SESSION_KEYS: KEY, ORIGIN: "https://app.example/?a=1" }, /^ORIGIN: must not hold a query/],
  ]) {
    const { status, body, error } = await configError(bindings);
    assert.equal(status, 500);
    assert.equal(body, CONFIG_ERROR_BODY, "the reason goes to the log, not to every client");
    assert.match(error, pattern);
    assert.ok(!error.includes(KEY) && !body.includes(KEY));
  }
});

test("an origin's typed values, flash, remember-me and !clear through the Worker", async () => {
  const cart = encodeURIComponent(JSON.stringify({ items: [1, 2] }));
  const o = await startOrigin((req, url) => {
    const update = {
      "/login": `user=alice&cart.json=${cart}&!maxage=2592000&flash.notice=Welcome`,
      "/logout": "!clear=1&flash.notice=Bye",
    }[url.pathname];
    return update ? { headers: { "x-replace-session": update } } : undefined;
  });
  const mf = start({ SESSION_KEYS: KEY, ORIGIN: o.url, SESSION_MAX_AGE: "600" });
  const jar = new CookieJar();
  let res = await get(mf, jar, "/login");
  const [line] = res.headers.getSetCookie();
  assert.match(line, /; Max-Age=2592000;/, "the session's own max age, not SESSION_MAX_AGE");
  await res.text();
  // The next request shows the flash and the typed value to the origin; its save drops the flash.
  res = await get(mf, jar, "/");
  const seen = new URLSearchParams(o.received.at(-1).headers["x-session"]);
  assert.equal(seen.get("flash.notice"), "Welcome");
  assert.deepEqual(JSON.parse(seen.get("cart.json")), { items: [1, 2] });
  assert.equal(seen.get("!maxage"), "2592000");
  assert.match(res.headers.getSetCookie()[0] ?? "", /; Max-Age=2592000;/, "rewritten without the flash, still remembered");
  await res.text();
  await (await get(mf, jar, "/")).text();
  assert.equal(new URLSearchParams(o.received.at(-1).headers["x-session"]).get("flash.notice"), null, "shown once");
  // !clear ends every entry (and the max age) before the rest of the update.
  await (await get(mf, jar, "/logout")).text();
  await (await get(mf, jar, "/")).text();
  assert.equal(o.received.at(-1).headers["x-session"].replace(/&?expiry=\d+/, ""), "flash.notice=Bye");
});
