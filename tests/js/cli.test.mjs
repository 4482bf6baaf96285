// The command line (bin/edge-session.js): inspect, seal and keygen, their output and exit codes
// (0 decoded or opened, 1 cannot be opened, 2 usage), and keys that never reach the output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = new URL("../../bin/edge-session.js", import.meta.url).pathname;
const VECTORS = JSON.parse(readFileSync(new URL("../vectors/apache-2.4.71.json", import.meta.url), "utf8")).vectors;

/** Runs the command line: { code, out, err }. */
function cli(args, { input, env = {} } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? "", encoding: "utf8", env: { ...process.env, EDGE_SESSION_KEYS: "", ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const key = cli(["keygen"]).out.trim();

/** Flips one character in the middle of a cookie's value (still base64url). */
function tamper(setCookie) {
  const value = setCookie.split(";")[0];
  const i = Math.floor(value.length / 2);
  return value.slice(0, i) + (value[i] === "A" ? "B" : "A") + value.slice(i + 1);
}

test("seal, then inspect: the entries, times and key id; exit 0", () => {
  const sealed = cli(["seal", "--key", key, "--max-age", "600", "user=alice", "role=admin"]);
  assert.equal(sealed.code, 0, sealed.err);
  assert.match(sealed.out, /^session=[A-Za-z0-9_-]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax\n$/);
  const r = cli(["inspect", "--key", key, sealed.out.trim()]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^format\s+sealed$/m);
  assert.match(r.out, /^status\s+opened: the cookie is authentic$/m);
  assert.match(r.out, /^key id\s+[0-9a-f]{8}$/m);
  assert.match(r.out, /^expires\s+\d{4}-\d\d-\d\dT.*\(in 10 min\)$/m);
  assert.match(r.out, /^ {2}user {2}alice$/m);
  assert.match(r.out, /^ {2}role {2}admin$/m);
  for (const s of [sealed.out, r.out, r.err]) assert.ok(!s.includes(key.slice(7)), "the key was printed");
});

test("a tampered cookie cannot be opened: exit 1, and why", () => {
  const sealed = cli(["seal", "--key", key, "user=alice"]).out.trim();
  const r = cli(["inspect", "--key", key, tamper(sealed)]);
  assert.equal(r.code, 1);
  assert.match(r.out, /^status\s+cannot be opened with the given keys \(tampered\)$/m);
  assert.match(r.out, /^entries\s+0$/m);
  const other = cli(["inspect", "--key", cli(["keygen"]).out.trim(), sealed]);
  assert.equal(other.code, 1);
  assert.match(other.out, /cannot be opened/);
  const noKey = cli(["inspect", sealed]);
  assert.equal(noKey.code, 1);
  assert.match(noKey.out, /give the key/);
});

test("a key that cannot be used beside one that opens the cookie: opened, and the bad key still warned of", () => {
  const sealed = cli(["seal", "--key", key, "user=alice"]).out.trim();
  const r = cli(["inspect", "--key", "too-short", "--key", key, sealed]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^status\s+opened: the cookie is authentic$/m);
  assert.match(r.out, /^warnings\n {2}unusable-key {2}key #0 is not a usable sealed key/m);
});

test("--json, standard input, Cookie headers, --name, EDGE_SESSION_KEYS and --key-file", () => {
  const dir = mkdtempSync(join(tmpdir(), "edge-session-cli-"));
  try {
    const sealed = cli(["seal", "--name", "__Host-sid", "user=bob"], { env: { EDGE_SESSION_KEYS: `${key}\n` } });
    assert.equal(sealed.code, 0, sealed.err);
    const header = `theme=dark; ${sealed.out.split(";")[0]}; _ga=1`;
    const fromEnv = cli(["inspect", "--json", "--name", "__Host-sid"], { input: header, env: { EDGE_SESSION_KEYS: `other ${key}` } });
    assert.equal(fromEnv.code, 0, fromEnv.err);
    const i = JSON.parse(fromEnv.out);
    assert.deepEqual([i.format, i.ok, i.cookieName, i.entries], ["sealed", true, "__Host-sid", [["user", "bob"]]]);
    assert.ok(!fromEnv.out.includes(key.slice(7)));
    const file = join(dir, "keys");
    writeFileSync(file, `# not a key\n${key}\n`);
    const fromFile = cli(["inspect", "--key-file", file, "--name", "__Host-sid", "-"], { input: header });
    assert.equal(fromFile.code, 0, fromFile.err);
    assert.match(fromFile.out, /^ {2}user {2}bob$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Apache's cookies: plain decoded (with its warning), encrypted opened with the passphrase", () => {
  const plain = VECTORS.find((v) => v.name === "plain-simple");
  const p = cli(["inspect", plain.set_cookie]);
  assert.equal(p.code, 0, p.err);
  assert.match(p.out, /^status\s+decoded \(not encrypted\)$/m);
  assert.match(p.out, /^ {2}unencrypted {2}/m);
  // httpd's own cookie, made with `SessionCryptoPassphrase secret` (inspection takes any passphrase).
  const enc = VECTORS.find((v) => v.name === "aes256-simple");
  const [passphrase] = enc.SessionCryptoPassphrase;
  const r = cli(["inspect", "--key", passphrase, `${enc.cookie_name}=${enc.cookie_value}`, "--name", enc.cookie_name]);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /^format\s+apache$/m);
  assert.ok(!r.out.includes(passphrase));
});

test("usage errors exit 2 with one line that says what is wrong", () => {
  for (const args of [
    ["inspect", "--bogus", "x"],
    ["inspect", "--key"],
    ["inspect", "a", "b"],
    ["inspect", "--json=yes", "x"],
    ["seal", "user=alice"],
    ["seal", "--key", key],
    ["seal", "--key", key, "novalue"],
    ["seal", "--key", key, "--max-age", "ten", "a=1"],
    ["seal", "--key", "short", "a=1"],
    ["keygen", "extra"],
    ["frobnicate"],
    ["seal", "--key", key, "--token", "--ttl", "60"],
    ["seal", "--key", key, "--token", "--purpose", "p", "--ttl", "0"],
    ["seal", "--key", key, "--token", "--purpose", "p", "--ttl", "60", "{not json"],
    ["sign", "https://app.example/"],
    ["sign", "not a url"],
  ]) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.out}${r.err}`);
    assert.equal(r.out, "", args.join(" "));
    // (The warning that a key was given with --key is a line of its own.)
    const err = r.err.replace(/^edge-session: warning: .*\n/m, "");
    assert.match(err, /^edge-session: .+ \(edge-session help for usage\)\n$/, args.join(" "));
    assert.doesNotMatch(r.err, /usage:/, `${args.join(" ")}: one line, not the usage`);
  }
  const bare = cli([]);
  assert.equal(bare.code, 2);
  assert.match(bare.out, /usage:/);
  assert.equal(cli(["inspect"], { input: "" }).code, 2, "no cookie on standard input");
  assert.equal(cli(["--help"]).code, 0);
});

test("what a cookie holds is printed with its control characters escaped; a key on the command line is warned of", () => {
  // A session is text anyone can put there (a plain cookie, an origin's update): escape sequences
  // that recolour or move the terminal, a carriage return that overwrites the line, bidi
  // overrides that reorder what is shown, a C1 control, DEL.
  const hostile = "al\u001b[2J\u001b]0;pwned\u0007ice\rroot\u202egnp.exe\u0085\u007f\\x41";
  const dir = mkdtempSync(join(tmpdir(), "edge-session-cli-"));
  try {
    const file = join(dir, "keys");
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
    const sealed = cli(["seal", "--key-file", file, `user=${hostile}`, `k\u001bey=1`]);
    assert.equal(sealed.code, 0, sealed.err);
    assert.equal(sealed.err, "", "no warning for a key file");
    for (const args of [["inspect", "--key-file", file, sealed.out.trim()], ["inspect", "--json", "--key-file", file, sealed.out.trim()]]) {
      const r = cli(args);
      assert.equal(r.code, 0, r.err);
      assert.doesNotMatch(r.out, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/u, `${args[1]}: a raw control character was printed`);
      if (args[1] === "--json") {
        // Still the same JSON: the escapes are JSON's own.
        assert.deepEqual(JSON.parse(r.out).entries, [["user", hostile], ["k\u001bey", "1"]]);
      } else {
        assert.match(r.out, /^ {2}user +al\\x1b\[2J\\x1b\]0;pwned\\x07ice\\x0droot\\u\{202e\}gnp\.exe\\x85\\x7f\\\\x41$/m);
        assert.match(r.out, /^ {2}k\\x1bey +1$/m);
      }
    }
    // A plain cookie (anyone can write one), inspected without a key.
    const plain = cli(["inspect", `session=user=${encodeURIComponent("\u001b[31mred")}`]);
    assert.doesNotMatch(plain.out, /\u001b/);
    // Error messages that quote what was given are escaped too.
    const bad = cli(["seal", "--key-file", file, "no\u001b[31mequals"]);
    assert.equal(bad.code, 2);
    assert.doesNotMatch(bad.err, /\u001b/);
    // --key still works, and says where the key now is.
    const onArgv = cli(["seal", "--key", key, "a=1"]);
    assert.equal(onArgv.code, 0);
    assert.match(onArgv.err, /warning: a key given with --key stays in your shell's history .* use --key-file or EDGE_SESSION_KEYS/);
    assert.ok(!onArgv.err.includes(key.slice(7)));
    assert.equal(cli(["seal", "a=1"], { env: { EDGE_SESSION_KEYS: key } }).err, "", "no warning for EDGE_SESSION_KEYS");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("--version prints the package's version", () => {
  const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
  for (const flag of ["--version", "-V"]) assert.deepEqual(cli([flag]), { code: 0, out: `edge-session ${version}\n`, err: "" });
});

test("inspect --name on a header without that cookie says so and lists the names it saw", () => {
  const sealed = cli(["seal", "--key", key, "user=alice"]).out.split(";")[0];
  const r = cli(["inspect", "--key", key, "--name", "sid", `${sealed}; theme=dark`]);
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /^status\s+no cookie named "sid" in the header; it holds: session, theme$/m);
  assert.match(r.out, /^issued\s+unknown \(not opened\)$/m);
  assert.match(r.out, /^expires\s+unknown \(not opened\)$/m);
  const json = JSON.parse(cli(["inspect", "--json", "--name", "sid", `${sealed}; theme=dark`]).out);
  assert.equal(json.problem.code, "no-such-cookie");
  // Opened, with no expiry: "none", not "unknown".
  const opened = cli(["inspect", "--key", key, sealed]);
  assert.match(opened.out, /^expires\s+none$/m);
});

test("seal --token mints a token the package opens; sign mints a header the origin accepts", async () => {
  const { SessionManager, verifySessionHeader } = await import("edge-session");
  const t = cli(["seal", "--key", key, "--token", "--purpose", "magic-link", "--ttl", "600", '{"email":"a@example.com"}']);
  assert.equal(t.code, 0, t.err);
  const token = t.out.trim();
  assert.deepEqual(new SessionManager({ keys: [key] }).openToken(token, { purpose: "magic-link" }), { email: "a@example.com" });
  assert.equal(new SessionManager({ keys: [key] }).openToken(token, { purpose: "invite" }), null);

  const dir = mkdtempSync(join(tmpdir(), "edge-session-cli-"));
  const secretFile = join(dir, "secret");
  const secret = "an origin secret of at least 32 characters, 2026";
  writeFileSync(secretFile, `${secret}\n`, { mode: 0o600 });
  try {
    const r = cli(["sign", "--secret-file", secretFile, "--method", "post", "https://App.Example:8443/cart?x=1", "user=alice smith", "count=3"]);
    assert.equal(r.code, 0, r.err);
    const [, session] = r.out.match(/^X-Session: (.*)$/m);
    const [, signature] = r.out.match(/^X-Session-Signature: (t=\d+,v2=[A-Za-z0-9_-]+)$/m);
    assert.equal(session, "user=alice+smith&count=3");
    assert.ok(!r.out.includes(secret) && !r.err.includes(secret), "the secret is never printed");
    const headers = { "x-session": session, "x-session-signature": signature };
    const ok = await verifySessionHeader(new Request("https://app.example:8443/cart?x=1", { method: "POST", headers }), secret);
    assert.deepEqual({ ...ok.session }, { user: "alice smith", count: "3" });
    const other = await verifySessionHeader(new Request("https://app.example:8443/admin", { method: "POST", headers }), secret);
    assert.deepEqual(other, { ok: false, reason: "mismatch" });
    const env = cli(["sign", "https://app.example/"], { env: { EDGE_SESSION_ORIGIN_SECRET: secret } });
    assert.equal(env.code, 0, env.err);
    assert.equal(cli(["sign", "https://app.example/"], { env: { EDGE_SESSION_ORIGIN_SECRET: "short" } }).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
