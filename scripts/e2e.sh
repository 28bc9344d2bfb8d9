#!/usr/bin/env bash
# End-to-end tests of the console and the docs in headless Chromium (Debian's `chromium`,
# driven by Playwright with executablePath), against a live server as in production:
# uvicorn on PostgreSQL with Redis and a Celery worker, on a database made for the run.
#
# Needs: PostgreSQL at PGHOST/PGPORT (default 127.0.0.1:5432, user postgres), REDIS_URL,
# /usr/bin/chromium (apt-get install chromium), the console built (make console).
# E2E_PORT (default 8159) is where the server listens.
set -euo pipefail
cd "$(dirname "$0")/.."

UV="${UV:-python3 -m uv}"
PORT="${E2E_PORT:-8159}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
DB_NAME="stockyard_e2e_$$"
export DATABASE_URL="postgres://${PGUSER}@${PGHOST}:${PGPORT}/${DB_NAME}"
export REDIS_URL="${REDIS_URL:?set REDIS_URL: the worker numbers events for the live feed}"
# Every test signs in through /o/login/: lift the per-address login budget for the run.
export THROTTLE_RATES="anon=6000/minute,user=60000/minute,auth=6000/minute"
export DATABASE_POOL_MAX_SIZE=8
LOGS="$(mktemp -d)"
pids=()

# shellcheck disable=SC2317,SC2329  # run by the EXIT trap (SC2329 in newer ShellCheck)
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q -d postgres -c "DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

psql -q -d postgres -c "CREATE DATABASE ${DB_NAME}"
$UV run python manage.py migrate --noinput >/dev/null
$UV run python manage.py collectstatic --noinput --verbosity 0
$UV run python manage.py seed_demo >/dev/null

$UV run uvicorn config.asgi:application --host 127.0.0.1 --port "$PORT" \
  --no-server-header --no-proxy-headers >"$LOGS/uvicorn.log" 2>&1 &
pids+=($!)
$UV run celery -A config worker --loglevel WARNING --concurrency 2 >"$LOGS/celery.log" 2>&1 &
pids+=($!)

for _ in $(seq 1 120); do
  curl -fs -o /dev/null "http://127.0.0.1:${PORT}/healthz" && break
  sleep 1
done
curl -fs -o /dev/null "http://127.0.0.1:${PORT}/healthz" || { cat "$LOGS/uvicorn.log"; exit 1; }

status=0
(cd frontend && E2E_BASE_URL="http://127.0.0.1:${PORT}" npx playwright test "$@") || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- uvicorn log (tail)"; tail -n 40 "$LOGS/uvicorn.log"
  echo "--- celery log (tail)"; tail -n 40 "$LOGS/celery.log"
fi
exit "$status"
