// What the repository's scripts, tests, benchmarks and pages import, or whose installed binaries
// they run, comes from a package that package.json declares: nothing works only because another
// package happened to bring it in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, relative } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies, ...pkg.peerDependencies }));

/** Every file below `dir` with one of `endings`. */
function files(dir, endings) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "vendor" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...files(path, endings));
    else if (endings.some((e) => name.endsWith(e))) out.push(path);
  }
  return out;
}
const sources = ["scripts", "bench", "tests", "bin", "js", "www", "examples"].flatMap((d) => files(join(ROOT, d), [".mjs", ".js", ".ts", ".sh"]));

test("every package a script, test or page imports is declared", () => {
  const missing = [];
  for (const file of sources.filter((f) => !f.endsWith(".sh"))) {
    const text = readFileSync(file, "utf8");
    for (const [, raw] of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)"([^".][^"]*)"/gm)) {
      const spec = raw.replaceAll("\\", ""); // as written inside a regular expression
      if (spec.startsWith("node:") || spec.startsWith("cloudflare:") || spec.startsWith("/")) continue;
      const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
      if (name === pkg.name) continue; // the package itself, by its exports
      if (!declared.has(name)) missing.push(`${relative(ROOT, file)}: ${spec}`);
    }
  }
  assert.deepEqual(missing, []);
});

test("every installed binary a script runs comes from a declared package", () => {
  // node_modules/.bin/<name> and `npx --no-install <name>`: the declared packages' binaries.
  const bins = new Map();
  for (const name of declared) {
    const manifest = join(ROOT, "node_modules", name, "package.json");
    if (!existsSync(manifest)) continue;
    const { bin } = JSON.parse(readFileSync(manifest, "utf8"));
    for (const b of typeof bin === "string" ? [name.split("/").pop()] : Object.keys(bin ?? {})) bins.set(b, name);
  }
  for (const b of Object.keys(pkg.bin ?? {})) bins.set(b, pkg.name); // the package's own command
  const missing = [];
  // The pack test builds a project of its own, and installs into it what it runs there (vite).
  for (const file of sources.filter((f) => !f.includes("/tests/pack/"))) {
    const text = readFileSync(file, "utf8");
    const used = [
      ...[...text.matchAll(/node_modules\/\.bin\/([\w.-]+)/g)].map((m) => m[1]),
      ...[...text.matchAll(/npx(?:",\s*\[|\s+)"?--no-install"?,?\s*"?([\w@/.-]+)/g)].map((m) => m[1]),
    ];
    for (const b of used) if (!bins.has(b)) missing.push(`${relative(ROOT, file)}: ${b}`);
  }
  assert.deepEqual(missing, []);
  assert.ok(bins.has("wrangler") && bins.has("wasm-opt") && bins.has("esbuild") && bins.has("workerd"));
});
