#!/usr/bin/env node
// edge-session command line: `edge-session keygen` prints a fresh random sealing key.
import { generateKey } from "../js/node.js";

const [command] = process.argv.slice(2);
if (command === "keygen") {
  process.stdout.write(`${generateKey()}\n`);
} else {
  process.stderr.write(
    "usage: edge-session keygen\n" +
      "  keygen   print a fresh 256-bit key (base64:…) for the `keys` option or SESSION_KEYS\n",
  );
  process.exitCode = command === undefined || command === "help" || command === "--help" ? 0 : 2;
}
