#!/usr/bin/env bash
# The main job: set up what is missing, build, and serve the Worker with its embedded demo origin
# on http://127.0.0.1:${PORT:-8787} (wrangler dev, workerd from npm; nothing leaves this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/build-worker.sh

if [ ! -f .dev.vars ]; then
  key=$(node bin/edge-session.js keygen)
  {
    echo "# Local secrets for wrangler dev (git-ignored). Made by scripts/start.sh; see .dev.vars.example."
    echo "SESSION_KEYS=\"$key\""
    echo "# http://127.0.0.1 has no TLS: without Secure, curl's cookie jar sends the cookie back,"
    echo "# and production's __Host- cookie name (wrangler.toml) would need Secure."
    echo "SESSION_COOKIE_NAME=\"session\""
    echo "SESSION_COOKIE_ATTRIBUTES=\"Path=/; HttpOnly; SameSite=Lax\""
  } > .dev.vars
  echo "[start] created .dev.vars with a fresh key"
elif ! grep -q '^SESSION_COOKIE_NAME=' .dev.vars; then
  # .dev.vars from before wrangler.toml named the cookie __Host-session.
  echo 'SESSION_COOKIE_NAME="session"' >> .dev.vars
  echo "[start] .dev.vars: added SESSION_COOKIE_NAME=\"session\" (http has no Secure cookies)"
fi
node scripts/check-keys.mjs .dev.vars

PORT=${PORT:-8787}
cat <<MSG
[start] edge-session demo on http://127.0.0.1:$PORT (Ctrl-C to stop). Try:
  curl -c jar -b jar 'http://127.0.0.1:$PORT/login?user=alice'
  curl -c jar -b jar http://127.0.0.1:$PORT/
  curl -c jar -b jar http://127.0.0.1:$PORT/counter
MSG
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
exec npx --no-install wrangler dev --local --ip 127.0.0.1 --port "$PORT" --inspector-ip 127.0.0.1 \
  --show-interactive-dev-session=false
