# Sourced by scripts/test.sh and scripts/build-worker.sh: lint this workspace's crates while a build
# or a test build compiles them, instead of a separate `cargo clippy` pass that checks every
# dependency a second time (measured on clean clones: the wasm32 pass over the Worker ~57 s of CPU, the native one ~20 s).
#
# `cargo clippy` is `cargo check` with clippy-driver as cargo's compiler wrapper for the workspace's
# crates (RUSTC_WORKSPACE_WRAPPER; dependencies are compiled by rustc alone) and its arguments in
# CLIPPY_ARGS. The same wrapper under `cargo build` or `cargo test` lints the same crates, with the
# same lints and -D warnings, as it builds them. clippy-driver turns MIR optimisations off (LLVM's
# are unchanged): a build made this way is tested, never published or measured (see
# scripts/build-worker.sh).
#
#   with_clippy CMD [ARG...]   runs CMD with the wrapper (the active toolchain's clippy-driver, so
#                              for cargo of that toolchain)
#   clippy_export              sets the wrapper for the rest of the calling script
clippy_driver=$(rustup which clippy-driver)
# cargo-clippy's interface to clippy-driver: its arguments, each followed by this separator.
clippy_args="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

# The interface is clippy's own, not a documented one: check that the driver still reads it and
# fails a build on a lint, or every lint would be silently off.
clippy_canary=$(mktemp -d)
printf 'pub fn f(x: u32) -> u32 { x.clone() }\n' > "$clippy_canary/canary.rs"
if CLIPPY_ARGS="$clippy_args" "$clippy_driver" --crate-type lib --edition 2021 --emit=metadata \
  --out-dir "$clippy_canary" "$clippy_canary/canary.rs" > /dev/null 2>&1; then
  rm -rf "$clippy_canary"
  echo "clippy-driver ($clippy_driver) did not fail a lint under CLIPPY_ARGS=-D warnings: lints would not run" >&2
  exit 1
fi
rm -rf "$clippy_canary"
unset clippy_canary

with_clippy() {
  RUSTC_WORKSPACE_WRAPPER="$clippy_driver" CLIPPY_ARGS="$clippy_args" "$@"
}

clippy_export() {
  export RUSTC_WORKSPACE_WRAPPER="$clippy_driver" CLIPPY_ARGS="$clippy_args"
}
