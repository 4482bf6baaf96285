// edge-session/astro in a built Astro app (examples/astro, @astrojs/node standalone), over HTTP:
// pages and endpoints (the contract of tests/frameworks/apps.mjs).
import { before, after } from "node:test";
import { generateKey } from "edge-session";
import { adapterContract, build, example, serve } from "./apps.mjs";

const KEY = generateKey();
let app;
before(async () => {
  const dir = example("astro");
  const ms = await build(dir, "astro", ["build", "--silent"]);
  console.log(`# astro build (@astrojs/node): ${ms} ms`);
  app = await serve(dir, process.execPath, ["dist/server/entry.mjs"], (port) => ({ PORT: String(port), HOST: "127.0.0.1", SESSION_KEYS: KEY }));
});
after(() => app?.stop());

adapterContract({
  server: () => app,
  key: KEY,
  routes: { login: "/login", visit: "/visit", fail: "/fail", logout: "/logout" },
  post: (fields) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields) }),
});
