#!/usr/bin/env bash
# Every test: set up what is missing, then lint, core tests, wasm build, JS tests, wasm32 tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log"' EXIT
step() { printf '\n=== %s\n' "$1"; shift; "$@" 2>&1 | tee -a "$log"; }

step "format" cargo fmt --check
step "clippy (core)" cargo clippy --all-targets --locked -- -D warnings
step "clippy (js bindings, wasm32)" cargo clippy --features js --target wasm32-unknown-unknown --all-targets --locked -- -D warnings
step "clippy (worker, wasm32)" cargo clippy --features worker --target wasm32-unknown-unknown --locked -- -D warnings
step "docs" env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet
step "core tests (unit, known-answer, tamper, doc)" cargo test --locked
step "worker config tests (native)" cargo test --locked --features worker --lib worker::
step "build the npm package" bash scripts/build.sh
step "package resolves by name" node --input-type=module -e "await import('edge-session')"
step "TypeScript types" npx --no-install tsc -p tests/js
step "JS API tests (node --test)" node --test tests/js/
step "Apache httpd interop (live, 127.0.0.1)" node --test tests/interop/
step "build the Worker (worker-build)" bash scripts/build-worker.sh
step "Worker tests in workerd (Miniflare, wrangler dev)" env WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false node --test --test-concurrency=1 tests/worker/
step "load without loss: 100 k requests, 10 k sequential counter (workerd, autocannon)" node --test --test-concurrency=1 tests/load/
step "wasm32 tests (wasm-pack test --node)" wasm-pack test --node -- --features js --locked
# Without WASM_BINDGEN_USE_BROWSER the runner would skip every test and still exit 0.
step "wasm32 tests in headless Chromium (wasm-pack test --chrome)" env WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome -- --features js --locked
grep -q "Running headless tests in Chrome" "$log" || { echo "the Chromium wasm tests did not run in Chromium" >&2; exit 1; }
step "browser tests: the inspector and the package in Chromium (Playwright)" node --test --test-concurrency=1 tests/browser/
step "demo" node examples/demo.mjs
step "benchmark smoke (bench/run.mjs --quick: every measurement, seconds each)" node bench/run.mjs --quick

# One closing line over every runner above (cargo's "test result" lines and node's "# pass/# fail").
sum() { grep -oE "$1" "$log" | grep -oE '[0-9]+' | awk '{ n += $1 } END { print n + 0 }'; }
passed=$(sum '(test result: ok\. [0-9]+ passed|^# pass [0-9]+)')
failed=$(sum '(; [0-9]+ failed|^# fail [0-9]+)')
printf '\nall: %s passed, %s failed\n' "${passed:-0}" "${failed:-0}"
[ "${failed:-0}" -eq 0 ]
