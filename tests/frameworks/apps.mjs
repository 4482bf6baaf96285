// For the framework tests: an example app of examples/ linked to this package (as `npm i
// edge-session` would install it), built with its framework's own build, served on 127.0.0.1 and
// driven over HTTP with a cookie jar.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { SessionManager } from "edge-session";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { spawn } from "node:child_process";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { freePorts } from "../support/net.mjs";

export const ROOT = new URL("../../", import.meta.url).pathname;

/** The example's directory (`examples/NAME`, or a path under this repository), with node_modules/edge-session linked to this repository. */
export function example(name) {
  const dir = name.includes("/") ? join(ROOT, name) : join(ROOT, "examples", name);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  rmSync(join(dir, "node_modules/edge-session"), { force: true });
  symlinkSync(relative(join(dir, "node_modules"), ROOT), join(dir, "node_modules/edge-session"));
  return dir;
}

/** Runs a build command in `dir` (its framework's binary from this repository's node_modules). */
export async function build(dir, bin, args, env = {}) {
  const started = Date.now();
  await promisify(execFile)(join(ROOT, "node_modules/.bin", bin), args, {
    cwd: dir,
    env: { ...process.env, NODE_ENV: "production", ...env },
    maxBuffer: 64 << 20,
    timeout: 300_000,
  });
  return Date.now() - started;
}

/** Starts a server (`cmd args` in `dir`, its port in `env(port)`) and waits until `path` answers. */
export async function serve(dir, cmd, args, env) {
  const [port] = await freePorts(1);
  let output = "";
  const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env(port) }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await fetch(base, { redirect: "manual" });
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    base,
    output: () => output,
    stop: () => {
      if (child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    },
  };
}

/** A client with a cookie jar: `(path, init) => Response`, redirects not followed. */
export function client(base) {
  const jar = new Map();
  return async (path, init = {}) => {
    const cookie = [...jar].map(([n, v]) => `${n}=${v}`).join("; ");
    const res = await fetch(base + path, { ...init, redirect: "manual", headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) } });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(";")[0];
      const at = pair.indexOf("=");
      if (/Max-Age=0/.test(line)) jar.delete(pair.slice(0, at));
      else jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return res;
  };
}

/**
 * The tests an adapter with a page (ids `notice` and `user`), an endpoint `/api/whoami` (GET: the
 * user and visits; POST: answers X-Replace-Session role=admin) and form routes must pass, for
 * `server()` (the running app) and its session key. `routes` names each route and how a form is
 * posted to it: `post(path, fields)` → the init for `get`.
 */
export function adapterContract({ server, key, routes, post }) {
  const { login, visit, fail, logout } = routes;
  test("a form logs in (remember me, regenerate, a flash) and pages read the session", async () => {
    const app = server();
    const get = client(app.base);
    const res = await get(login, post({ user: "alice", remember: "on" }));
    assert.equal(res.status, 303, app.output());
    const [line] = res.headers.getSetCookie();
    assert.match(line, /^session=[A-Za-z0-9_-]+; Max-Age=2592000; Path=\/; HttpOnly; SameSite=Lax$/);
    assert.equal(res.headers.get("cache-control"), "private, no-store");
    assert.match(res.headers.get("vary") ?? "", /Cookie/);
    const page = await (await get("/")).text();
    assert.match(page, /<p id="notice">Welcome, alice<\/p>/);
    assert.match(page, /<p id="user">alice<\/p>/);
    assert.doesNotMatch(await (await get("/")).text(), /id="notice"/, "the flash shows once");
    await get(visit, post({}));
    await get(visit, post({}));
    assert.deepEqual(await (await get("/api/whoami")).json(), { user: "alice", visits: 2 });
  });

  test("a handler that fails (a 500) saves nothing", async () => {
    const get = client(server().base);
    await get(login, post({ user: "alice" }));
    const failed = await get(fail, post({}));
    assert.equal(failed.status, 500);
    assert.deepEqual(failed.headers.getSetCookie(), []);
    assert.equal((await (await get("/api/whoami")).json()).user, "alice");
  });

  test("an endpoint's X-Replace-Session is merged and removed; a client's X-Session is not the session", async () => {
    const app = server();
    const get = client(app.base);
    await get(login, post({ user: "bob" }));
    const res = await get("/api/whoami", { method: "POST", headers: { origin: app.base } });
    assert.equal(res.headers.get("x-replace-session"), null);
    const cookie = res.headers.getSetCookie()[0].split(";")[0];
    const s = new SessionManager({ keys: [key] }).load(cookie);
    assert.deepEqual([s.get("user"), s.get("role")], ["bob", "admin"]);
    const forged = await fetch(`${app.base}/api/whoami`, { headers: { "x-session": "user=admin" } });
    assert.equal((await forged.json()).user, null);
  });

  test("a logout removes the cookie", async () => {
    const get = client(server().base);
    await get(login, post({ user: "carol" }));
    const out = await get(logout, post({}));
    assert.match(out.headers.getSetCookie()[0], /^session=; Max-Age=0;/);
    assert.equal((await (await get("/api/whoami")).json()).user, null);
  });
}
