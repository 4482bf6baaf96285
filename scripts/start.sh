#!/usr/bin/env bash
# The main job: set up what is missing, build, and serve the Worker with its embedded demo origin
# on http://127.0.0.1:${PORT:-8787} (wrangler dev, workerd from npm; nothing leaves this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/build-worker.sh

# .dev.vars holds the key: readable by its owner only (mode 0600), never on a command line.
if [ ! -f .dev.vars ]; then
  key=$(node bin/edge-session.js keygen)
  (
    umask 077
    {
      echo "# Local secrets for wrangler dev (git-ignored). Made by scripts/start.sh; see .dev.vars.example."
      echo "SESSION_KEYS=\"$key\""
      echo "# http://127.0.0.1 has no TLS: without Secure, curl's cookie jar sends the cookie back,"
      echo "# and production's __Host- cookie name (wrangler.toml) would need Secure."
      echo "SESSION_COOKIE_NAME=\"session\""
      echo "SESSION_COOKIE_ATTRIBUTES=\"Path=/; HttpOnly; SameSite=Lax\""
      echo "# The embedded demo origin: /login?user=NAME logs anyone in as anyone. Local only."
      echo "SESSION_DEMO=\"true\""
    } > .dev.vars
  )
  echo "[start] created .dev.vars with a fresh key"
else
  if ! grep -q '^SESSION_COOKIE_NAME=' .dev.vars; then
    # .dev.vars from before wrangler.toml named the cookie __Host-session.
    echo 'SESSION_COOKIE_NAME="session"' >> .dev.vars
    echo "[start] .dev.vars: added SESSION_COOKIE_NAME=\"session\" (http has no Secure cookies)"
  fi
  if ! grep -q '^SESSION_DEMO=' .dev.vars && ! grep -q '^ORIGIN=' .dev.vars; then
    # .dev.vars from before the demo origin had to be asked for.
    echo 'SESSION_DEMO="true"' >> .dev.vars
    echo "[start] .dev.vars: added SESSION_DEMO=\"true\" (the local demo origin)"
  fi
fi
chmod 600 .dev.vars
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
