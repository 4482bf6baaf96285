// Live interop with a real Apache httpd 2.4 (Debian's apache2, installed by scripts/setup.sh --test):
// mod_session + mod_session_cookie + mod_session_crypto + a CGI (mod_cgid) that echoes its query
// string into X-Replace-Session and prints HTTP_SESSION. Both ways, for plain and each cipher:
// Apache writes -> edge-session reads the same entries; edge-session writes -> Apache's
// HTTP_SESSION (Apache's own re-encoding of what it decoded) shows the same entries.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, chmodSync, rmSync, readFileSync, existsSync } from "node:fs";
import { freePorts } from "../support/net.mjs";
import { APACHE, httpdConf } from "../support/apache.mjs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SessionManager, Session } from "edge-session/full";

// Strong passphrases (edge-session's encrypting passphrase must be >= 32 characters), with
// non-ASCII and punctuation; Apache's config quotes them.
const P1 = "first interop passphrase: ünïcödé & more, 2026!";
const P2 = "second-interop-passphrase/with+symbols=42%xyz";

// name -> the directives of one <Location>, and the edge-session options that match them.
const CONFIGS = {
  plain: { apache: [], edge: { format: "plain" } },
  aes128: { apache: [`SessionCryptoPassphrase "${P1}"`, "SessionCryptoCipher aes128"], edge: { format: "apache", cipher: "aes128", keys: [P1] } },
  aes192: { apache: [`SessionCryptoPassphrase "${P1}"`, "SessionCryptoCipher aes192"], edge: { format: "apache", cipher: "aes192", keys: [P1] } },
  aes256: {
    apache: [`SessionCryptoPassphrase "${P1}" "${P2}"`, "SessionCryptoCipher aes256"],
    edge: { format: "apache", keys: [P1, P2] },
  },
  // Same passphrases, edge-session encrypts with the second: Apache must find it.
  aes256rotated: {
    apache: [`SessionCryptoPassphrase "${P1}" "${P2}"`],
    edge: { format: "apache", keys: [P2, P1] },
  },
  maxage: { apache: [`SessionCryptoPassphrase "${P1}"`, "SessionMaxAge 600"], edge: { format: "apache", keys: [P1], maxAge: 600 } },
  // A live httpd whose passphrases are short: shared both ways only with the operator's opt-in,
  // and every session they open says so.
  weak: {
    apache: [`SessionCryptoPassphrase "secret"`],
    edge: { format: "apache", keys: ["secret"], allowWeakPassphrases: true },
    weak: true,
  },
  weakaes128: {
    apache: [`SessionCryptoPassphrase "pw" "${P1}"`, "SessionCryptoCipher aes128"],
    edge: { format: "apache", cipher: "aes128", keys: ["pw", P1], allowWeakPassphrases: true },
    weak: true,
  },
};

// Keys and values with non-ASCII and every character the encoding must escape.
const ENTRIES = [
  ["user", "alice"],
  ["k é&=+%", "v&al=ue + 100% naïve ☃"],
  ["emoji😀", "a=b=c"],
  ["sp ace", "tab\there \"quoted\" 'single' <tag> ~*._-"],
];

let dir, port, httpd, stderr = "";

const updateOf = (entries) => {
  const s = new Session();
  for (const [k, v] of entries) s.set(k, v);
  return s.toString(); // the session-string escaping (lowercase %xx, + for space)
};

const entriesOf = (sessionString) => {
  const s = new Session();
  s.applyUpdate(sessionString);
  return s.entries().sort();
};

