// The npm package's browser entries (js/browser.js, js/full/browser.js: ESM, top-level-await init
// from a URL) in headless Chromium, served from 127.0.0.1 by a small static server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { chromium } from "playwright-core";
import { CHROMIUM } from "../support/chromium.mjs";

const ROOT = new URL("../../", import.meta.url);
const TYPES = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
let server, browser, base;

before(async () => {
  server = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!doctype html><title>package</title>");
    }
    if (!/^\/(js|pkg)\/(full\/)?[\w.-]+$/.test(path) || path.includes("..")) return res.writeHead(404).end();
    try {
      const body = await readFile(new URL(`.${path}`, ROOT));
      res.writeHead(200, { "content-type": TYPES[path.slice(path.lastIndexOf("."))] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch(CHROMIUM);
});

after(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

test("import from js/browser.js, seal and open a session, inspect it (js/full/browser.js), handle a Request", async () => {
  const page = await browser.newPage();
  await page.goto(base);
  const result = await page.evaluate(async () => {
    const { SessionManager, generateKey } = await import("/js/browser.js");
    const { inspect, SessionManager: FullManager } = await import("/js/full/browser.js");
    const key = generateKey();
    const m = new SessionManager({ keys: [key], maxAge: 60 });
    const s = m.load(null);
    s.set("user", "alice");
    const setCookie = m.save(s);
    const again = m.load(setCookie.split(";")[0]);
    const res = await m.handle(new Request(`${location.origin}/app`), () => new Response("ok", { headers: { "x-replace-session": "n=1" } }));
    return {
      entries: again.entries(),
      format: inspect(setCookie, { keys: [key] }).format,
      apache: new FullManager({ format: "apache", keys: ["a passphrase of more than thirty-two characters"] }).cookieName,
      handled: res.headers.get("x-replace-session") === null && (await res.text()) === "ok",
    };
  });
  assert.deepEqual(result, { entries: [["user", "alice"]], format: "sealed", apache: "session", handled: true });
});
