#!/usr/bin/env node
// The edge-session command line: inspect a session cookie, seal one (or a token) for tests, sign
// an X-Session for calling an origin directly, make a key.
//   edge-session inspect [--key K | --key-file F]... [--name NAME] [--json] [COOKIE | -]
//   edge-session seal --key K [--name NAME] [--max-age S] k=v...
//   edge-session seal --key K --token --purpose P --ttl S [JSON]
//   edge-session sign [--secret-file F] [--method M] URL [k=v...]
//   edge-session keygen | --version
// Keys also come from EDGE_SESSION_KEYS (separated by spaces or new lines, like SESSION_KEYS);
// prefer it or --key-file to --key, which leaves the key in the shell's history and the process
// list (a warning says so). Exit status: 0 the session was decoded or opened (inspect) / done;
// 1 it cannot be opened; 2 a usage error. Keys are never printed; what a cookie holds is printed
// with its control characters escaped (a session is attacker-controlled text: it must not move
// the terminal's cursor, recolour it, or reorder what is shown).
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { SessionManager, Session, generateKey, inspect } from "../js/full/node.js";
// Initialised by the full entry above; the CLI's own tool, not part of the package's API.
import { signSessionHeader } from "../pkg/full/edge_session.js";

const VERSION = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

const USAGE = `usage:
  edge-session inspect [--key K | --key-file F]... [--name NAME] [--json] [COOKIE | -]
      decode (plain) or open (sealed, apache) a session cookie: its value, a Cookie header or a
      Set-Cookie line, as an argument or on standard input (- or none); prints the format, status,
      key id, issue and expiry times, entries and warnings (--json: the inspection as JSON).
      Exit 0 when decoded or opened, 1 when it cannot be opened, 2 on a usage error.
  edge-session seal --key K [--name NAME] [--max-age S] k=v...
      print the Set-Cookie line(s) of a sealed session holding k=v..., for tests
  edge-session seal --key K --token --purpose P --ttl S [JSON]
      print a sealed token (manager.sealToken) holding JSON (default null) for purpose P,
      opening for S seconds: a magic link or an invitation, for tests
  edge-session sign [--secret-file F] [--method M] URL [k=v...]
      print the X-Session and X-Session-Signature headers the front proxy would send to URL
      for a session holding k=v..., so that an origin can be called directly (curl -H ...);
      the origin secret from --secret-file or EDGE_SESSION_ORIGIN_SECRET
  edge-session keygen
      print a fresh 256-bit key (base64:...) for the \`keys\` option or SESSION_KEYS
  edge-session --version
Keys (--key-file, EDGE_SESSION_KEYS separated by spaces or new lines, or --key, which shell
history keeps) are never printed. Control characters in what is printed are escaped (\\xNN, \\u{NNNN}).
`;

class UsageError extends Error {}

