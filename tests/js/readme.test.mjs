// Every snippet of the README and of docs/ runs as written, against the built package: JavaScript
// with node, TypeScript through tsc (strict, as tests/js/tsconfig.json), TOML parsed and its
// variables held to the Worker's. (The Rust ones are doctests of the core: src/lib.rs.)
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import "edge-session"; // initialises the bindings optionTable comes from
import { optionTable } from "../../pkg/edge_session.js";

const root = new URL("../../", import.meta.url);
const DOCS = ["README.md", ...readdirSync(new URL("docs/", root)).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** The fenced blocks of one language in a Markdown file: { file, n, code }. */
function blocks(file, lang) {
  const text = readFileSync(new URL(file, root), "utf8");
  return [...text.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m, i) => ({ file, n: i + 1, code: m[1] }));
}

const js = DOCS.flatMap((f) => blocks(f, "js"));
const ts = DOCS.flatMap((f) => blocks(f, "ts"));
const toml = DOCS.flatMap((f) => blocks(f, "toml"));

/** What some snippets print, as documented beside them. */
const PRINTS = [
  [/secure-session-registration/, /^true$/m],
  [/next\.get\("cart"\)\.items\);/, /^alice 2 \[ 1, 2 \]\nrejected$/m],
  [/Try it: three requests/, /^visit 1\nvisit 2 \(Welcome!\)\nvisit 3$/m],
  [/"edge-session\/hono"/, /^hello alice$/m],
  [/sealToken\(\{ email/, /^alice@example\.com null$/m],
  [/next\.maxAge\);/, /^2 \[ 1, 2 \] Welcome back 2592000$/m],
  [/verifySessionHeader\(request, secret/, /^200 403$/m],
];

test("the README and docs/ have snippets, and the README finds set/get in its first screen", () => {
  assert.ok(js.length >= 8 && ts.length >= 1, `${js.length} js, ${ts.length} ts`);
  const firstScreen = readFileSync(new URL("README.md", root), "utf8").split("\n").slice(0, 40).join("\n");
  assert.match(firstScreen, /session\.set\("visits", 1\)/);
  assert.match(firstScreen, /\.get\("user"\)/);
  const lines = readFileSync(new URL("README.md", root), "utf8").split("\n").length;
  assert.ok(lines <= 350, `the README is ${lines} lines`);
});

for (const { file, n, code } of js) {
  test(`${file} js snippet ${n} runs`, () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8", timeout: 30_000 });
    for (const [when, expected] of PRINTS) if (when.test(code)) assert.match(out, expected);
  });
}

const tsDir = new URL("target/snippets/", root);
after(() => rmSync(tsDir, { recursive: true, force: true }));
test("the TypeScript snippets compile with tsc (strict)", () => {
  rmSync(tsDir, { recursive: true, force: true });
  mkdirSync(tsDir, { recursive: true });
  const files = ts.map(({ file, n, code }) => {
    const name = `${file.replace(/[/.]/g, "_")}_${n}.ts`;
    writeFileSync(new URL(name, tsDir), code);
    return name;
  });
  const config = JSON.parse(readFileSync(new URL("tests/js/tsconfig.json", root), "utf8"));
  writeFileSync(new URL("tsconfig.json", tsDir), JSON.stringify({ ...config, files }));
  execFileSync(process.execPath, [new URL("node_modules/typescript/bin/tsc", root).pathname, "-p", tsDir.pathname], { cwd: root, encoding: "utf8" });
});

test("the TOML snippets parse, and name only the Worker's variables", () => {
  const known = new Set(optionTable().map((o) => o.env).filter(Boolean));
  const workerDoc = readFileSync(new URL("docs/WORKER.md", root), "utf8");
  for (const m of workerDoc.matchAll(/`((?:SESSION|ORIGIN)[A-Z_]*)`/g)) known.add(m[1]);
  for (const { file, n, code } of toml) {
    const doc = parseToml(code);
    const vars = Object.keys(doc.vars ?? {});
    for (const v of vars.filter((v) => /^(SESSION_|ORIGIN)/.test(v))) assert.ok(known.has(v), `${file} toml ${n}: ${v}`);
  }
});
