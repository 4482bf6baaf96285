// The README's JavaScript examples run as written, against the built package.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const root = new URL("../../", import.meta.url);
const readme = readFileSync(new URL("README.md", root), "utf8");
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test("the README has JavaScript examples", () => assert.ok(blocks.length >= 1));

blocks.forEach((code, i) => {
  test(`README example ${i + 1} runs`, () => {
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd: root, encoding: "utf8" });
    if (code.includes('again.get("user")')) {
      assert.match(out, /^alice \[ \[ 'user', 'alice' \], \[ 'role', 'admin' \] \] user=alice&role=admin&expiry=\d{16}$/m);
      assert.match(out, /^rejected$/m);
    }
    if (code.includes('"edge-session/hono"')) assert.match(out, /^hello alice$/m);
  });
});
