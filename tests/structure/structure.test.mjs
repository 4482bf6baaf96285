// The code's shape, held as docs/ARCHITECTURE.md states it: no import cycle among a crate's
// modules, no file over its size (code lines, tests aside), the core's short public face, no
// wasm-bindgen, js-sys or worker under the core, nothing in the Worker that reads a Set-Cookie line
// back, one edition and one minimum Rust for every crate.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const read = (path) => readFileSync(join(ROOT, path), "utf8");

/** The crates, where their modules live, and the most code lines a file may have. */
const CRATES = [
  { name: "core", dir: "src", limit: 500 },
  { name: "seal", dir: "seal/src", limit: 500 },
  { name: "js-api", dir: "js-api/src", limit: 400 },
  { name: "worker", dir: "worker/src", limit: 400 },
  { name: "example", dir: "examples/rust-worker/src", limit: 400 },
];

/** A file's code, without its unit tests (the `#[cfg(test)] mod tests` block that ends it). */
function code(text) {
  const m = text.match(/\n#\[cfg\(test\)\]\n(?:(?:#\[[^\n]*\]|\/\/[^\n]*)\n)*mod tests \{/);
  return m ? text.slice(0, m.index) : text;
}

/** Lines that are neither blank nor comments (doc comments included). */
function codeLines(text) {
  return code(text)
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.trim().startsWith("//")).length;
}

function modules(dir) {
  return readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith(".rs"))
    .map((f) => ({ name: f.slice(0, -3), text: read(join(dir, f)) }));
}

/** Which of the crate's modules each module names (`crate::x`, `use crate::{x, …}`), tests aside. */
function graph(dir) {
  const mods = modules(dir).filter((m) => m.name !== "lib" && m.name !== "main");
  const names = new Set(mods.map((m) => m.name));
  const edges = new Map();
  for (const m of mods) {
    const body = code(m.text)
      .split("\n")
      .filter((l) => !l.trim().startsWith("//"))
      .join("\n");
    const out = new Set();
    for (const [, name] of body.matchAll(/\bcrate::(\w+)/g)) out.add(name);
    for (const [, list] of body.matchAll(/\bcrate::\{([^}]*)\}/g)) {
      for (const item of list.split(",")) out.add(item.trim().split("::")[0]);
    }
    edges.set(m.name, [...out].filter((n) => names.has(n) && n !== m.name).sort());
  }
  return edges;
}

/** Every cycle's modules (the strongly connected components of more than one module). */
function cycles(edges) {
  let index = 0;
  const idx = new Map(), low = new Map(), stack = [], on = new Set(), found = [];
  const visit = (v) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const scc = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of edges.keys()) if (!idx.has(v)) visit(v);
  return found;
}

test("the cycle finder finds a cycle (so that finding none means something)", () => {
  const edges = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assert.deepEqual(cycles(edges), [["a", "b", "c"]]);
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", []]])), []);
});

for (const crate of CRATES) {
  test(`${crate.name}: no import cycle among its modules`, () => {
    const edges = graph(crate.dir);
    assert.ok(edges.size > 0 || crate.name === "seal" || crate.name === "example");
    assert.deepEqual(cycles(edges), [], JSON.stringify(Object.fromEntries(edges)));
  });

  test(`${crate.name}: no file over ${crate.limit} code lines (tests aside)`, () => {
    const over = modules(crate.dir)
      .map((m) => [`${crate.dir}/${m.name}.rs`, codeLines(m.text)])
      .filter(([, n]) => n > crate.limit);
    assert.deepEqual(over, []);
  });
}

test("the code-line count skips comments, blank lines and the tests block", () => {
  const text = "//! docs\nfn a() {}\n\n/// doc\nfn b() {}\n\n#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n";
  assert.equal(codeLines(text), 2);
});

