// The core's option table (src/option_table.rs) is the one list of options: the JS parser, the
// TypeScript options type, the README's options table and the Worker's variables table are held to
// it here (the Worker's parser is held to it by worker/src/config.rs's tests).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { SessionManager, generateKey } from "edge-session";
import { SessionManager as BoundManager } from "edge-session/device-bound";
// The package's entry has initialised the module; the table is the bindings' (not the user's API).
import { optionTable } from "../../pkg/edge_session.js";

const ROOT = new URL("../../", import.meta.url);
const TABLE = optionTable();
const JS = TABLE.filter((o) => o.js !== "");
/** Options only the edge-session/device-bound entry takes (the others refuse them, naming it). */
const DEVICE_BOUND = new Set(["deviceBound", "deviceBoundMaxAge", "deviceBoundPath", "clientBinding"]);
const Manager = (o) => (DEVICE_BOUND.has(o.js) ? BoundManager : SessionManager);
const README = readFileSync(new URL("README.md", ROOT), "utf8");
const WORKER_DOC = readFileSync(new URL("docs/WORKER.md", ROOT), "utf8");

/** The lines of a section of `doc` (the README by default), from its heading to the next of the same level. */
function section(heading, doc = README) {
  const start = doc.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `no "${heading}" in the document`);
  const level = heading.split(" ")[0];
  const rest = doc.slice(start + heading.length + 2);
  const end = rest.search(new RegExp(`\\n${level} `));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The rows of the first Markdown table in `text`, as arrays of cells (header and rule skipped). */
function tableRows(text) {
  const lines = text.split("\n").filter((l) => l.startsWith("|"));
  return lines.slice(2).map((l) => l.split(/(?<!\\)\|/).slice(1, -1).map((c) => c.trim()));
}

test("the table: every option once, in every spelling, with a kind and its bounds", () => {
  assert.ok(TABLE.length >= 19);
  for (const key of ["rust", "js", "env"]) {
    const names = TABLE.map((o) => o[key]).filter((n) => n !== "");
    assert.equal(new Set(names).size, names.length, `${key} names are unique`);
  }
  for (const o of TABLE) {
    assert.match(o.rust, /^[a-z][a-z_]*$/);
    if (o.js) assert.match(o.js, /^[a-z][A-Za-z]*$/);
    if (o.env) assert.match(o.env, /^SESSION_[A-Z_]+$/);
    assert.ok(["text", "texts", "secret", "secrets", "choice", "seconds", "count", "flag"].includes(o.kind), o.kind);
    assert.equal(o.min !== null, o.kind === "seconds" || o.kind === "count", `${o.js}: bounds only for numbers`);
    assert.equal(o.choices !== null, o.kind === "choice");
  }
  // An option the JS face has, the Worker has as a variable, and the other way round.
  for (const o of TABLE) assert.equal(o.js === "", o.env === "", `${o.rust} is in both faces or neither`);
});

test("the TypeScript options type has the table's options, each of its kind's type", () => {
  const dts = readFileSync(new URL("pkg/edge_session.d.ts", ROOT), "utf8");
  const body = dts.match(/export interface SessionManagerOptions \{([\s\S]*?)\n\}/)?.[1];
  assert.ok(body, "pkg/edge_session.d.ts declares SessionManagerOptions");
  const fields = Object.fromEntries([...body.matchAll(/^\s+([A-Za-z]+)\?: ([^;]+);$/gm)].map((m) => [m[1], m[2]]));
  assert.deepEqual(Object.keys(fields).sort(), JS.map((o) => o.js).sort());
  for (const o of JS) {
    const want = {
      text: "string",
      secret: "string",
      texts: "string[]",
      secrets: "string[]",
      seconds: "number",
      count: "number",
      flag: "boolean",
      choice: o.choices?.map((c) => JSON.stringify(c)).join(" | "),
    }[o.kind];
    assert.equal(fields[o.js], want, `${o.js}'s type`);
  }
});

