// The DevTools extension (www/extension/, built by `npm run build:extension`) in Debian's
// Chromium: the store zip's contents, extracted and loaded unpacked, its panel page driven directly (DevTools panels themselves cannot be
// automated), against a page served by the Worker that sets an HttpOnly session cookie.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../support/chromium.mjs";
import { SessionManager, generateKey } from "edge-session";
import { worker, dropStdout } from "../worker/helpers.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const ZIP = join(ROOT, "build/edge-session-extension.zip");
const KEY = generateKey();
let mf, base, context, profile, EXT;

/** Chromium's id for an unpacked extension: SHA-256 of its path, first 32 hex digits as a-p. */
const extensionId = (path) =>
  [...createHash("sha256").update(path).digest("hex").slice(0, 32)].map((h) => String.fromCharCode(97 + parseInt(h, 16))).join("");

before(async () => {
  execFileSync("npm", ["run", "--silent", "build:extension"], { cwd: ROOT, stdio: "pipe" });
  if (!existsSync(join(ROOT, "build/index.js"))) execFileSync("bash", ["scripts/build-worker.sh"], { cwd: ROOT, stdio: "pipe" });
  mf = worker(
    // Plain http here: no Secure (a __Host- name needs it), HttpOnly kept.
    { SESSION_KEYS: KEY, SESSION_COOKIE_NAME: "session", SESSION_COOKIE_ATTRIBUTES: "Path=/; HttpOnly; SameSite=Lax", SESSION_MAX_AGE: "3600" },
    { host: "127.0.0.1", port: 0, handleRuntimeStdio: dropStdout(() => {}) },
  );
  base = (await mf.ready).origin;
  profile = mkdtempSync(join(tmpdir(), "edge-session-ext-"));
  // What a user or a store gets: the zip, extracted.
  EXT = join(profile, "extension");
  execFileSync("python3", ["-c", "import zipfile,sys;zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", ZIP, EXT]);
  context = await chromium.launchPersistentContext(profile, {
    ...CHROMIUM,
    headless: true,
    args: [`--disable-extensions-except=${EXT}`, `--load-extension=${EXT}`, ...CHROMIUM.args],
  });
});

