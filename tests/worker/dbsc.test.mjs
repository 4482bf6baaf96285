// Device-bound sessions (W3C DBSC) in the Worker built with its `dbsc` feature (build-dbsc/, in real
// workerd through Miniflare), driven by the protocol client written from the draft; the default
// Worker refuses SESSION_DEVICE_BOUND with the build to use.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { generateKey } from "edge-session";
import { ROOT, configError, origin, worker } from "./helpers.mjs";
import { dbscSuite, originAnswer } from "../support/dbsc-suite.mjs";
import { Device, deviceKey } from "../support/dbsc-client.mjs";

const MAX_AGE = 10; // the least SESSION_DEVICE_BOUND_MAX_AGE takes: the expiry step waits it out
const open = [];
after(async () => Promise.all(open.map((x) => x.dispose?.() ?? x.close())));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start(vars = {}, options = {}) {
  const o = await origin((req, url) => {
    const a = originAnswer(req.method, url.pathname, req.headers["x-session"]);
    return { status: a.status, headers: a.headers, body: a.body };
  });
  const mf = worker(
    {
      SESSION_KEYS: generateKey(),
      ORIGIN: o.url,
      SESSION_ALLOW_HTTP_ORIGIN: "true",
      SESSION_COOKIE_NAME: "session",
      SESSION_MAX_AGE: "3600",
      SESSION_DEVICE_BOUND: "true",
      SESSION_DEVICE_BOUND_MAX_AGE: String(MAX_AGE),
      ...vars,
    },
    { scriptPath: new URL("build-dbsc/index.js", ROOT).pathname, ...options },
  );
  open.push(mf, o);
  const send = (method, path, headers) => mf.dispatchFetch(`http://127.0.0.1${path}`, { method, headers, redirect: "manual" });
  return { mf, send, clock: () => Date.now() / 1000, close: async () => {} };
}

test("the DBSC protocol against the Worker in workerd", async (t) => {
  await dbscSuite(t, { start: () => start(), maxAge: MAX_AGE, canAdvance: false, expireBound: (s) => sleep(s * 1000) });
});

test("revocation (a user's not-before) ends a bound session: the refresh says continue: false", async () => {
  const face = await start({ SESSION_REVOCATION_KV: "REVOCATIONS", SESSION_REVOCATION_CACHE: "1" }, { kvNamespaces: ["REVOCATIONS"] });
  const d = new Device(face.send, await deviceKey(), face.clock);
  await d.fetch("POST", "/login");
  assert.ok(d.session);
  const kv = await face.mf.getKVNamespace("REVOCATIONS");
  await sleep(5);
  await kv.put("revoke:user:alice", String(Date.now()));
  await sleep(1100);
  const res = await d.refresh();
  assert.equal(res.status, 200);
  assert.equal((await res.json()).continue, false);
});

test("the default Worker refuses SESSION_DEVICE_BOUND and says which build has it; a store is refused too", async () => {
  const { status, error } = await configError({ SESSION_KEYS: generateKey(), SESSION_DEVICE_BOUND: "true" });
  assert.equal(status, 500);
  assert.match(error, /^SESSION_DEVICE_BOUND: device-bound sessions are in the Worker.s "dbsc" build/);
  const store = await configError(
    { SESSION_KEYS: generateKey(), SESSION_DEVICE_BOUND: "true", SESSION_STORE: "kv", SESSION_STORE_BINDING: "S", SESSION_MAX_AGE: "60" },
    { scriptPath: new URL("build-dbsc/index.js", ROOT).pathname, kvNamespaces: ["S"] },
  );
  assert.match(store.error, /^SESSION_DEVICE_BOUND: needs the sealed format and cookie sessions/);
});

test("an admin token does not hide the DBSC endpoints under /__edge-session/", async () => {
  const face = await start({ SESSION_ADMIN_TOKEN: "a".repeat(40) });
  const res = await face.send("POST", "/__edge-session/dbsc/refresh", {});
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { session_identifier: "", continue: false });
});

test("soft binding: another network (request.cf's ASN and country) or browser is reported to the origin, never a logout", async () => {
  const face = await start({ SESSION_DEVICE_BOUND: "false", SESSION_CLIENT_BINDING: "report" });
  const UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/146.0 Safari/537.36";
  const visit = async (path, cookie, cf, ua = UA) => {
    const res = await face.mf.dispatchFetch(`http://127.0.0.1${path}`, { method: path === "/login" ? "POST" : "GET", headers: { "user-agent": ua, ...(cookie ? { cookie } : {}) }, cf });
    const body = await res.json();
    return { session: body.session?.replace(/(^|&)expiry=\d+/, ""), cookie: res.headers.getSetCookie()[0]?.split(";")[0] };
  };
  const { cookie } = await visit("/login", null, { asn: 13335, country: "FR" });
  assert.ok(cookie);
  assert.equal((await visit("/me", cookie, { asn: 13335, country: "FR" })).session, "user=alice");
  assert.equal((await visit("/me", cookie, { asn: 64500, country: "DE" })).session, "user=alice&!client=changed");
  assert.equal((await visit("/me", cookie, { asn: 13335, country: "FR" }, "Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/140.0")).session, "user=alice&!client=changed");
});
