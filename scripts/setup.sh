#!/usr/bin/env bash
# Installs what building and serving need (`bash scripts/setup.sh`: what scripts/start.sh runs), or
# that and what the tests need besides (`bash scripts/setup.sh --test`: what scripts/test.sh runs),
# skipping what is already there. Idempotent. See ../shared/TOOLCHAIN.md for why each pin.
#   build and serve  the wasm32 target, wasm-bindgen-cli, worker-build, npm packages
#   tests, besides   rustfmt and clippy, wasm-pack (wasm32 tests), Apache httpd (interop), wrk (load
#                    benchmark), python3 (an origin), Chromium and its driver (browser tests)
set -euo pipefail
cd "$(dirname "$0")/.."
case ${1:-} in
  "") tests=0 ;;
  --test) tests=1 ;;
  *) echo "usage: setup.sh [--test]" >&2; exit 2 ;;
esac

WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml / Cargo.lock
WASM_PACK_VERSION=0.15.1
WORKER_BUILD_VERSION=0.8.7     # must match the worker crate pinned in Cargo.toml

log() { printf '[setup] %s\n' "$*" >&2; }

# --- Rust target -------------------------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
if [ "$tests" = 1 ]; then
  for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
  done
fi

# --- cargo-installed tools (debug builds install in half the time and work the same) ------------
have_version() { # binary version
  command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -qF " $2"
}
if ! have_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (a few minutes, once)"
  # Not --locked: the CLI's own lock wants a webpki-roots release the registry here lacks.
  cargo install --debug --force wasm-bindgen-cli --version "=$WASM_BINDGEN_VERSION"
fi
if [ "$tests" = 1 ] && ! have_version wasm-pack "$WASM_PACK_VERSION"; then
  log "installing wasm-pack $WASM_PACK_VERSION (a few minutes, once)"
  cargo install --debug --force --locked wasm-pack --version "=$WASM_PACK_VERSION"
fi

if [ "$(worker-build --version 2>/dev/null)" != "$WORKER_BUILD_VERSION" ]; then
  log "installing worker-build $WORKER_BUILD_VERSION (a few minutes, once)"
  cargo install --debug --force --locked worker-build --version "=$WORKER_BUILD_VERSION"
fi

# --- Debian packages, for the tests only: Apache httpd (interop, benchmark), wrk (benchmark),
#     python3 (a test origin), Chromium and its driver (browser tests)
apt_updated=""
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  apt-get install -y -qq "$@" >/dev/null
}
if [ "$tests" = 1 ] && { [ ! -x /usr/sbin/apache2 ] || [ ! -f /usr/lib/apache2/modules/mod_session_crypto.so ]; }; then
  log "installing apache2 (Debian) for the interop tests"
  apt_install apache2
  # The tests start their own httpd on 127.0.0.1; never leave Debian's default site on *:80.
  (apache2ctl stop || service apache2 stop) >/dev/null 2>&1 || true
fi
if [ "$tests" = 1 ] && [ ! -x /usr/bin/wrk ]; then
  log "installing wrk (Debian) for the load benchmark"
  apt_install wrk
fi
if [ "$tests" = 1 ] && ! command -v python3 >/dev/null; then
  log "installing python3 (Debian) for the Python origin of the origin-signature test"
  apt_install python3
fi
if [ "$tests" = 1 ] && [ ! -x /usr/bin/redis-server ]; then
  log "installing redis-server (Debian) for the Redis store's tests"
  apt_install redis-server
  # The tests start their own redis-server on 127.0.0.1; never leave Debian's service running.
  (service redis-server stop || true) >/dev/null 2>&1
fi
if [ "$tests" = 1 ] && { [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; }; then
  log "installing chromium and chromium-driver (Debian) for the browser tests"
  apt_install chromium chromium-driver
fi

# --- npm dev dependencies (binaryen's wasm-opt; Debian's binaryen makes broken modules) ---------
if [ -f package-lock.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    log "npm ci"
    npm ci --no-audit --no-fund
  fi
fi
log "ready"