after(async () => {
  await context?.close();
  await mf?.dispose();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("the extension asks nothing at install, and its pages run under a CSP of default-src 'none'", () => {
  const manifest = JSON.parse(readFileSync(join(EXT, "manifest.json"), "utf8"));
  assert.equal(manifest.host_permissions, undefined, "no host access at install (was <all_urls>)");
  assert.deepEqual(manifest.permissions.sort(), ["cookies", "storage"]);
  assert.deepEqual(manifest.optional_host_permissions, ["http://*/*", "https://*/*"], "asked for at run time, one site at a time");
  const csp = manifest.content_security_policy.extension_pages;
  assert.match(csp, /^default-src 'none'; /);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /connect-src 'none'/);
});

test("the panel asks for the inspected site only, then lists its HttpOnly session cookie, opens it with a typed key, and follows changes", async () => {
  const site = await context.newPage();
  await site.goto(`${base}/login?user=alice`);
  const cookies = await context.cookies(base);
  assert.ok(cookies.some((c) => c.name === "session" && c.httpOnly), "the Worker set an HttpOnly session cookie");

  const panel = await context.newPage();
  const errors = [];
  panel.on("pageerror", (e) => errors.push(e.message));
  await panel.goto(`chrome-extension://${extensionId(EXT)}/panel.html?url=${encodeURIComponent(`${base}/`)}`);
  // No access yet: the panel says which site it would read, and reads nothing.
  await panel.locator("#access").waitFor({ state: "visible", timeout: 15_000 });
  const host = `${new URL(base).protocol}//${new URL(base).hostname}`;
  assert.equal(await panel.locator("#access-origin").innerText(), host);
  assert.equal(await panel.locator(".card").count(), 0, "no cookie read before access is given");
  assert.deepEqual((await panel.evaluate(() => chrome.permissions.getAll())).origins, []);
  // The button asks Chrome for this one site. Chrome's prompt cannot be driven in an automated
  // browser: the user's yes is given where Chrome's own settings give it (chrome://extensions,
  // "Site access: on specific sites", through the API that page uses), and then the panel's request
  // is granted.
  const settings = await context.newPage();
  await settings.goto("chrome://extensions");
  await settings.evaluate(([id, host]) => chrome.developerPrivate.addHostPermission(id, host), [extensionId(EXT), `${host}/*`]);
  await settings.close();
  assert.deepEqual((await panel.evaluate(() => chrome.permissions.getAll())).origins, [], "still nothing until the panel asks");
  await panel.click("#grant");
  await panel.locator("#access").waitFor({ state: "hidden", timeout: 10_000 });
  assert.deepEqual((await panel.evaluate(() => chrome.permissions.getAll())).origins, [`${host}/*`], "that site only");
  const card = panel.locator(".card", { has: panel.locator("h2", { hasText: /^session$/ }) });
  await card.waitFor({ timeout: 15_000 }).catch(() => {});
  assert.equal(await card.count(), 1, `no card for the session cookie; page errors: ${errors.join("; ")}`);
  assert.match(await card.innerText(), /sealed/);
  assert.match(await card.innerText(), /give the key/);
  assert.match(await card.innerText(), /HttpOnly/);
  assert.match(await card.innerText(), /of 4096 bytes/);

  // A key typed in: the entries appear, and the key is kept for this browser session only.
  await panel.fill("#keys", KEY);
  await panel.waitForFunction(() => /alice/.test(document.querySelector(".card")?.innerText ?? ""), null, { timeout: 10_000 });
  assert.match(await card.innerText(), /opened: the cookie is authentic/);
  assert.match(await card.innerText(), /user\s+alice/);
  const stored = await panel.evaluate(() => chrome.storage.session.get("keys"));
  assert.equal(stored.keys, KEY);

  // The page changes its cookie (the counter): the panel follows (chrome.cookies.onChanged).
  await site.goto(`${base}/counter`);
  await panel.waitForFunction(() => /counter\s+1/.test(document.querySelector(".card")?.innerText ?? ""), null, { timeout: 10_000 });
  mkdirSync(join(ROOT, "test-artifacts"), { recursive: true });
  await panel.screenshot({ path: join(ROOT, "test-artifacts/extension-panel.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("every format is recognised: chunked sealed, apache encrypted, apache plain", async () => {
  const vectors = JSON.parse(readFileSync(join(ROOT, "tests/vectors/apache-2.4.71.json"), "utf8")).vectors;
  const plain = vectors.find((v) => v.name === "plain-simple");
  const enc = vectors.find((v) => v.name === "aes256-simple");
  // A sealed session too large for one cookie: the package splits it across NAME.0, NAME.1, ...
  const manager = new SessionManager({ keys: [KEY], cookieName: "big", maxChunks: 4, cookieAttributes: "Path=/; HttpOnly; SameSite=Lax" });
  const s = manager.load(null);
  for (let i = 0; i < 60; i++) s.set(`k${i}`, "v".repeat(80));
  const lines = manager.saveAll(s);
  assert.ok(lines.length >= 2, "chunked");
  const url = `${base}/`;
  await context.addCookies([
    ...lines.map((l) => {
      const [name, value] = l.split(";")[0].split(/=(.*)/s);
      return { name, value, url };
    }),
    { name: plain.cookie_name, value: plain.cookie_value, url },
    { name: enc.cookie_name, value: enc.cookie_value, url },
  ]);
  const panel = await context.newPage();
  await panel.goto(`chrome-extension://${extensionId(EXT)}/panel.html?url=${encodeURIComponent(url)}`);
  const text = async (name) => {
    const card = panel.locator(".card", { has: panel.locator("h2", { hasText: new RegExp(`^${name.replace(".", "\\.")}$`) }) });
    await card.waitFor({ timeout: 15_000 });
    return card.innerText();
  };
  // The key typed in the first test is still there (chrome.storage.session); add the passphrase.
  await panel.fill("#keys", `${KEY}\n${enc.SessionCryptoPassphrase[0]}`);
  await panel.waitForFunction(() => (document.body.innerText.match(/opened: the cookie is authentic/g) ?? []).length >= 3, null, { timeout: 10_000 });
  assert.match(await text("big"), new RegExp(`sealed, chunked in ${lines.length} cookies[\\s\\S]*opened: the cookie is authentic[\\s\\S]*k59`));
  assert.match(await text(enc.cookie_name), /apache \(aes256\)[\s\S]*opened: the cookie is authentic[\s\S]*user/);
  assert.match(await text(plain.cookie_name), /plain[\s\S]*decoded \(not encrypted\)[\s\S]*unencrypted/);
  await panel.close();
});

test("the store zip holds the extension and nothing that reaches the network", () => {
  const list = execFileSync("python3", ["-c", "import zipfile,sys;print('\\n'.join(sorted(zipfile.ZipFile(sys.argv[1]).namelist())))", join(ROOT, "build/edge-session-extension.zip")], { encoding: "utf8" }).trim().split("\n");
  assert.deepEqual(list, [
    "devtools.html", "devtools.js", "icons/icon-128.png", "icons/icon-16.png", "icons/icon-48.png", "manifest.json",
    "panel.css", "panel.html", "panel.js", "vendor/edge_session.js", "vendor/edge_session_wasm.js", "when.js",
  ]);
  const manifest = JSON.parse(execFileSync("python3", ["-c", "import zipfile,sys;print(zipfile.ZipFile(sys.argv[1]).read('manifest.json').decode())", join(ROOT, "build/edge-session-extension.zip")], { encoding: "utf8" }));
  assert.deepEqual(manifest.permissions, ["cookies", "storage"]);
  // What a store listing needs: a name, a description of at most 132 characters, icons of each size.
  assert.ok(manifest.name && manifest.description.length <= 132, manifest.description);
  assert.deepEqual(manifest.icons, { 16: "icons/icon-16.png", 48: "icons/icon-48.png", 128: "icons/icon-128.png" });
  for (const [size, path] of Object.entries(manifest.icons)) {
    const png = readFileSync(join(EXT, path));
    assert.equal(png.subarray(1, 4).toString(), "PNG", path);
    assert.equal(png.readUInt32BE(16), Number(size), `${path}: its width`);
  }
  assert.match(manifest.content_security_policy.extension_pages, /connect-src 'none'/);
});
