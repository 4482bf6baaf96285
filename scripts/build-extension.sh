#!/usr/bin/env bash
# Builds the DevTools extension (Manifest V3; sources in www/extension/) into build/extension/ with
# the npm package's WebAssembly and glue (www/vendor/, from scripts/build.sh), and the zip a store
# upload takes: build/edge-session-extension.zip (the manifest, the pages, the WebAssembly, icons of
# 16, 48 and 128 px). `npm run build:extension` runs it. Load build/extension/ unpacked to try it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f www/vendor/edge_session_wasm.js ] || bash scripts/build.sh
rm -rf build/extension && mkdir -p build/extension/vendor
cp www/extension/* www/when.js build/extension/
cp www/vendor/edge_session.js www/vendor/edge_session_wasm.js build/extension/vendor/
node scripts/extension-icons.mjs build/extension/icons
python3 - <<'PY'
import os, zipfile
root = "build/extension"
with zipfile.ZipFile("build/edge-session-extension.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for d, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            path = os.path.join(d, f)
            z.write(path, os.path.relpath(path, root))
PY
echo "build/extension/ and build/edge-session-extension.zip ($(wc -c < build/edge-session-extension.zip) bytes)" >&2
