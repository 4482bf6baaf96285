#!/usr/bin/env bash
# Builds the Cloudflare Worker into build/ with worker-build, using only local tools (no downloads):
# the cargo-installed wasm-bindgen (pinned), npm's binaryen wasm-opt and npm's esbuild.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN="$(command -v wasm-bindgen)"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
# The inspector, served at /inspect/ (www/vendor/ comes from scripts/build.sh).
if [ ! -f www/vendor/edge_session_wasm.js ]; then
  bash scripts/build.sh
fi
rm -rf build/assets && mkdir -p build/assets && cp -r www build/assets/inspect

# Up to date (wrangler dev runs this on every start): nothing to do.
if [ -f build/index.js ] && [ -f build/index_bg.wasm ] &&
  [ -z "$(find src Cargo.toml Cargo.lock scripts/build-worker.sh -newer build/index_bg.wasm -print -quit)" ]; then
  exit 0
fi
worker-build --release -- --features worker