test("the core's public face: a short list of root names, and modules for the rest", () => {
  const lib = code(read("src/lib.rs"));
  const root = [...lib.matchAll(/^pub use \w+::(?:\{([^}]*)\}|(\w+));/gm)]
    .flatMap((m) => (m[1] ?? m[2]).split(","))
    .map((s) => s.trim())
    .filter(Boolean)
    .sort();
  assert.deepEqual(root, [
    "ApacheCipher",
    "ConfigError",
    "CookieError",
    "DerivedSecret",
    "Format",
    "KeyError",
    "LoadStatus",
    "Options",
    "Rejection",
    "SaveError",
    "Session",
    "SessionError",
    "SessionManager",
    "TokenError",
    "TypedError",
    "Value",
    "generate_key",
    "read_origin_session",
  ]);
  const pubMods = [...lib.matchAll(/^pub mod (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(pubMods, ["device_bound", "inspect", "limits", "option_table", "proxy", "signature", "store", "wire"]);
  // Each public module is documented with an example.
  for (const name of ["device_bound", "inspect", "limits", "option_table", "signature"]) {
    assert.match(read(`src/${name}.rs`), /^\/\/![^\n]*\n(\/\/![^\n]*\n)*\/\/! ```(rust)?\n/m, `src/${name}.rs's docs have an example`);
  }
});

test("Session's bookkeeping is one value that only the session changes", () => {
  const session = code(read("src/session.rs"));
  const fields = session.match(/pub struct Session \{([\s\S]*?)\n\}/)[1];
  assert.doesNotMatch(fields, /pub\(crate\)/, "no field of Session is written from outside");
  assert.match(fields, /prov: Provenance/);
  for (const m of modules("src").filter((x) => x.name !== "session" && x.name !== "provenance")) {
    assert.doesNotMatch(code(m.text), /\.prov\b/, `src/${m.name}.rs does not reach into a session's bookkeeping`);
  }
});

test("nothing under the core imports wasm-bindgen, js-sys or worker", () => {
  for (const dir of ["src", "seal/src"]) {
    for (const m of modules(dir)) {
      assert.doesNotMatch(m.text, /\b(wasm_bindgen|js_sys|web_sys|worker)::/, `${dir}/${m.name}.rs`);
    }
  }
  for (const manifest of ["Cargo.toml", "seal/Cargo.toml"]) {
    // Its sections, each from its [header] to the next; the normal dependencies (any target's).
    const sections = read(manifest).split(/^(?=\[)/m);
    const normal = sections.filter((s) => /^\[(target\.[^\n]*\.)?dependencies\]/.test(s));
    assert.ok(normal.length > 0, `${manifest} has dependencies`);
    for (const section of normal) {
      assert.doesNotMatch(section, /^(wasm-bindgen|js-sys|web-sys|worker)\s*=/m, `${manifest}: ${section.split("\n")[0]}`);
    }
  }
});

test("nothing in the Worker reads a Set-Cookie line back (the save's outcome is the core's plan)", () => {
  for (const m of modules("worker/src")) {
    assert.doesNotMatch(code(m.text), /SetCookie|set_cookie::|parse_set_cookie/, `worker/src/${m.name}.rs`);
  }
});

test("one edition and one minimum Rust: every crate takes the workspace's", () => {
  const ws = read("Cargo.toml").match(/\[workspace\.package\]([\s\S]*?)\n\[/)[1];
  const edition = ws.match(/^edition = "(\d+)"/m)[1];
  const rust = ws.match(/^rust-version = "([\d.]+)"/m)[1];
  for (const manifest of ["Cargo.toml", "seal/Cargo.toml", "js-api/Cargo.toml", "worker/Cargo.toml", "examples/rust-worker/Cargo.toml"]) {
    const pkg = read(manifest).match(/\[package\]([\s\S]*?)(\n\[|$)/)[1];
    assert.match(pkg, /^edition\.workspace = true$/m, manifest);
    assert.match(pkg, /^rust-version\.workspace = true$/m, manifest);
  }
  // The fuzzers are a workspace of their own (cargo fuzz): the same values, written out.
  const fuzz = read("fuzz/Cargo.toml");
  assert.match(fuzz, new RegExp(`^edition = "${edition}"$`, "m"));
  assert.match(fuzz, new RegExp(`^rust-version = "${rust.replace(/\./g, "\\.")}"$`, "m"));
});
