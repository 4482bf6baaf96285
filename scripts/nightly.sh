# Sourced by scripts/build.sh and scripts/build-worker.sh: the nightly toolchain the size builds
# (the published package, the deployed Worker) are pinned to, the one on this machine image.
# Another nightly may build a different binary: those builds refuse it (the package) or fall back
# to stable (the Worker) rather than ship something untested.
#
#   nightly_check   0 when $NIGHTLY is the pinned version (and has rust-src, which -Zbuild-std
#                   compiles the standard library from); otherwise says why on stderr, returns 1
NIGHTLY=${EDGE_SESSION_NIGHTLY:-nightly}
NIGHTLY_VERSION="rustc 1.97.0-nightly (e50aa6fba 2026-05-19)"

nightly_check() {
  local have
  have=$(rustc "+$NIGHTLY" -V 2>/dev/null || true)
  if [ "$have" != "$NIGHTLY_VERSION" ]; then
    echo "the size build is pinned to $NIGHTLY_VERSION; toolchain '$NIGHTLY' is: ${have:-not installed}." >&2
    echo "Install that nightly (rustup toolchain install nightly-2026-05-19 --profile minimal) and set EDGE_SESSION_NIGHTLY=nightly-2026-05-19." >&2
    return 1
  fi
  rustup component list --toolchain "$NIGHTLY" --installed | grep -q '^rust-src' ||
    rustup component add rust-src --toolchain "$NIGHTLY"
}
