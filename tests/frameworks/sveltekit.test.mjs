// edge-session/sveltekit in a built SvelteKit app (examples/sveltekit, adapter-node), over HTTP:
// form actions, load functions and an endpoint (the contract of tests/frameworks/apps.mjs).
import { before, after } from "node:test";
import { generateKey } from "edge-session";
import { adapterContract, build, example, serve } from "./apps.mjs";

const KEY = generateKey();
let app;
before(async () => {
  const dir = example("sveltekit");
  const ms = await build(dir, "vite", ["build", "--logLevel", "warn"]);
  console.log(`# vite build (SvelteKit, adapter-node): ${ms} ms`);
  app = await serve(dir, process.execPath, ["build"], (port) => ({ PORT: String(port), HOST: "127.0.0.1", ORIGIN: `http://127.0.0.1:${port}`, SESSION_KEYS: KEY }));
});
after(() => app?.stop());

adapterContract({
  server: () => app,
  key: KEY,
  routes: { login: "/?/login", visit: "/?/visit", fail: "/?/fail", logout: "/?/logout" },
  // A form action as a browser posts it (SvelteKit checks the origin of form posts).
  post: (fields) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "text/html", origin: app.base }, body: new URLSearchParams(fields) }),
});
