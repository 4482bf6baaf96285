// Refuses to start the Worker without usable keys: reads SESSION_KEYS (and the format) from
// .dev.vars and checks them with the package itself, so a missing or weak key is a clear error
// before wrangler starts, not a 500 on the first request.
import { readFileSync, existsSync } from "node:fs";
import { SessionManager } from "edge-session";

const file = process.argv[2] ?? ".dev.vars";
const vars = {};
if (existsSync(file)) {
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = line.match(/^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/);
    if (m) vars[m[1]] = m[2].replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
}
const format = vars.SESSION_FORMAT || "sealed";
const keys = (vars.SESSION_KEYS ?? "").split(/\s+/).filter(Boolean);
try {
  new SessionManager({ format, keys: format === "plain" ? undefined : keys });
  console.log(`[start] ${file}: ${keys.length} key(s) for format ${format}: ok`);
} catch (e) {
  console.error(`[start] refusing to start: ${file}: SESSION_KEYS: ${e.message}`);
  console.error("[start] make a key with `node bin/edge-session.js keygen` and put it in .dev.vars (see .dev.vars.example)");
  process.exit(1);
}
