// Origin authentication end to end: the Rust Worker in workerd with SESSION_ORIGIN_SECRET, in
// front of a Python origin that runs docs/SECURITY.md's own `verify_session_header` (extracted from
// docs/SECURITY.md, so the documented lines are the tested ones). The origin trusts what the Worker
// forwards, and refuses a client that reaches it directly with its own X-Session, a signature
// replayed past the tolerance, or one re-targeted to another path.
import { request } from "node:http";
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKey } from "edge-session";
import { worker, CookieJar, get, ROOT } from "./helpers.mjs";

const SECRET = "the origin secret, at least 32 characters long";
let dir, py, originUrl, mf;

/** docs/SECURITY.md's Python verifier, and a small origin around it. */
function originScript() {
  const doc = readFileSync(new URL("docs/SECURITY.md", ROOT), "utf8");
  const m = /<!-- verify-python -->\s*```python\n([\s\S]*?)```/.exec(doc);
  assert.ok(m, "docs/SECURITY.md holds the Python verifier");
  return `${m[1]}
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SECRET = sys.argv[1]

class Origin(BaseHTTPRequestHandler):
    def do_GET(self):
        session = verify_session_header(self.command, self.path, self.headers, SECRET)
        body = json.dumps({"verified": session is not None, "session": session}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        user = parse_qs(urlsplit(self.path).query).get("user")
        if urlsplit(self.path).path == "/login" and user and session is not None:
            self.send_header("x-replace-session", "user=" + user[0])
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = ThreadingHTTPServer(("127.0.0.1", 0), Origin)
print(server.server_address[1], flush=True)
server.serve_forever()
`;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "edge-session-py-"));
  writeFileSync(join(dir, "origin.py"), originScript());
  py = spawn("python3", [join(dir, "origin.py"), SECRET], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise((resolve, reject) => {
    py.stdout.once("data", (d) => resolve(String(d).trim()));
    py.once("exit", (code) => reject(new Error(`the Python origin exited: ${code}`)));
  });
  originUrl = `http://127.0.0.1:${port}`;
  mf = worker({ SESSION_KEYS: generateKey(), ORIGIN: originUrl, SESSION_ORIGIN_SECRET: SECRET, SESSION_MAX_AGE: "3600" });
});

after(async () => {
  await mf?.dispose();
  py?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the Python origin verifies what the Worker forwards, session or not", async () => {
  const jar = new CookieJar();
  // A new session is empty but for its expiry (SESSION_MAX_AGE).
  const anonymous = await (await get(mf, jar, "/page?x=1%202", { "x-session-signature": "t=1,v1=forged" })).json();
  assert.equal(anonymous.verified, true, "the client's copy replaced by the Worker's signature");
  assert.match(anonymous.session, /^expiry=\d+$/);
  const login = await (await get(mf, jar, "/login?user=alice")).json();
  assert.equal(login.verified, true);
  const page = await (await get(mf, jar, "/account?tab=2")).json();
  assert.equal(page.verified, true);
  assert.match(page.session, /^user=alice(&expiry=\d+)?$/);
});

test("a client at the origin directly: no signature, forged, re-targeted, replayed: all refused", async () => {
  // Learn a real signature: ask the origin to echo what the Worker sent.
  const real = await new Promise((resolve) => {
    const echo = worker(
      { SESSION_KEYS: generateKey(), ORIGIN: originUrl, SESSION_ORIGIN_SECRET: SECRET },
      { outboundService: (req) => resolve(Object.fromEntries(req.headers)) ?? new Response("x") },
    );
    echo.dispatchFetch("http://127.0.0.1/account?tab=2").catch(() => {}).finally(() => echo.dispose());
  });
  const sig = real["x-session-signature"];
  assert.match(sig, /^t=\d+,v2=/);
  const direct = async (path, headers) => (await fetch(`${originUrl}${path}`, { headers })).json();
  const refused = { verified: false, session: null };
  assert.deepEqual(await direct("/account", { "x-session": "user=admin" }), refused, "no signature");
  assert.deepEqual(await direct("/account?tab=2", { "x-session": "user=admin", "x-session-signature": sig }), refused, "forged session");
  assert.deepEqual(await direct("/admin", { "x-session-signature": sig }), refused, "re-targeted");
  assert.deepEqual(await direct("/account?tab=2", { "x-session-signature": sig }), { verified: true, session: "" }, "as signed");
  // The same request to the same server under another name (another origin sharing the secret):
  // the host is signed.
  const renamed = await new Promise((resolve, reject) => {
    const { port } = new URL(originUrl);
    const req = request({ host: "127.0.0.1", port, path: "/account?tab=2", headers: { host: `staging.example:${port}`, "x-session-signature": sig } }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d)).on("end", () => resolve(JSON.parse(body)));
    });
    req.on("error", reject).end();
  });
  assert.deepEqual(renamed, refused, "another host");
  const old = sig.replace(/^t=(\d+)/, (_, t) => `t=${Number(t) - 301}`);
  assert.deepEqual(await direct("/account?tab=2", { "x-session-signature": old }), refused, "replayed past the tolerance");
});