/**
 * Characters a terminal acts on rather than shows: C0 and C1 controls, DEL, and Unicode's
 * invisible formatting and direction marks (bidi overrides and isolates reorder a line as it is
 * displayed: "Trojan Source"), line and paragraph separators.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/gu;

/** `s` safe to print on a terminal: a backslash doubled, every unsafe character escaped. */
function printable(s) {
  return String(s)
    .replace(/\\/g, "\\\\")
    .replace(UNSAFE, (c) => {
      const n = c.codePointAt(0);
      return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u{${n.toString(16)}}`;
    });
}

/**
 * JSON with the same characters as `\\uNNNN` escapes (the same JSON once parsed). JSON.stringify
 * escapes C0 controls itself: the only ones left in its output are its own line breaks.
 */
function safeJson(value) {
  return JSON.stringify(value, null, 2).replace(UNSAFE, (c) => (c === "\n" ? c : `\\u${c.codePointAt(0).toString(16).padStart(4, "0")}`));
}

/**
 * The options (`--flag value`, `--flag=value`) and positional arguments of a command, read by
 * node's `util.parseArgs` against `spec` ({ name: "list" | "value" | "bool" }): `opts` is keyed by
 * the option's name with its dashes (`opts["--key"]`), a "list" option an array.
 */
function parse(args, spec) {
  const options = Object.fromEntries(
    Object.entries(spec).map(([flag, kind]) => [flag.slice(2), { type: kind === "bool" ? "boolean" : "string", multiple: kind === "list" }]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // ERR_PARSE_ARGS_UNKNOWN_OPTION, ERR_PARSE_ARGS_INVALID_OPTION_VALUE: the user's mistake.
    if (String(e.code).startsWith("ERR_PARSE_ARGS")) throw new UsageError(e.message);
    throw e;
  }
  const opts = Object.fromEntries(Object.entries(parsed.values).map(([name, value]) => [`--${name}`, value]));
  return { opts, rest: parsed.positionals };
}

/** The keys given, in order: --key and --key-file as they come, then EDGE_SESSION_KEYS. */
function keysOf(opts) {
  const keys = [...(opts["--key"] ?? [])];
  if (keys.length) {
    process.stderr.write(
      "edge-session: warning: a key given with --key stays in your shell's history and shows in the process list; use --key-file or EDGE_SESSION_KEYS\n",
    );
  }
  for (const file of opts["--key-file"] ?? []) {
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new UsageError(`cannot read key file ${file}: ${e.code ?? e.message}`);
    }
    keys.push(...text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean));
  }
  const env = process.env.EDGE_SESSION_KEYS;
  if (env) keys.push(...env.split(/\s+/).filter(Boolean));
  return keys;
}

function readStdin() {
  if (process.stdin.isTTY) throw new UsageError("no cookie: give it as an argument or on standard input");
  return readFileSync(0, "utf8").trim();
}

const when = (ms, now, opened) => {
  if (ms === null) return opened ? "none" : "unknown (not opened)";
  const d = new Date(ms);
  const iso = Number.isFinite(d.getTime()) ? d.toISOString() : String(ms);
  const s = Math.round((ms - now) / 1000);
  const span = Math.abs(s) >= 3600 ? `${(Math.abs(s) / 3600).toFixed(1)} h` : Math.abs(s) >= 60 ? `${Math.round(Math.abs(s) / 60)} min` : `${Math.abs(s)} s`;
  return `${iso} (${s > 0 ? `in ${span}` : `${span} ago`})`;
};

/** The inspection as a table for people. */
function table(i, now) {
  // The core's status, read or not (the inspector page and the DevTools panel say the same).
  const status = i.status.message;
  const lines = [
    ["format", i.format ?? "unknown"],
    ["status", status],
    ["key id", i.keyId ?? "—"],
    ...(i.cipher ? [["cipher", i.cipher]] : []),
    // A device-bound session (DBSC): the device key's thumbprint, and its bound cookie's expiry.
    ...(i.deviceKey ? [["device-bound", `key ${i.deviceKey}`]] : []),
    ...(i.deviceKey ? [["bound cookie", i.boundExpires === null ? "not in the input (give the whole Cookie header)" : `expires ${when(i.boundExpires, now, true)}`]] : []),
    ["cookie", `${i.cookieName ?? "(value only)"}, ${i.bytes} of ${i.limit} bytes`],
    ["issued", when(i.issued, now, i.ok)],
    ["expires", when(i.expiry, now, i.ok)],
    ["entries", String(i.entries.length)],
  ].map(([k, v]) => [k, printable(v)]);
  const width = Math.max(...lines.map(([k]) => k.length));
  const out = lines.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  const entries = i.entries.map(([k, v]) => [printable(k), printable(v)]);
  const keyWidth = Math.max(0, ...entries.map(([k]) => k.length));
  for (const [k, v] of entries) out.push(`  ${k.padEnd(keyWidth)}  ${v}`);
  if (i.warnings.length) {
    out.push("warnings");
    const codeWidth = Math.max(...i.warnings.map((w) => w.code.length));
    for (const w of i.warnings) out.push(`  ${w.code.padEnd(codeWidth)}  ${printable(w.message)}`);
  }
  return `${out.join("\n")}\n`;
}

function inspectCommand(args) {
  const { opts, rest } = parse(args, { "--key": "list", "--key-file": "list", "--name": "value", "--json": "bool" });
  if (rest.length > 1) throw new UsageError("give one cookie");
  const input = rest.length === 0 || rest[0] === "-" ? readStdin() : rest[0];
  if (!input) throw new UsageError("the cookie is empty");
  const now = Date.now();
  const options = { keys: keysOf(opts), now };
  if (opts["--name"] !== undefined) options.cookieName = opts["--name"];
  let result;
  try {
    result = inspect(input, options);
  } catch (e) {
    throw new UsageError(e.message);
  }
  process.stdout.write(opts["--json"] ? `${safeJson(result)}\n` : table(result, now));
  return result.ok ? 0 : 1;
}

/** `--name value` as whole seconds. */
function seconds(opts, name) {
  const v = opts[name];
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n)) throw new UsageError(`${name} must be whole seconds`);
  return n;
}

/** A core error as a usage error: its code and message. */
function coreError(e) {
  return e instanceof UsageError ? e : new UsageError(`${e.code ? `${e.code}: ` : ""}${e.message}`);
}

/** `manager.sealToken` from the command line: JSON data, a purpose and a lifetime. */
function tokenCommand(opts, rest, keys) {
  if (opts["--purpose"] === undefined) throw new UsageError("a token needs --purpose");
  if (opts["--ttl"] === undefined) throw new UsageError("a token needs --ttl (seconds)");
  if (rest.length > 1) throw new UsageError("give the token's data as one JSON argument");
  let data = null;
  if (rest.length === 1) {
    try {
      data = JSON.parse(rest[0]);
    } catch {
      throw new UsageError(`the token's data is not JSON: ${JSON.stringify(rest[0])}`);
    }
  }
  try {
    const manager = new SessionManager({ keys });
    process.stdout.write(`${manager.sealToken(data, { purpose: opts["--purpose"], ttl: seconds(opts, "--ttl") })}\n`);
  } catch (e) {
    throw coreError(e);
  }
  return 0;
}

