#!/usr/bin/env bash
# Upgrade rehearsal: the previous release's database, migrated by this release, served
# by the previous release again (as during a rolling deploy or after a rollback), with
# the previous release's own smoke suite run against it.
#
#   make rehearsal            (needs the staging stack's PostgreSQL: make staging)
#
# 1. the previous release (deploy/previous-release, a commit) is unpacked with its venv
#    into var/rehearsal/previous/;
# 2. it migrates an empty database and seeds its demo data; pg_dump makes "the
#    production database of the previous release"; that dump is restored into a new one;
# 3. this checkout's `manage.py migrate` upgrades it (lock and statement timeouts on);
# 4. the previous release's server runs on the upgraded schema (127.0.0.1:8166) and its
#    walkthrough scripts run against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VAR=$ROOT/var/rehearsal
PG=${REHEARSAL_PG:-postgres://postgres@127.0.0.1:55432}
PORT=${REHEARSAL_PORT:-8166}
previous=$(cat deploy/previous-release)
old=$VAR/previous
source_db=stockyard_previous_release
target_db=stockyard_rehearsal
mkdir -p "$VAR"

step() { printf -- '- %s\n' "$*"; }

if [[ $(cat "$old/.commit" 2>/dev/null) != "$previous" ]]; then
  step "unpack the previous release ${previous:0:12}"
  rm -rf "$old" && mkdir -p "$old"
  git archive "$previous" | tar -x -C "$old"
  (cd "$old" && python3 -m uv sync --frozen -q && echo "$previous" > .commit)
fi

for db in "$source_db" "$target_db"; do
  PGOPTIONS="-c client_min_messages=warning" psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
done

step "the previous release builds its database: migrate + seed_demo"
(cd "$old" && DATABASE_URL=$PG/$source_db .venv/bin/python manage.py migrate --noinput -v0 &&
  DATABASE_URL=$PG/$source_db .venv/bin/python manage.py seed_demo >/dev/null)
pg_dump -Fc -f "$VAR/previous-release.dump" "$PG/$source_db"
pg_restore --no-owner --exit-on-error -d "$PG/$target_db" "$VAR/previous-release.dump"

step "this release migrates it"
started=$(date +%s)
DATABASE_URL=$PG/$target_db python3 -m uv run python manage.py migrate --noinput
step "migrated in $(($(date +%s) - started)) s"

step "the previous release serves the new schema on 127.0.0.1:$PORT"
# The walkthroughs sign in a dozen times a minute: no login limit in the way.
(cd "$old" && DATABASE_URL=$PG/$target_db THROTTLE_RATES=anon=6000/minute,user=6000/minute,auth=600/minute \
  exec .venv/bin/uvicorn config.asgi:application \
  --host 127.0.0.1 --port "$PORT" --log-level warning) > "$VAR/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null && break; sleep 0.2; done

failed=0
for script in walkthrough_inventory.py walkthrough_purchasing.py walkthrough_reports.py check_longpoll.py; do
  [[ -f $old/scripts/$script ]] || continue
  args=("http://127.0.0.1:$PORT")
  [[ $script == walkthrough_inventory.py ]] && args=(--base "http://127.0.0.1:$PORT")
  if (cd "$old/scripts" && ../.venv/bin/python "$script" "${args[@]}" > "$VAR/$script.log" 2>&1); then
    echo "PASS  previous release's $script on the new schema"
  else
    echo "FAIL  previous release's $script on the new schema (see $VAR/$script.log)"
    failed=1
  fi
done
exit "$failed"
