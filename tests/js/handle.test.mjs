// `manager.handle(request, next)` in node's fetch API: the front-proxy flow for JS apps.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SessionManager, generateKey } from "edge-session";

const manager = new SessionManager({ keys: [generateKey()], maxAge: 600, exclude: ["/static"], cookieRemove: true, expiryUpdateInterval: 0 });
const cookieOf = (res) => res.headers.getSetCookie().find((c) => c.startsWith("session="))?.split(";")[0];

test("an origin logs in through X-Replace-Session; the next request carries the session", async () => {
  let seen;
  const originApp = (req) => {
    seen = req;
    return new Response("ok", { headers: { "x-replace-session": "user=alice", "set-cookie": "origin=1" } });
  };
  const res = await manager.handle(new Request("http://x/login", { headers: { "x-session": "user=mallory" } }), originApp);
  assert.equal(seen.headers.get("x-session"), "expiry=" + seen.headers.get("x-session").slice(7), "the client's copy is replaced");
  assert.doesNotMatch(seen.headers.get("x-session"), /mallory/);
  assert.equal(res.headers.get("x-replace-session"), null);
  assert.deepEqual(res.headers.getSetCookie().map((c) => c.split("=")[0]).sort(), ["origin", "session"]);
  assert.equal(res.headers.get("cache-control"), "private, no-store");
  assert.equal(res.headers.get("vary"), "Cookie");
  assert.equal(await res.text(), "ok");

  const res2 = await manager.handle(new Request("http://x/", { headers: { cookie: `a=1; ${cookieOf(res)}` } }), (req) => {
    seen = req;
    return new Response("hi");
  });
  assert.match(seen.headers.get("x-session"), /^user=alice&expiry=\d+$/);
  assert.equal(seen.headers.get("cookie"), "a=1", "cookieRemove: only the session cookie is stripped");
  assert.ok(cookieOf(res2), "max age slides: re-sent");
});

test("an app may use the session object directly", async () => {
  const res = await manager.handle(new Request("http://x/app"), (_req, session) => {
    session.set("cart", "3 items");
    return new Response("added");
  });
  let cart;
  await manager.handle(new Request("http://x/app", { headers: { cookie: cookieOf(res) } }), (_req, session) => {
    cart = session.get("cart");
    return new Response("");
  });
  assert.equal(cart, "3 items");
});

test("outside include/exclude the request passes through, minus every spelling of X-Session, and the SessionHeader never reaches the client", async () => {
  let seen, gotSession = "unset";
  const headers = { "x-session": "user=mallory", x_session: "user=mallory", X_SESSION: "user=admin" };
  const res = await manager.handle(new Request("http://x/static/a.css", { headers }), (req, s) => {
    seen = req;
    gotSession = s;
    return new Response("css", { headers: { "x-replace-session": "user=eve", x_replace_session: "user=eve" } });
  });
  assert.deepEqual([...seen.headers.keys()].filter((n) => /session/i.test(n)), []);
  assert.equal(gotSession, undefined);
  assert.equal(res.headers.get("x-replace-session"), null, "removed on every path (it was passed on before)");
  assert.equal(res.headers.get("x_replace_session"), null);
  assert.deepEqual(res.headers.getSetCookie(), []);
  assert.equal(await res.text(), "css");
});

test("the origin never gets X_Session from the client where sessions apply either", async () => {
  let seen;
  await manager.handle(new Request("http://x/", { headers: { x_session: "user=admin" } }), (req) => {
    seen = req;
    return new Response("ok");
  });
  assert.equal(seen.headers.get("x_session"), null);
  assert.doesNotMatch(seen.headers.get("x-session"), /user=admin/, "only the proxy sets the session");
});

test("handle never throws and never passes off a broken origin answer as a 200", async () => {
  const quiet = console.error;
  console.error = () => {};
  try {
    for (const path of ["/", "/static/a.css"]) {
      for (const next of [() => undefined, () => ({}), () => "text", async () => null, () => { throw new Error("down"); }, () => Promise.reject(new Error("down"))]) {
        const res = await manager.handle(new Request(`http://x${path}`), next);
        assert.equal(res.status, 502, `${path} ${next}`);
        assert.match(await res.text(), /Bad Gateway/);
      }
    }
  } finally {
    console.error = quiet;
  }
});

test("request bodies are streamed to next; a throwing next is a 502", async () => {
  const echoed = await manager.handle(new Request("http://x/post", { method: "POST", body: "payload" }), async (req) => new Response(await req.text()));
  assert.equal(await echoed.text(), "payload");
  const failed = await manager.handle(new Request("http://x/"), () => {
    throw new Error("connection refused");
  });
  assert.equal(failed.status, 502);
});

test("a bad cookie is an empty session, and the stale cookie is removed", async () => {
  let env;
  const res = await manager.handle(new Request("http://x/", { headers: { cookie: "session=garbage" } }), (req) => {
    env = req.headers.get("x-session");
    return new Response("");
  });
  assert.equal(res.status, 200);
  assert.match(env, /^expiry=\d+$/);
  assert.match(res.headers.getSetCookie()[0], /^session=; Max-Age=0/);
});

test("an origin's redirect goes back to the client as it is: never followed, and a logout by redirect logs out", async () => {
  const { createServer } = await import("node:http");
  const hits = [];
  const origin = createServer((req, res) => {
    hits.push({ url: req.url, session: req.headers["x-session"] ?? null });
    if (req.url === "/logout") {
      res.writeHead(303, { location: "/goodbye", "x-replace-session": "user=" });
      return res.end();
    }
    if (req.url.startsWith("/login")) {
      res.writeHead(302, { location: "/home", "x-replace-session": "user=alice" });
      return res.end();
    }
    res.end(`page ${req.url}`);
  });
  await new Promise((resolve) => origin.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${origin.address().port}`;
  try {
    const m = new SessionManager({ keys: [generateKey()], maxAge: 600 });
    const login = await m.handle(new Request("https://app.example/login?user=alice"), (req) => fetch(req), { origin: base });
    assert.equal(login.status, 302, "the redirect itself, not the page it points to");
    assert.equal(login.headers.get("location"), "/home");
    const cookie = cookieOf(login);
    assert.ok(cookie, "the login's session is saved on the redirect");
    const logout = await m.handle(new Request("https://app.example/logout", { headers: { cookie } }), (req) => fetch(req), { origin: base });
    assert.equal(logout.status, 303);
    assert.match(logout.headers.getSetCookie().join("\n"), /^session=;.*Max-Age=0/m, "logged out");
    // The README's own pattern, a new Request built from the one handle gives: still not followed.
    const again = await m.handle(new Request("https://app.example/login?user=alice"), (req) => {
      const url = new URL(req.url);
      return fetch(new Request(base + url.pathname + url.search, req));
    });
    assert.equal(again.status, 302);
    assert.deepEqual(hits.map((h) => h.url), ["/login?user=alice", "/logout", "/login?user=alice"], "no request to /home or /goodbye");
  } finally {
    origin.close();
  }
});
