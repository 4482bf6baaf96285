#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 60 s each) with cargo-fuzz (libFuzzer,
# nightly), from the CVE-payload seeds in fuzz/seeds/, and prints executions and findings.
#   bash scripts/fuzz.sh [seconds-per-target] [target ...]
# FUZZ_RUNS=N stops a target after N executions (the time stays a cap), e.g. the 10 M goal:
#   FUZZ_RUNS=10000000 bash scripts/fuzz.sh 3600
# FUZZ_SANITIZER (default none): the crate forbids `unsafe`, so AddressSanitizer can only find
# faults inside dependencies, at ~4.5x fewer executions per second; `address` turns it back on.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
[ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" = "0.13.2" ] || cargo install --locked cargo-fuzz --version =0.13.2
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
san=${FUZZ_SANITIZER:-none}
runs=()
[ -z "${FUZZ_RUNS:-}" ] || runs=(-runs="$FUZZ_RUNS")
cargo +nightly fuzz build -s "$san" >/dev/null
status=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  log=$(mktemp)
  start=$SECONDS
  if cargo +nightly fuzz run -s "$san" "$t" "fuzz/corpus/$t" fuzz/seeds -- -max_total_time="$secs" \
      "${runs[@]}" -print_final_stats=1 -rss_limit_mb=2048 >"$log" 2>&1; then result=ok; else result=FAILED; status=1; fi
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
  printf '%-16s %-6s %12s executions in %ss (sanitizer: %s)\n' "$t" "$result" "$execs" "$((SECONDS - start))" "$san"
  [ "$result" = ok ] || tail -40 "$log"
  rm -f "$log"
done
exit $status
