// Load without loss, one request after another: a counter kept in the session over 10 000
// requests through the Rust Worker served by workerd ends exactly at 10 000 (no lost or repeated
// write).
// Its own file, so that the test runner runs it beside load.test.mjs in another process (whose
// workerd memory measurement counts only its own workerd).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Agent, get } from "node:http";
import { generateKey } from "edge-session";
import { serveWorker } from "../support/workerd.mjs";

const SEQUENTIAL = Number(process.env.LOAD_SEQUENTIAL ?? 10_000);
let w;
after(() => w?.stop());

test(`a sequential counter over ${SEQUENTIAL} requests ends exact`, { timeout: 900_000 }, async () => {
  w = await serveWorker({ SESSION_KEYS: generateKey(), SESSION_DEMO: "true", SESSION_MAX_AGE: "3600" });
  const { base } = w;
  // node:http over one kept-alive connection rather than fetch: the same requests for half of this
  // process's CPU (measured: 2.3 s instead of 4.9 s for the 10 000), which the load test beside it
  // and workerd share.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const counter = (cookie) =>
    new Promise((resolve, reject) => {
      const req = get(`${base}/counter`, { agent, headers: cookie ? { cookie } : {} }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, body, setCookie: res.headers["set-cookie"] ?? [] }));
        res.on("error", reject);
      });
      req.on("error", reject);
    });
  let cookie = "";
  let last = "";
  for (let i = 1; i <= SEQUENTIAL; i++) {
    const res = await counter(cookie);
    assert.equal(res.status, 200);
    last = res.body.trim();
    const set = res.setCookie[0];
    assert.ok(set, `request ${i} re-sealed the session`);
    cookie = set.split(";")[0];
    if (last !== String(i)) assert.fail(`request ${i} counted ${last}`);
  }
  assert.equal(last, String(SEQUENTIAL));
  agent.destroy();
  const log = w.log();
  assert.doesNotMatch(log, /internal-error|panicked|Uncaught/, log.slice(0, 2000));
});