test("the README's options table lists the table's options in its order, with its defaults", () => {
  const rows = tableRows(section("## Options"));
  assert.deepEqual(
    rows.map((r) => r[0].replace(/`/g, "")),
    JS.map((o) => o.js),
  );
  for (const [cell, , def] of rows) {
    const o = JS.find((x) => x.js === cell.replace(/`/g, ""));
    if (o.default !== "") assert.ok(def.includes(o.default), `${o.js}: README's default "${def}" states ${o.default}`);
  }
});

test("docs/WORKER.md's variables table names every variable of the table", () => {
  const rows = tableRows(section("## The Worker: a session front proxy", WORKER_DOC));
  const named = new Set(rows.flatMap((r) => [...r[0].matchAll(/`([A-Z_]+)`/g)].map((m) => m[1])));
  for (const o of TABLE.filter((x) => x.env)) assert.ok(named.has(o.env), `${o.env} is in docs/WORKER.md's table`);
});

test("unknown option names are refused, listing the table's names", () => {
  assert.throws(
    () => new SessionManager({ keys: [generateKey()], maxage: 60 }),
    (e) => e.code === "ERR_INVALID_OPTION" && e.message === `unknown option "maxage" (known: ${JS.map((o) => o.js).join(", ")})`,
  );
});

/** A value of the wrong JavaScript type for each kind. */
const WRONG = { text: 1, secret: 1, texts: "a", secrets: "a", choice: 1, seconds: "60", count: 1.5, flag: "true" };

test("a value of the wrong type is refused by the option's JS name, saying what it must be", () => {
  for (const o of JS) {
    const opts = { keys: [generateKey()], [o.js]: WRONG[o.kind] };
    assert.throws(
      () => new SessionManager(opts),
      (e) => e.name === "EdgeSessionError" && e.code === "ERR_INVALID_OPTION" && e.message === `${o.js}: must be ${o.describe}`,
      o.js,
    );
  }
});

test("numbers: the table's bounds are the parser's (the most accepted, one more refused by name)", () => {
  for (const o of JS.filter((x) => x.min !== null)) {
    const opts = (n) => ({ keys: [generateKey()], [o.js]: n });
    const M = Manager(o);
    assert.doesNotThrow(() => new M(opts(o.max)), o.js);
    if (o.min > 0) assert.doesNotThrow(() => new M(opts(o.min)), o.js);
    assert.throws(
      () => new M(opts(o.max + 1)),
      (e) => e.code === "ERR_INVALID_OPTION" && e.message.startsWith(`${o.js}: `) && e.message.includes(String(o.max)),
      `${o.js} = ${o.max + 1}`,
    );
    if (o.min > 0) assert.throws(() => new M(opts(o.min - 1)), (e) => e.message.startsWith(`${o.js}: `));
  }
});

test("choices: a string outside the table's choices is refused by name, listing them", () => {
  for (const o of JS.filter((x) => x.kind === "choice")) {
    const M = Manager(o);
    assert.throws(
      () => new M({ keys: [generateKey()], format: "apache", [o.js]: "nope" }),
      (e) => e.code === "ERR_INVALID_OPTION" && e.message === `${o.js}: must be ${o.choices.map((c) => `"${c}"`).join(", ")}, not "nope"`,
      o.js,
    );
  }
});

test("the device-bound options: the other entries refuse each by name and say which entry has them", () => {
  for (const o of JS.filter((x) => DEVICE_BOUND.has(x.js))) {
    assert.throws(
      () => new SessionManager({ keys: [generateKey()], [o.js]: o.kind === "flag" ? true : o.min !== null ? Number(o.default) : o.default }),
      (e) => e.code === "ERR_DEVICE_BOUND_UNAVAILABLE" && e.message.startsWith(`${o.js}: device-bound sessions are in the edge-session/device-bound entry`),
      o.js,
    );
  }
});
