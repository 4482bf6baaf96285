#!/usr/bin/env bash
# Builds the npm package's WebAssembly and glue into pkg/ (release: opt-level z, LTO, wasm-opt -Oz).
set -euo pipefail
cd "$(dirname "$0")/.."
# wasm-opt from npm's binaryen (Debian's 108 makes modules that fail to load).
export PATH="$PWD/node_modules/.bin:$PATH"
wasm-pack build --release --target web --out-dir pkg --out-name edge_session --no-pack -- --features js
rm -f pkg/.gitignore