async function get(path, cookie) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fetch(`http://127.0.0.1:${port}${path}`, { headers: cookie ? { cookie } : {} });
    } catch (e) {
      if (attempt > 50) throw new Error(`apache did not answer: ${e}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

before(async () => {
  assert.ok(existsSync(APACHE), "apache2 is installed by scripts/setup.sh --test");
  dir = mkdtempSync(join(tmpdir(), "edge-session-apache-"));
  chmodSync(dir, 0o755);
  [port] = await freePorts(1);
  const cgi = join(dir, "echo.cgi");
  writeFileSync(
    cgi,
    [
      "#!/bin/sh",
      "printf 'Content-Type: text/plain\\r\\n'",
      '[ -n "$QUERY_STRING" ] && printf \'X-Replace-Session: %s\\r\\n\' "$QUERY_STRING"',
      "printf '\\r\\n'",
      'printf \'%s\' "$HTTP_SESSION"',
      "",
    ].join("\n"),
  );
  chmodSync(cgi, 0o755);
  const locations = Object.entries(CONFIGS).map(([name, c]) =>
    [
      `ScriptAlias /${name} ${cgi}`,
      `<Location /${name}>`,
      "  Session On",
      "  SessionEnv On",
      "  SessionHeader X-Replace-Session",
      `  SessionCookieName s_${name} path=/`,
      ...c.apache.map((d) => `  ${d}`),
      "</Location>",
    ].join("\n"),
  );
  const modules = ["mpm_event", "authz_core", "alias", "cgid", "session", "session_cookie", "session_crypto"];
  writeFileSync(join(dir, "httpd.conf"), httpdConf(dir, port, modules, [`ScriptSock ${dir}/cgid.sock`, ...locations]));
  httpd = spawn(APACHE, ["-f", join(dir, "httpd.conf"), "-DFOREGROUND"], { stdio: ["ignore", "ignore", "pipe"] });
  httpd.stderr.on("data", (d) => (stderr += d));
  httpd.on("exit", (code) => {
    if (code) stderr += `\napache exited with ${code}`;
  });
  const ready = await get("/plain");
  assert.equal(ready.status, 200, `${stderr}\n${existsSync(join(dir, "error.log")) ? readFileSync(join(dir, "error.log"), "utf8") : ""}`);
});

after(() => {
  httpd?.kill("SIGTERM");
  try {
    execFileSync("sh", ["-c", `sleep 0.5; [ -f ${dir}/httpd.pid ] && kill $(cat ${dir}/httpd.pid) 2>/dev/null; true`]);
  } catch {}
  if (dir) rmSync(dir, { recursive: true, force: true });
});

for (const [name, config] of Object.entries(CONFIGS)) {
  const cookieName = `s_${name}`;
  const manager = () => new SessionManager({ cookieName, cookieAttributes: "Path=/", ...config.edge });

  test(`${name}: Apache writes, edge-session reads the same entries`, async () => {
    const res = await get(`/${name}?${updateOf(ENTRIES)}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-replace-session"), null, "Apache removes the SessionHeader");
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
    assert.ok(setCookie, `Apache set ${cookieName}: ${res.headers.getSetCookie()}`);
    const cookie = setCookie.split(";")[0];
    if (name !== "plain") assert.doesNotMatch(cookie, /alice/, "encrypted");
    const session = manager().load(cookie);
    assert.equal(session.status, "loaded", `${name}: ${session.rejection}`);
    assert.deepEqual(session.entries().sort(), [...ENTRIES].sort());
    assert.equal(session.weakKey, Boolean(config.weak), "weakKey: opened with a passphrase below the strength rule");
    if (name === "maxage") {
      assert.ok(Math.abs(session.expiry - (Date.now() + 600_000)) < 60_000, `Apache's expiry (µs) read as ms: ${session.expiry}`);
    }
  });

  test(`${name}: edge-session writes, Apache's HTTP_SESSION shows the same entries`, async () => {
    const m = manager();
    const session = m.load(null);
    for (const [k, v] of ENTRIES) session.set(k, v);
    const cookie = m.save(session).split(";")[0];
    const res = await get(`/${name}`, `other=1; ${cookie}`);
    assert.equal(res.status, 200);
    const httpSession = await res.text();
    assert.deepEqual(entriesOf(httpSession), [...ENTRIES].sort(), `HTTP_SESSION: ${httpSession}`);
  });

  test(`${name}: edge-session writes, Apache merges an update and writes, edge-session reads`, async () => {
    const m = manager();
    const session = m.load(null);
    for (const [k, v] of ENTRIES) session.set(k, v);
    const cookie = m.save(session).split(";")[0];
    const res = await get(`/${name}?${updateOf([["added", "by apache & co"]])}&user=`, cookie);
    const back = res.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
    assert.ok(back, "Apache wrote the merged session");
    const merged = m.load(back.split(";")[0]);
    const want = [...ENTRIES.filter(([k]) => k !== "user"), ["added", "by apache & co"]].sort();
    assert.deepEqual(merged.entries().sort(), want);
  });
}

test("short passphrases: refused without the opt-in, first or older; the opt-in warns at start-up", () => {
  for (const keys of [["secret"], [P1, "secret"]]) {
    assert.throws(() => new SessionManager({ format: "apache", keys }), { code: "ERR_WEAK_KEY" });
  }
  assert.throws(() => new SessionManager({ keys: ["secret"], allowWeakPassphrases: true }), { code: "ERR_INVALID_OPTION" });
  const warned = [];
  const warn = console.warn;
  console.warn = (line) => warned.push(line);
  try {
    new SessionManager({ format: "apache", keys: [P1, "secret"], allowWeakPassphrases: true }).free();
  } finally {
    console.warn = warn;
  }
  assert.equal(warned.length, 1);
  assert.match(warned[0], /^\{"edge_session":"weak-passphrase","keys":"1","note":"[^"]+"\}$/);
});

test("a tampered edge-session cookie gives Apache no session", async () => {
  const m = new SessionManager({ cookieName: "s_aes256", cookieAttributes: "Path=/", format: "apache", keys: [P1, P2] });
  const s = m.load(null);
  s.set("user", "mallory");
  const cookie = m.save(s).split(";")[0];
  const flipped = cookie.slice(0, -6) + (cookie.at(-6) === "A" ? "B" : "A") + cookie.slice(-5);
  const res = await get("/aes256", flipped);
  assert.equal(await res.text(), "", "Apache refused the cookie");
});
