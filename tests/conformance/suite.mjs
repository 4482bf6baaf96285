// One conformance suite for every runtime the package runs in (node, workerd, Deno, Bun, Vercel's
// Edge Runtime, Chromium): plain ECMAScript and fetch API only, given the package's exports as the
// runtime resolved them and the URL of a real origin over HTTP (tests/conformance/origin.mjs). It
// returns its checks' results; each runtime's runner prints them, and the test in node asserts them.

/** Runs every check: [{ name, ok, detail }]. */
export async function conformance({ SessionManager, generateKey, verifySessionHeader }, { origin, secret, bound }) {
  const results = [];
  const check = async (name, fn) => {
    try {
      const detail = await fn();
      results.push({ name, ok: true, detail: detail ?? null });
    } catch (e) {
      results.push({ name, ok: false, detail: String(e?.stack ?? e) });
    }
  };
  const eq = (a, b, what) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`${what}: ${JSON.stringify(a)} !== ${JSON.stringify(b)}`);
  };
  const T0 = 1_800_000_000_000;
  const pair = (lines) => lines.filter((l) => !l.includes("Max-Age=0")).map((l) => l.split(";")[0]).join("; ");
  // Browsers never let a page set a request's Cookie header: the cookie-carrying steps are skipped there.
  const cookiesSettable = new Request("http://x/", { headers: { cookie: "a=1" } }).headers.get("cookie") === "a=1";
  // Nor put Set-Cookie on a Response it makes: there `handle`'s cookie is not visible.
  const setCookieVisible = new Response(null, { headers: { "set-cookie": "a=1" } }).headers.get("set-cookie") === "a=1";
  const BROWSER = "a page cannot send Cookie nor see Set-Cookie: the cookie's steps are skipped";

  await check("manager API: values with their types, flash, remember me, a forged cookie", () => {
    const m = new SessionManager({ keys: [generateKey()], maxAge: 600 });
    const s = m.load(null, T0);
    s.set("user", "alice smith");
    s.set("visits", 3);
    s.set("cart", { items: [1, 2], note: "a&b=c" });
    s.set("ok", true);
    s.flash("notice", "Saved");
    s.maxAge = 86400;
    const next = m.load(pair(m.saveAll(s, T0)), T0 + 1000);
    eq(next.status, "loaded", "status");
    eq([next.get("user"), next.get("visits"), next.get("cart"), next.get("ok")], ["alice smith", 3, { items: [1, 2], note: "a&b=c" }, true], "values");
    eq(next.get("notice"), "Saved", "flash");
    eq(next.maxAge, 86400, "maxAge");
    eq(next.toString().startsWith("user=alice+smith&visits.json=3&"), true, "mod_session's string");
    const after = m.load(pair(m.saveAll(next, T0 + 1000)), T0 + 2000);
    eq(after.get("notice"), undefined, "a flash is shown once");
    eq(m.load("session=forged", T0).status, "rejected", "a forged cookie");
    let code;
    try {
      s.set("k", () => 1);
    } catch (e) {
      code = e.code;
    }
    eq(code, "ERR_INVALID_ARG_TYPE", "a function is refused with a code");
  });

  await check("chunks: a 10 KB session across cookies, read back whole", () => {
    const m = new SessionManager({ keys: [generateKey()], maxChunks: 4 });
    const s = m.load(null, T0);
    s.set("big", "x".repeat(10_000));
    const lines = m.saveAll(s, T0);
    eq(lines.length >= 3 && lines[0].startsWith("session.0="), true, `${lines.length} lines`);
    eq(m.load(pair(lines), T0 + 1).get("big")?.length, 10_000, "reassembled");
  });

  await check("sealed tokens", () => {
    const m = new SessionManager({ keys: [generateKey()] });
    const t = m.sealToken({ email: "a@example.com" }, { purpose: "magic-link", ttl: 60 }, T0);
    eq(m.openToken(t, { purpose: "magic-link" }, T0 + 1000), { email: "a@example.com" }, "opened");
    eq(m.openToken(t, { purpose: "invite" }, T0), null, "another purpose");
    eq(m.openToken(t, { purpose: "magic-link" }, T0 + 61_000), null, "expired");
  });

  await check("handle and verifySessionHeader in this runtime: the signature verified", async () => {
    const m = new SessionManager({ keys: [generateKey()], originSecret: secret });
    const verdicts = [];
    const app = async (req) => {
      verdicts.push(await verifySessionHeader(req, secret));
      return new Response("ok", { headers: { "x-replace-session": "user=alice" } });
    };
    const first = await m.handle(new Request("https://app.example/login"), app);
    eq(first.headers.get("x-replace-session"), null, "the SessionHeader is taken off");
    eq(/private/.test(first.headers.get("cache-control") ?? ""), true, "Cache-Control: private");
    eq(verdicts[0].ok, true, "signed for the origin");
    if (!cookiesSettable || !setCookieVisible) return BROWSER;
    const setCookie = first.headers.get("set-cookie") ?? "";
    eq(setCookie.startsWith("session="), true, "a cookie is set");
    await m.handle(new Request("https://app.example/", { headers: { cookie: setCookie.split(";")[0], "x-session": "user=mallory" } }), app);
    eq(verdicts[1].ok && verdicts[1].session.user, "alice", "the origin sees the session, not the client's copy");
    const forged = await verifySessionHeader(new Request("https://app.example/", { headers: { "x-session": "user=admin" } }), secret);
    eq(forged, { ok: false, reason: "missing" }, "a request around the proxy");
  });

  await check("handle against a real origin over HTTP", async () => {
    const m = new SessionManager({ keys: [generateKey()], originSecret: secret, cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" });
    const to = new URL(origin);
    const login = await m.handle(new Request("https://app.example/login?user=alice"), (req) => fetch(req), { origin: to.origin });
    eq(login.status, 200, "status");
    const body = await login.json();
    eq(body.verified, true, "the origin verified the signature");
    if (!cookiesSettable || !setCookieVisible) return BROWSER;
    const setCookie = login.headers.get("set-cookie") ?? "";
    eq(setCookie.startsWith("session="), true, "the origin's login is saved");
    const cookie = setCookie.split(";")[0];
    const again = await m.handle(new Request("https://app.example/whoami", { headers: { cookie } }), (req) => fetch(req), { origin: to.origin });
    const seen = await again.json();
    eq([seen.verified, seen.session.user, seen.path], [true, "alice", "/whoami"], "the next request carries the session");
  });

  await check("device-bound sessions (edge-session/device-bound): a WebCrypto ES256 key registered, the cookie alone refused, a refresh", async () => {
    const m = new bound.SessionManager({ keys: [bound.generateKey()], deviceBound: true });
    const app = (req) => new Response(req.headers.get("x-session") ?? "", new URL(req.url).pathname === "/login" ? { headers: { "x-replace-session": "user=alice" } } : {});
    const send = (path, headers = {}) => m.handle(new Request(`https://app.example${path}`, { method: path === "/me" ? "GET" : "POST", headers }), app);
    const login = await send("/login");
    const offer = login.headers.get("secure-session-registration") ?? "";
    const [, path, challenge] = /^\(ES256\);path="([^"]+)";challenge="([^"]+)"$/.exec(offer) ?? [];
    if (!challenge) throw new Error(`offer: ${offer}`);
    if (!cookiesSettable || !setCookieVisible) return BROWSER;
    // The browser's side, from the draft: a P-256 key, a compact JWS (r || s, as WebCrypto signs).
    const b64 = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    const json = (v) => b64(new TextEncoder().encode(JSON.stringify(v)));
    const key = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", key.publicKey);
    const proof = async (header, jti) => {
      const input = `${json({ alg: "ES256", typ: "dbsc+jwt", ...header })}.${json({ jti })}`;
      const sig = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key.privateKey, new TextEncoder().encode(input));
      return `${input}.${b64(new Uint8Array(sig))}`;
    };
    let jar = pair(login.headers.getSetCookie());
    const reg = await send(path, { cookie: jar, "secure-session-response": await proof({ jwk: { kty, crv, x, y } }, challenge) });
    const body = await reg.json();
    eq([reg.status, body.credentials?.[0]?.name], [200, "session_bound"], "registration");
    jar = reg.headers.getSetCookie().map((l) => l.split(";")[0]).join("; ");
    const me = async (cookie) => (await (await send("/me", { cookie })).text()).replace(/&!issued=\d+$/, "");
    eq(await me(jar), "user=alice&!bound=1", "with the bound cookie");
    eq(await me(jar.split("; ").filter((c) => !c.startsWith("session_bound=")).join("; ")), "", "the session cookie alone");
    const asked = await send(body.refresh_url, { cookie: jar, "sec-secure-session-id": body.session_identifier });
    const next = /^"([^"]+)"/.exec(asked.headers.get("secure-session-challenge") ?? "")?.[1];
    eq(asked.status, 403, "a refresh without a proof");
    const refreshed = await send(body.refresh_url, { cookie: jar, "sec-secure-session-id": body.session_identifier, "secure-session-response": await proof({}, next) });
    eq(refreshed.status, 200, "a refresh with the device's proof");
  });
  return results;
}
