// For the framework tests: an example app of examples/ linked to this package (as `npm i
// edge-session` would install it), built with its framework's own build, served on 127.0.0.1 and
// driven over HTTP with a cookie jar.
import { execFile } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePorts } from "../support/net.mjs";

export const ROOT = new URL("../../", import.meta.url).pathname;

/** The example's directory, with node_modules/edge-session linked to this repository. */
export function example(name) {
  const dir = join(ROOT, "examples", name);
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  rmSync(join(dir, "node_modules/edge-session"), { force: true });
  symlinkSync("../../..", join(dir, "node_modules/edge-session"));
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
