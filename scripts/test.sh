#!/usr/bin/env bash
# Every test, layer by layer: `bash scripts/test.sh` runs them all (what CI runs);
# `bash scripts/test.sh core|js|worker|browser|interop|bench [...]` runs only those layers.
#   core     format, clippy (every crate, native), docs, the core's tests, the Worker's pure tests
#   js       the npm package: clippy on wasm32, build, types, node tests, the demo, wasm32 tests in node
#   interop  live Apache httpd on 127.0.0.1, both ways
#   worker   the Worker: clippy on wasm32, build, tests in workerd (every face's parity), load without loss
#   browser  wasm32 tests in headless Chromium, the inspector and the package in Chromium (Playwright)
#   bench    every benchmark measurement in quick mode
# Set-up (toolchains, Debian packages, npm) is scripts/setup.sh; it is run first and skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(core js interop worker browser bench)
layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=("${all[@]}")
for l in "${layers[@]}"; do
  [[ " ${all[*]} " == *" $l "* ]] || { echo "unknown layer '$l' (one of: ${all[*]})" >&2; exit 2; }
done
bash scripts/setup.sh

log=$(mktemp)
trap 'rm -f "$log" "$log.times"' EXIT
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
start=$SECONDS
step() {
  local name=$1 t=$SECONDS
  shift
  printf '\n=== %s\n' "$name"
  "$@" 2>&1 | tee -a "$log"
  printf '=== %s: %ss\n' "$name" $((SECONDS - t)) | tee -a "$log.times"
}

core() {
  step "format" cargo fmt --all --check
  step "clippy (core, js-api, worker; native)" cargo clippy --workspace --all-targets --locked -- -D warnings
  step "docs (core)" env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet
  step "core tests (unit, known-answer, tamper, doc)" cargo test --locked
  step "Worker crate tests (native: config, store flow, events)" cargo test --locked -p edge-session-worker
}

js() {
  step "clippy (js-api, wasm32)" cargo clippy -p edge-session-js --target wasm32-unknown-unknown --locked -- -D warnings
  step "build the npm package" bash scripts/build.sh
  step "package resolves by name" node --input-type=module -e "await import('edge-session')"
  step "TypeScript types" npx --no-install tsc -p tests/js
  step "JS API tests (node --test)" node --test tests/js/
  step "demo" node examples/demo.mjs
  # Debug builds without debuginfo: wasm-bindgen's test runner processes every test binary, and
  # debuginfo makes that several times slower. Doc tests run natively in the core layer.
  step "wasm32 tests (wasm-pack test --node)" env CARGO_PROFILE_DEV_DEBUG=0 wasm-pack test --node -- --locked --lib --test '*'
}

interop() {
  [ -d pkg ] || bash scripts/build.sh
  step "Apache httpd interop (live, 127.0.0.1)" node --test tests/interop/
}

worker() {
  step "clippy (worker, wasm32)" cargo clippy -p edge-session-worker --target wasm32-unknown-unknown --locked -- -D warnings
  [ -d pkg ] || bash scripts/build.sh
  step "build the Worker (worker-build)" bash scripts/build-worker.sh
  step "Worker tests in workerd (Miniflare, wrangler dev; every face's parity)" node --test --test-concurrency=1 tests/worker/
  # The 100 k hammer and the 10 k sequential counter side by side: each file is its own process.
  step "load without loss: 100 k requests, 10 k sequential counter (workerd, autocannon)" node --test --test-concurrency=2 tests/load/
}

browser() {
  [ -d pkg ] || bash scripts/build.sh
  # Without WASM_BINDGEN_USE_BROWSER the runner would skip every test and still exit 0.
  step "wasm32 tests in headless Chromium (wasm-pack test --chrome)" \
    env WASM_BINDGEN_USE_BROWSER=1 CARGO_PROFILE_DEV_DEBUG=0 wasm-pack test --headless --chrome -- --locked --lib --test '*'
  grep -q "Running headless tests in Chrome" "$log" || { echo "the Chromium wasm tests did not run in Chromium" >&2; exit 1; }
  step "browser tests: the inspector and the package in Chromium (Playwright)" node --test --test-concurrency=1 tests/browser/
}

bench() {
  [ -d pkg ] || bash scripts/build.sh
  [ -f build/index_bg.wasm ] || bash scripts/build-worker.sh
  step "benchmark smoke (bench/run.mjs --quick: every measurement, seconds each)" node bench/run.mjs --quick
}

for l in "${layers[@]}"; do "$l"; done

printf '\n--- time per step\n'
cat "$log.times"
rm -f "$log.times"
printf -- '--- total: %ss\n' $((SECONDS - start))
# One closing line over every runner above (cargo's "test result" lines and node's "# pass/# fail").
sum() { grep -oE "$1" "$log" | grep -oE '[0-9]+' | awk '{ n += $1 } END { print n + 0 }'; }
passed=$(sum '(test result: ok\. [0-9]+ passed|^# pass [0-9]+)')
failed=$(sum '(; [0-9]+ failed|^# fail [0-9]+)')
printf '\nall: %s passed, %s failed\n' "${passed:-0}" "${failed:-0}"
[ "${failed:-0}" -eq 0 ]
