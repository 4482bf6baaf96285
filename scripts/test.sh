#!/usr/bin/env bash
# Every test, layer by layer: `bash scripts/test.sh` runs them all (what CI runs);
# `bash scripts/test.sh core|js|interop|pack|frameworks|worker|browser|bench [...]` runs only those layers.
#   core     format, docs, the core's tests (and its seal/ crate's), the Worker's pure tests, clippy on
#            all they compile
#   js       the npm package: build, types, node tests, the demo, wasm32 tests in node, clippy on
#            js-api (wasm32) and on the core's wasm32 test build
#   interop  live Apache httpd on 127.0.0.1, both ways
#   pack     the package as users get it: a clean clone packed (its prepack build), installed, used
#            (the conformance suite in node, Deno, Bun, the Edge Runtime, workerd and Chromium; four bundlers)
#   frameworks  the adapters in their real frameworks (Express, Next.js, SvelteKit, Astro), each built
#            and served as its users do
#   worker   the Worker and the Rust example: build with clippy on wasm32, tests in workerd (every
#            face's parity), load without loss
#   browser  wasm32 tests in headless Chromium, the inspector and the package in Chromium (Playwright)
#   bench    every benchmark measurement in quick mode
# Set-up (toolchains, Debian packages, npm) is scripts/setup.sh --test; it is run first and skips what
# is there.
#
# The full run goes in two lanes, one per core of a CI machine: the npm package's build, core, js,
# interop and browser (whose wasm32 tests reuse what the js layer compiled) in one; in the other the
# Worker (its build in a target directory of its own so that neither lane waits on cargo's lock,
# its workerd tests), the benchmarks and pack (its clean clone's build reuses the package build's
# release artifacts in target/). The Worker lane waits for the npm package (its JS-Worker faces and the
# inspector's assets use it), browser for the Worker (the DevTools panel's test serves it). The
# Worker lane's output is printed when it ends. EDGE_SESSION_SERIAL=1 runs the layers one after
# another instead.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(core js interop pack frameworks worker browser bench)
layers=("$@")
[ ${#layers[@]} -gt 0 ] || layers=("${all[@]}")
for l in "${layers[@]}"; do
  [[ " ${all[*]} " == *" $l "* ]] || { echo "unknown layer '$l' (one of: ${all[*]})" >&2; exit 2; }
done
bash scripts/setup.sh --test

log=$(mktemp)
trap 'rm -f "$log" "$log".*; [ -z "${lane_pid:-}" ] || kill -- -"$lane_pid" 2>/dev/null || true' EXIT
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
# Test builds without debuginfo: every dev-profile build here (clippy, native tests, wasm32 tests)
# then shares one set of host artifacts (proc macros, build scripts), and wasm-bindgen's test
# runner, which processes every test binary, is several times faster on them.
export CARGO_PROFILE_DEV_DEBUG=0
# The Worker and the Rust example are built with clippy running over the workspace's crates as they
# compile (scripts/build-worker.sh says why); wrangler dev, started by the tests, then finds that
# build up to date.
export EDGE_SESSION_CLIPPY=1
source scripts/clippy-wrap.sh
start=$SECONDS
steplog=$log
step() {
  local name=$1 t=$SECONDS
  shift
  printf '\n=== %s\n' "$name"
  "$@" 2>&1 | tee -a "$steplog"
  printf '=== %s: %ss\n' "$name" $((SECONDS - t)) | tee -a "$steplog.times"
}

# In the two-lane run, one lane waits for what the other builds rather than building it a second
# time beside it: the npm package (pkg/, www/vendor/: the js layer) and the Worker (build/: the
# worker layer). Each marker file appears when its build is done; the wait ends if either lane has.
pkg_ready="" worker_ready=""
await_marker() {
  until [ -f "$1" ]; do
    kill -0 "$main_pid" 2>/dev/null || exit 1
    if [ -n "${lane_pid:-}" ] && [ -f "$log.lane.rc" ]; then
      cat "$log.lane.out"
      echo "the Worker lane ended (exit $(cat "$log.lane.rc")) before the Worker was built" >&2
      exit 1
    fi
    sleep 1
  done
}
need_pkg() {
  if [ -n "$pkg_ready" ]; then await_marker "$pkg_ready"; else [ -d pkg ] || bash scripts/build.sh; fi
}
need_worker() {
  if [ -n "$worker_ready" ]; then await_marker "$worker_ready"; else [ -f build/index_bg.wasm ] || bash scripts/build-worker.sh; fi
}

core() {
  step "format" cargo fmt --all --check
  step "docs (core)" env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet
  # Clippy, -D warnings, runs in the test builds over what they compile (scripts/clippy-wrap.sh):
  # the core (library, unit tests, integration tests), the Worker's pure modules.
  # js-api is linted in the js layer, the Worker's and the example's wasm32 code as the worker layer
  # builds them.
  # With the `serde` feature: typed sessions through serde_urlencoded and the Rust origin example;
  # with `dbsc`: device-bound sessions (the proof vectors, the protocol through the plans).
  step "core tests and the sealed token's hot path (unit, known-answer, tamper, doc, serde, dbsc, the Rust origin example), clippy on them" \
    with_clippy cargo test --locked -p edge-session -p edge-session-seal --features edge-session/serde,edge-session/dbsc
  step "the DBSC proof fuzz target builds on stable (fuzz/, run by scripts/fuzz.sh)" \
    cargo build --quiet --manifest-path fuzz/Cargo.toml --bin dbsc_proof
  # The core as the package's default entry builds it: without the apache format.
  step "core tests without the apache feature (the package's default entry), clippy on them" \
    with_clippy cargo test --locked -p edge-session --no-default-features
  step "Worker crate tests (native: config, store flow, events), clippy on them" \
    with_clippy cargo test --locked -p edge-session-worker
  step "the cryptography is RustCrypto's crates, in both package entries and the Worker (cargo tree)" crypto_crates
  step "the code's shape: no import cycle, file sizes, the core's public face, one edition (tests/structure)" \
    node --test tests/structure/
}

# What the package's two builds and the Worker's link: RustCrypto's AEAD, hash, MAC, KDF and base64
# crates (no primitive of this project's own: docs/ASVS.md 11.2.1).
crypto_crates() {
  local args tree c
  for args in "-p edge-session-js" "-p edge-session-js --features full" "-p edge-session-js --features dbsc" "-p edge-session-worker" "-p edge-session-worker --features dbsc"; do
    # shellcheck disable=SC2086
    tree=$(cargo tree --locked -e normal --target wasm32-unknown-unknown --prefix none $args)
    for c in aes-gcm aes sha2 hmac pbkdf2 base64ct getrandom; do
      grep -q "^$c v" <<<"$tree" || { echo "$args: $c is not in the tree" >&2; return 1; }
    done
    echo "$args: $(grep -oE '^(aes-gcm|aes|sha2|hmac|pbkdf2|base64ct|getrandom) v[0-9.]+' <<<"$tree" | sort -u | tr '\n' ' ')"
    # The core's `serde` feature costs the package and the Worker nothing: not built there.
    # shellcheck disable=SC2086
    if cargo tree --locked -e features -i edge-session --target wasm32-unknown-unknown $args | grep -q 'edge-session feature "serde"'; then
      echo "$args: the core is built with its serde feature" >&2
      return 1
    fi
  done
  # ES256 is RustCrypto's P-256 where device-bound sessions are built, and only there.
  for args in "-p edge-session-js --features dbsc" "-p edge-session-worker --features dbsc"; do
    # shellcheck disable=SC2086
    cargo tree --locked -e normal --target wasm32-unknown-unknown --prefix none $args | grep -q "^p256 v" || { echo "$args: no p256" >&2; return 1; }
  done
  for args in "-p edge-session-js" "-p edge-session-worker"; do
    # shellcheck disable=SC2086
    if cargo tree --locked -e normal --target wasm32-unknown-unknown --prefix none $args | grep -q "^p256 v"; then
      echo "$args: p256 without the dbsc feature" >&2
      return 1
    fi
  done
  echo "--features dbsc: $(cargo tree --locked -e normal -p edge-session --features dbsc --prefix none | grep -oE '^(p256|ecdsa|miniserde) v[0-9.]+' | sort -u | tr '\n' ' ')"
  tree=$(cargo tree --locked -e normal -p edge-session --features serde --prefix none)
  grep -q "^serde_urlencoded v" <<<"$tree" || { echo "the serde feature does not bring serde_urlencoded" >&2; return 1; }
  echo "-p edge-session --features serde: $(grep -oE '^serde_urlencoded v[0-9.]+' <<<"$tree" | head -1)"
}

# The npm package first (the Worker lane waits for it), then its checks.
js() {
  [ -f "$pkg_ready" ] || js_build
  step "package resolves by name" node --input-type=module -e "await import('edge-session')"
  step "TypeScript types" npx --no-install tsc -p tests/js
  step "JS API tests (node --test)" node --test --test-concurrency=3 tests/js/
  step "demo" node examples/demo.mjs
  # Doc tests run natively in the core layer. The wasm32 test builds run under clippy too (the
  # browser layer's as well, so that it reuses this one's build rather than compiling the
  # workspace's crates again without the wrapper).
  step "wasm32 tests (wasm-pack test --node), clippy on them" with_clippy wasm-pack test --node -- --locked --test '*'
  # js-api (the package's bindings: the release build above runs without clippy) is
  # linted in a debug wasm32 build beside the tests', whose wasm-bindgen and js-sys it reuses: a
  # library alone, no tests, benches or examples of its own. (Natively, as `cargo clippy`, it
  # checked its dependencies again: ~30 s of CPU.)
  step "clippy (js-api, wasm32: the default entry's build, the full entry's and the device-bound entry's)" js_api_clippy
}

js_api_clippy() {
  with_clippy cargo build --locked --target wasm32-unknown-unknown -p edge-session-js
  with_clippy cargo build --locked --target wasm32-unknown-unknown -p edge-session-js --features full
  with_clippy cargo build --locked --target wasm32-unknown-unknown -p edge-session-js --features dbsc
}

# The published build (the one `npm pack` makes): the tests run what ships, and the pack layer's
# clean clone then rebuilds only this repository's crates, its dependencies already compiled.
js_build() {
  step "build the npm package (the published build: scripts/build.sh)" bash scripts/build.sh
  [ -z "$pkg_ready" ] || touch "$pkg_ready"
}

interop() {
  need_pkg
  step "Apache httpd interop (live, 127.0.0.1)" node --test tests/interop/
}

pack() {
  step "the package as users get it (clean clone, npm pack and its prepack build, installed and used)" \
    node --test tests/pack/
}

frameworks() {
  need_pkg
  step "framework adapters' types against their frameworks' (tsc)" npx --no-install tsc -p tests/frameworks
  step "framework adapters in their real frameworks (tests/frameworks)" node --test --test-concurrency=1 tests/frameworks/
}

worker() {
  step "build the Worker, clippy -D warnings on its crates (worker-build)" bash scripts/build-worker.sh --code
  step "build the Worker with device-bound sessions, clippy -D warnings on it (worker-build --features dbsc)" bash scripts/build-worker.sh --dbsc
  step "build the Rust example Worker, clippy -D warnings on it (examples/rust-worker, worker-build)" bash scripts/build-worker.sh --example
  need_pkg
  bash scripts/build-worker.sh --assets
  [ -z "$worker_ready" ] || touch "$worker_ready"
  # Three files at a time: their waits (an alarm, a short max age, the revocation cache period)
  # overlap (measured unloaded: 30 s → 15 s, the same CPU).
  step "Worker tests in workerd (Miniflare, wrangler dev; every face's parity)" node --test --test-concurrency=3 tests/worker/
  # The 100 k hammer and the 10 k sequential counter side by side: each file is its own process.
  step "load without loss: 100 k requests, 10 k sequential counter (workerd, autocannon)" node --test --test-concurrency=2 tests/load/
}

browser() {
  need_pkg
  need_worker
  # Without WASM_BINDGEN_USE_BROWSER the runner would skip every test and still exit 0.
  step "wasm32 tests in headless Chromium (wasm-pack test --chrome)" \
    with_clippy env WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --headless --chrome -- --locked --test '*'
  grep -q "Running headless tests in Chrome" "$steplog" || { echo "the Chromium wasm tests did not run in Chromium" >&2; exit 1; }
  step "browser tests: the inspector and the package in Chromium (Playwright)" node --test --test-concurrency=1 tests/browser/
}

bench() {
  need_pkg
  need_worker
  step "benchmark smoke (bench/run.mjs --quick: every measurement, seconds each)" node bench/run.mjs --quick
}

main_pid=$$
if [ "${layers[*]}" = "${all[*]}" ] && [ "${EDGE_SESSION_SERIAL:-0}" != 1 ]; then
  pkg_ready=$log.pkg-ready worker_ready=$log.worker-ready
  # The Worker lane, in its own process group (killed if this script stops first).
  set -m
  (
    trap 'echo $? > "$log.lane.rc"' EXIT
    steplog=$log.lane
    CARGO_TARGET_DIR=$PWD/target/worker-lane worker
    CARGO_TARGET_DIR=$PWD/target/worker-lane bench
    pack
    frameworks
  ) > "$log.lane.out" 2>&1 &
  lane_pid=$!
  set +m
  js_build
  core
  js
  interop
  browser
  lane_rc=0
  wait "$lane_pid" || lane_rc=$?
  lane_pid=""
  printf '\n--- the Worker lane (worker, bench, pack, frameworks), run beside the others\n'
  cat "$log.lane.out"
  cat "$log.lane" >> "$log"
  cat "$log.lane.times" >> "$log.times"
  [ "$lane_rc" -eq 0 ] || { echo "the Worker lane failed (exit $lane_rc)" >&2; exit "$lane_rc"; }
else
  for l in "${layers[@]}"; do "$l"; done
fi

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
