// The README's main command in miniature: `wrangler dev` with the repository's wrangler.toml on
// 127.0.0.1 (workerd from npm, no network), driven by a real HTTP client with a cookie jar.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKey } from "edge-session";
import { ROOT, CookieJar } from "./helpers.mjs";

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

let dev, port, dir, output = "";

before(async () => {
  port = await freePort();
  const inspector = await freePort();
  dir = mkdtempSync(join(tmpdir(), "edge-session-dev-"));
  const key = generateKey();
  const envFile = join(dir, "test.env");
  writeFileSync(envFile, `SESSION_KEYS="${key}"\nSESSION_COOKIE_ATTRIBUTES="Path=/; HttpOnly; SameSite=Lax"\n`);
  dev = spawn(
    "npx",
    ["--no-install", "wrangler", "dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspector),
      "--show-interactive-dev-session=false", "--env-file", envFile, "--var", `SESSION_KEYS:${key}`, "--log-level", "warn"],
    {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  dev.stdout.on("data", (d) => (output += d));
  dev.stderr.on("data", (d) => (output += d));
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.text();
      break;
    } catch {
      if (Date.now() > deadline || dev.exitCode !== null) throw new Error(`wrangler dev did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
});

after(() => {
  if (dev && dev.exitCode === null) process.kill(-dev.pid, "SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function get(jar, path) {
  const cookie = jar.header();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  jar.store(res);
  return res;
}

test("wrangler dev serves the demo: login, greeting, counter, logout through a cookie jar", async () => {
  const jar = new CookieJar();
  let res = await get(jar, "/login?user=alice");
  assert.equal(res.status, 200, output);
  assert.equal(res.headers.get("x-replace-session"), null);
  assert.match(res.headers.getSetCookie()[0], /^session=[A-Za-z0-9_-]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/);
  await res.text();
  res = await get(jar, "/");
  assert.match(await res.text(), /Hello, alice\./);
  for (let i = 1; i <= 20; i++) {
    res = await get(jar, "/counter");
    assert.equal((await res.text()).trim(), String(i));
  }
  res = await get(jar, "/logout");
  await res.text();
  res = await get(jar, "/");
  assert.match(await res.text(), /Hello, stranger/);
});
