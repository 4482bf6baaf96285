#!/usr/bin/env bash
# Builds the Cloudflare Worker (the worker/ crate) into build/ with worker-build, using only local
# tools (no downloads): the cargo-installed wasm-bindgen (pinned), npm's binaryen wasm-opt and npm's
# esbuild.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_BIN="$(command -v wasm-bindgen)"
export WASM_OPT_BIN="$PWD/node_modules/.bin/wasm-opt"
export ESBUILD_BIN="$PWD/node_modules/.bin/esbuild"
# `--code` builds only the Worker's code, `--assets` only copies its static assets (the inspector),
# which need the npm package's www/vendor/ copy: scripts/test.sh's Worker lane builds the code
# beside the package and copies the assets once the package is there. No argument: both.
# `--example` builds the Rust example instead (examples/rust-worker/, into its build/).
# `--dbsc` builds the Worker's code with its `dbsc` feature (device-bound sessions: SESSION_DEVICE_BOUND)
# into build-dbsc/ (to deploy it, point wrangler.toml's `main` at build-dbsc/index.js and its build
# command at `bash scripts/build-worker.sh --dbsc`).
part=${1:-all}
case $part in all | --code | --assets | --example | --dbsc) ;; *) echo "usage: build-worker.sh [--code | --assets | --example | --dbsc]" >&2; exit 2 ;; esac
out=build
features=()
if [ "$part" = --dbsc ]; then
  out=build-dbsc
  features=(--features dbsc)
  part=--code
fi

# EDGE_SESSION_CLIPPY=1 (scripts/test.sh): the build also runs clippy, -D warnings, over this
# workspace's crates it compiles (scripts/clippy-wrap.sh), instead of a separate wasm32
# `cargo clippy` over the Worker's whole dependency tree. Such a build is not the one to deploy or
# measure (clippy-driver turns MIR optimisations off): build/.kind marks it, a plain call rebuilds
# it, and a full benchmark run rebuilds it.
linted=${EDGE_SESSION_CLIPPY:-0}
# Only where cargo runs: not for the assets, nor when build/ is up to date (every wrangler dev start).
lint_if_asked() {
  if [ "$linted" = 1 ]; then
    source scripts/clippy-wrap.sh
    clippy_export
  fi
}

if [ "$part" = --example ]; then
  lint_if_asked
  # The tests' build of the example (EDGE_SESSION_CLIPPY) skips wasm-opt: they check what the
  # example does, and the Worker's own build runs wasm-opt on the same dependencies (measured: 8 s of
  # CPU saved). `wrangler dev` in the example's folder, as a user runs it, optimises.
  opt=()
  [ "$linted" != 1 ] || opt=(--no-opt)
  cd examples/rust-worker && exec worker-build --release "${opt[@]}"
fi
mkdir -p build

if [ "$part" != --code ]; then
  # The inspector, served at /inspect/ (www/vendor/ comes from scripts/build.sh).
  if [ ! -f www/vendor/edge_session_wasm.js ]; then
    bash scripts/build.sh
  fi
  rm -rf build/assets && mkdir -p build/assets && cp -r www build/assets/inspect && rm -rf build/assets/inspect/extension
  # Its response headers (frame-ancestors and friends), in the assets' _headers file.
  cp worker/assets/_headers build/assets/_headers
fi
[ "$part" != --assets ] || exit 0

# The deployed build (a plain call: `wrangler deploy`, `wrangler dev`, the benchmarks) and the
# tests' build (linted by clippy-driver) are both stable Rust; $out/.kind tells them apart.
# EDGE_SESSION_NAMES=1 (bench/profile-worker.mjs): the same release build with the wasm's names
# section kept (wasm-opt -g), so that a profile names its functions; never the one to deploy.
names=${EDGE_SESSION_NAMES:-0}
if [ "$linted" = 1 ]; then
  kind="release, linted by clippy-driver"
elif [ "$names" = 1 ]; then
  kind="release, names kept"
else
  kind=release
fi

# Up to date, and built the same way (wrangler dev runs this on every start): nothing to do.
if [ -f $out/index.js ] && [ -f $out/index_bg.wasm ] && [ "$(cat $out/.kind 2>/dev/null)" = "$kind" ] &&
  [ -z "$(find src worker/src worker/Cargo.toml Cargo.toml Cargo.lock scripts/build-worker.sh -newer $out/index_bg.wasm -print -quit)" ]; then
  exit 0
fi
rm -f $out/.kind
lint_if_asked
# worker-build writes worker/build/; the Worker is served from build/ (wrangler.toml `main`).
# worker-build's own wasm-opt pass is off (worker/Cargo.toml): it keeps the names section (35 KB
# gzip; the Worker's panics log their message and location without it). This pass is the same -O
# without it (-Oz measured 40 bytes smaller gzipped, no faster). The features are the ones workerd
# supports, as worker-build names them.
mkdir -p "$out"
(cd worker && worker-build --release . "${features[@]}")
for f in worker/build/*; do
  [ "$(basename "$f")" = assets ] || { rm -rf "$out/$(basename "$f")"; mv "$f" "$out/"; }
done
rm -rf worker/build
keep=()
[ "$names" != 1 ] || keep=(-g)
wasm-opt -O "${keep[@]}" --enable-mutable-globals --enable-sign-ext --enable-nontrapping-float-to-int --enable-bulk-memory \
  --enable-multivalue --enable-reference-types --enable-exception-handling $out/index_bg.wasm -o $out/index_bg.wasm
echo "$kind" > $out/.kind
