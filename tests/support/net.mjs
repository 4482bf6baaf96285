// Test support: free TCP ports on 127.0.0.1, and waiting for a server to answer on one.
//
// The ports come from below the kernel's ephemeral range (ip_local_port_range), chosen at random
// and checked by binding them: an ephemeral port handed out by `listen(0)` can be taken by any
// outgoing connection (autocannon's, wrk's, fetch's) in the moment between this check and the
// server's own bind, which the test lanes running side by side made happen.
import { createServer } from "node:net";
import { readFileSync } from "node:fs";

/** The first port of the kernel's ephemeral range (Linux), or the IANA one elsewhere. */
function ephemeralLow() {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 11_000) return low;
  } catch {}
  return 49_152;
}

const LOW = 10_000;
const HIGH = ephemeralLow(); // exclusive

/** Binds `port` on 127.0.0.1, or resolves to null when it is taken. */
function hold(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(null));
    s.listen(port, "127.0.0.1", () => resolve(s));
  });
}

/** `n` distinct free ports on 127.0.0.1 (all held open until every one is known). */
export async function freePorts(n) {
  const held = [];
  for (let tries = 0; held.length < n; tries++) {
    if (tries > 1000) throw new Error(`no ${n} free ports between ${LOW} and ${HIGH}`);
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (held.some((s) => s.address().port === port)) continue;
    const s = await hold(port);
    if (s) held.push(s);
  }
  const ports = held.map((s) => s.address().port);
  await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/**
 * Polls `url` every 250 ms until `ok(response)` holds; throws with `output()` when `proc` (if any)
 * exits first or two minutes pass.
 */
export async function waitFor(url, ok, what, proc, output) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const res = await fetch(url);
      if (await ok(res)) return;
    } catch {}
    if (Date.now() > deadline || (proc && proc.exitCode !== null)) throw new Error(`${what} did not start:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
