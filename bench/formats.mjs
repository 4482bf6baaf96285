// Round trip per cookie format through the npm package: parse the Cookie header, open, apply a
// 2-key update, seal, produce Set-Cookie. Prints a Markdown table.
//   node bench/formats.mjs           full run
//   node bench/formats.mjs --quick   smoke mode (a few hundred iterations; run by the test command)
import { performance } from "node:perf_hooks";
import { SessionManager, generateKey } from "edge-session";

const quick = process.argv.includes("--quick");
const ITERATIONS = quick ? 300 : 20_000;
const PASSPHRASE = "a benchmark passphrase that is long enough, 2026";
// Each row gets its own passphrase, so that its first seal pays a fresh key derivation.
const FORMATS = {
  sealed: () => ({ keys: [generateKey()] }),
  apache: (size) => ({ format: "apache", keys: [`${PASSPHRASE} #${size}`] }),
  plain: () => ({ format: "plain" }),
};

function roundTrips(manager, header, n) {
  for (let i = 0; i < n; i++) {
    const s = manager.load(header);
    s.applyUpdate(`count=${i}&last=x`);
    const out = manager.save(s);
    s.free();
    if (!out) throw new Error("nothing saved");
  }
}

const rows = [];
for (const size of [1, 10, 50]) {
  for (const [name, options] of Object.entries(FORMATS)) {
    const m = new SessionManager({ ...options(size), maxAge: 3600 });
    const s = m.load(null);
    for (let i = 0; i < size; i++) s.set(`key${i}`, `value-${i}-${"x".repeat(18)}`);
    const t0 = performance.now();
    const cookie = m.save(s).split(";")[0]; // first seal: includes any key derivation
    const first = performance.now() - t0;
    const header = `a=1; ${cookie}; b=2`;
    roundTrips(m, header, Math.min(ITERATIONS, 1000)); // warm-up
    const t1 = performance.now();
    roundTrips(m, header, ITERATIONS);
    const us = ((performance.now() - t1) * 1000) / ITERATIONS;
    rows.push({ size, name, us, first, bytes: cookie.length - cookie.indexOf("=") - 1 });
  }
}

console.log(`| keys | format | round trip (µs) | per second | vs sealed | first seal (ms) | cookie value bytes |`);
console.log(`| ---: | --- | ---: | ---: | ---: | ---: | ---: |`);
for (const r of rows) {
  const sealed = rows.find((x) => x.size === r.size && x.name === "sealed");
  console.log(
    `| ${r.size} | ${r.name} | ${r.us.toFixed(2)} | ${Math.round(1e6 / r.us)} | ${(r.us / sealed.us).toFixed(2)}× | ${r.first.toFixed(2)} | ${r.bytes} |`,
  );
}
const apache10 = rows.find((r) => r.size === 10 && r.name === "apache");
console.log(
  `\napache, 10 keys: ${apache10.us.toFixed(2)} µs amortised; its first seal (${apache10.first.toFixed(2)} ms) pays the one PBKDF2-SHA1 derivation per process that Apache httpd pays twice on every request.`,
);
console.log(`${quick ? "quick" : "full"} run, ${ITERATIONS} round trips per row, node ${process.version}`);