function sealCommand(args) {
  const spec = { "--key": "list", "--key-file": "list", "--name": "value", "--max-age": "value", "--token": "bool", "--purpose": "value", "--ttl": "value" };
  const { opts, rest } = parse(args, spec);
  const keys = keysOf(opts);
  if (keys.length === 0) throw new UsageError("seal needs a key (--key, --key-file or EDGE_SESSION_KEYS)");
  if (opts["--token"]) return tokenCommand(opts, rest, keys);
  if (opts["--purpose"] !== undefined || opts["--ttl"] !== undefined) throw new UsageError("--purpose and --ttl are for --token");
  if (rest.length === 0) throw new UsageError("seal needs at least one k=v entry");
  const options = { keys };
  if (opts["--name"] !== undefined) options.cookieName = opts["--name"];
  if (opts["--max-age"] !== undefined) options.maxAge = seconds(opts, "--max-age");
  let manager;
  try {
    manager = new SessionManager(options);
  } catch (e) {
    throw new UsageError(`${e.code ? `${e.code}: ` : ""}${e.message}`);
  }
  const session = manager.load(null);
  try {
    entriesInto(session, rest);
    for (const line of manager.saveAll(session)) process.stdout.write(`${printable(line)}\n`);
  } catch (e) {
    throw coreError(e);
  } finally {
    session.free();
  }
  return 0;
}

/** The k=v entries of a command into `session`. */
function entriesInto(session, entries) {
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    if (eq <= 0) throw new UsageError(`not a k=v entry: ${JSON.stringify(entry)}`);
    session.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
}

function signCommand(args) {
  const { opts, rest } = parse(args, { "--secret-file": "value", "--method": "value" });
  if (rest.length === 0) throw new UsageError("sign needs the origin URL the request goes to");
  let url;
  try {
    url = new URL(rest[0]);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(rest[0])}`);
  }
  let secret = process.env.EDGE_SESSION_ORIGIN_SECRET;
  if (opts["--secret-file"] !== undefined) {
    try {
      secret = readFileSync(opts["--secret-file"], "utf8").trim();
    } catch (e) {
      throw new UsageError(`cannot read secret file ${opts["--secret-file"]}: ${e.code ?? e.message}`);
    }
  }
  if (!secret) throw new UsageError("sign needs the origin secret (--secret-file or EDGE_SESSION_ORIGIN_SECRET)");
  const session = new Session();
  try {
    entriesInto(session, rest.slice(1));
    const value = session.toString();
    const method = (opts["--method"] ?? "GET").toUpperCase();
    const signature = signSessionHeader(secret, method, url.host, url.pathname + url.search, value, Date.now());
    process.stdout.write(`X-Session: ${printable(value)}\nX-Session-Signature: ${signature}\n`);
  } catch (e) {
    throw coreError(e);
  } finally {
    session.free();
  }
  return 0;
}

function main(argv) {
  const [command, ...args] = argv;
  switch (command) {
    case "inspect":
      return inspectCommand(args);
    case "seal":
      return sealCommand(args);
    case "sign":
      return signCommand(args);
    case "--version":
    case "-V":
      process.stdout.write(`edge-session ${VERSION}\n`);
      return 0;
    case "keygen":
      if (args.length) throw new UsageError("keygen takes no arguments");
      process.stdout.write(`${generateKey()}\n`);
      return 0;
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

// One error, one line (the usage is `edge-session help`'s).
try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  const usage = e instanceof UsageError;
  process.stderr.write(`edge-session: ${printable(e?.message ?? e)}${usage ? " (edge-session help for usage)" : ""}\n`);
  process.exitCode = usage ? 2 : 1;
}
