// The inspector (www/index.html) in headless Chromium (Debian's, driven by playwright-core),
// opened from disk: it decrypts locally, flags tampering and risky attributes, builds cookies,
// and makes no network request. A screenshot is kept in test-artifacts/ (not committed).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../support/chromium.mjs";
import { SessionManager, generateKey, inspect } from "edge-session/full";

const ROOT = new URL("../../", import.meta.url);
const PAGE = new URL("www/index.html", ROOT).href;
const KEY = generateKey();
let browser, page;
const requests = [];
const errors = [];

before(async () => {
  browser = await chromium.launch(CHROMIUM);
  page = await browser.newPage();
  page.on("request", (r) => requests.push(r.url()));
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(PAGE);
  await page.waitForFunction(() => typeof wasm_bindgen?.inspect === "function");
});

after(async () => {
  await browser?.close();
});

function sealed(entries) {
  const m = new SessionManager({ keys: [KEY], maxAge: 3600 });
  const s = m.load(null);
  for (const [k, v] of entries) s.set(k, v);
  return m.save(s);
}

async function inspectInPage(cookie, keys = "") {
  await page.fill("#cookie", cookie);
  await page.fill("#keys", keys);
  await page.click("#inspect-form button[type=submit]");
  await page.waitForSelector("#result:not([hidden])");
}

test("a sealed cookie and its key: the entries table shows the right rows", async () => {
  const entries = [["user", "alice"], ["role", "admin & <script>"], ["cart", "3 items ☃"]];
  await inspectInPage(sealed(entries), KEY);
  assert.equal(await page.textContent("#status"), "opened: the cookie is authentic");
  assert.equal(await page.getAttribute("#status", "data-code"), "opened");
  assert.equal(await page.textContent("#format"), "sealed");
  const rows = await page.$$eval("#entries tbody tr", (trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
  assert.deepEqual(rows, entries);
  assert.match(await page.textContent("#expiry"), /in (60 min|1 h)/);
  assert.match(await page.textContent("#bytes"), /of 4096 bytes/);
  mkdirSync(new URL("test-artifacts/", ROOT), { recursive: true });
  await page.screenshot({ path: new URL("test-artifacts/inspector.png", ROOT).pathname, fullPage: true });
});

test("a tampered cookie: a clear 'cannot be opened' state", async () => {
  const line = sealed([["user", "alice"]]);
  const value = line.split(";")[0].slice("session=".length);
  const i = value.length - 5;
  const tampered = `session=${value.slice(0, i)}${value[i] === "A" ? "B" : "A"}${value.slice(i + 1)}`;
  await inspectInPage(tampered, KEY);
  assert.match(await page.textContent("#status"), /cannot be opened/);
  assert.equal(await page.getAttribute("#status", "data-code"), "cannot-open");
  assert.equal(await page.isHidden("#entries"), true);
  // The reason is the status, not repeated among the warnings.
  assert.deepEqual(await page.$$eval("#warnings li", (lis) => lis.map((li) => li.dataset.code)), []);
});

test("a Set-Cookie without HttpOnly: the warning", async () => {
  await inspectInPage(sealed([["user", "alice"]]).replace("; HttpOnly", ""), KEY);
  // Opened after the tampered cookie above: no reason left over from it.
  assert.equal(await page.getAttribute("#status", "data-code"), "opened");
  const codes = await page.$$eval("#warnings li", (lis) => lis.map((li) => li.dataset.code));
  assert.deepEqual(codes, ["missing-httponly"]);
  assert.match(await page.textContent("#warnings"), /HttpOnly/);
});

test("build a cookie with a typed key: it opens with that key outside the page", async () => {
  await page.fill("#build-key", KEY);
  await page.fill("#rows .row .k", "user");
  await page.fill("#rows .row .v", "bob");
  await page.click("#add-row");
  await page.fill("#rows .row:nth-of-type(2) .k", "role");
  await page.fill("#rows .row:nth-of-type(2) .v", "editor");
  await page.click("#build-form button[type=submit]");
  const built = await page.inputValue("#built");
  assert.match(built, /^session=[A-Za-z0-9_-]+; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
  const i = inspect(built, { keys: [KEY] });
  assert.deepEqual(i.entries, [["user", "bob"], ["role", "editor"]]);
  await page.fill("#build-key", "short");
  await page.click("#build-form button[type=submit]");
  assert.match(await page.textContent("#build-error"), /ERR_WEAK_KEY/);
});

test("nothing left the page: no request but the page's own files, no errors", () => {
  const foreign = requests.filter((u) => !u.startsWith("file://"));
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
});
