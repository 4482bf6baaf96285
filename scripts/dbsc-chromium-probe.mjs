// Does this machine's Chromium run device-bound sessions (W3C DBSC)? Serves `handle` from the
// edge-session/device-bound entry over HTTPS (a throwaway self-signed certificate from openssl) on a
// hostname with a registrable domain mapped to 127.0.0.1, logs in with Chromium (Playwright, a
// persistent profile: DBSC is off in incognito-like contexts) under each set of feature flags, and
// says whether Chromium called the registration endpoint with a proof, and then refreshed.
//   node scripts/dbsc-chromium-probe.mjs [/path/to/chromium]
// Not part of the test command: with Debian's Chromium 156 no flag set registers (README,
// "Device-bound sessions"); run it again when a newer Chromium arrives.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { SessionManager, generateKey } from "../js/device-bound/node.js";

const executablePath = process.argv[2] ?? "/usr/bin/chromium";
const FLAG_SETS = [
  "DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting",
  "DeviceBoundSessions:RequireOriginTrialTokens/false,EnableBoundSessionCredentialsSoftwareKeysForManualTesting",
  "DeviceBoundSessions:RequireOriginTrialTokens/false/ForceEnableForTesting/true,DeviceBoundSessionsDevTools,PersistDeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting",
];
const dir = mkdtempSync(join(tmpdir(), "dbsc-probe-"));
execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "1", "-subj", "/CN=app.example.com", "-addext", "subjectAltName=DNS:app.example.com"], { stdio: "ignore" });

const manager = new SessionManager({ keys: [generateKey()], deviceBound: true, maxAge: 3600, deviceBoundMaxAge: 10 });
let seen = [];
const origin = async (req) => {
  if (new URL(req.url).pathname === "/login") return new Response("<p>in</p>", { headers: { "content-type": "text/html", "x-replace-session": "user=alice" } });
  return Response.json({ session: req.headers.get("x-session") });
};
const server = createServer({ key: readFileSync(join(dir, "k.pem")), cert: readFileSync(join(dir, "c.pem")) }, async (req, res) => {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const body = ["GET", "HEAD"].includes(req.method) ? undefined : Buffer.concat(chunks);
  const r = await manager.handle(new Request(`https://app.example.com:${port}${req.url}`, { method: req.method, headers, body }), origin);
  seen.push({ method: req.method, path: req.url, status: r.status, proof: Boolean(req.headers["secure-session-response"]) });
  const out = [...r.headers].filter(([k]) => k !== "set-cookie").flat().concat(r.headers.getSetCookie().flatMap((c) => ["set-cookie", c]));
  res.writeHead(r.status, out).end(Buffer.from(await r.arrayBuffer()));
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;
const version = execFileSync(executablePath, ["--version"]).toString().trim();
console.log(`${version}; https://app.example.com:${port} (127.0.0.1, self-signed)`);
let worked = false;
for (const flags of FLAG_SETS) {
  seen = [];
  const profile = mkdtempSync(join(dir, "profile-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath,
    ignoreHTTPSErrors: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--ignore-certificate-errors", "--host-resolver-rules=MAP app.example.com 127.0.0.1", `--enable-features=${flags}`],
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const cdp = await ctx.newCDPSession(page);
  const events = [];
  cdp.on("Network.deviceBoundSessionEventOccurred", (e) => events.push(e));
  await cdp.send("Network.enable");
  await cdp.send("Network.enableDeviceBoundSessions", { enable: true }).catch((e) => events.push({ error: e.message }));
  await page.goto(`https://app.example.com:${port}/login`);
  await new Promise((r) => setTimeout(r, 4000));
  await ctx.clearCookies({ name: "session_bound" });
  await page.goto(`https://app.example.com:${port}/me`);
  await new Promise((r) => setTimeout(r, 2000));
  await ctx.close();
  const registered = seen.some((s) => s.path.endsWith("/register") && s.proof && s.status === 200);
  const refreshed = seen.some((s) => s.path.endsWith("/refresh") && s.proof && s.status === 200);
  worked ||= registered && refreshed;
  console.log(`--enable-features=${flags}\n  registered: ${registered}, refreshed: ${refreshed}, CDP DBSC events: ${events.length}, requests: ${seen.map((s) => `${s.method} ${s.path} ${s.status}`).join(", ")}`);
}
server.close();
rmSync(dir, { recursive: true, force: true });
console.log(worked ? "this Chromium runs DBSC: an end-to-end test can be written against it" : "this Chromium did not run DBSC with any flag set above");
