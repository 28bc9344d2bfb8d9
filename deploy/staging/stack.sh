#!/usr/bin/env bash
# A production-shaped Stockyard on one machine, from Debian's packages, everything under
# var/staging/ (docs/deployment.md, "The staging stack"):
#
#   nginx :8168 -> uvicorn (production settings, 2 workers) :8169
#             -> PgBouncer (transaction mode) :56432 -> PostgreSQL primary :55432
#                                                     -> streaming replica :55433
#                                                        (reports and exports read it)
#   Redis :56379 (cache, broker, channel layer), a Celery worker and Celery beat.
#
# Usage: stack.sh up | down | status
#        stack.sh reload                      graceful: uvicorn replaces its workers one by one
#        stack.sh release <git ref>           blue/green: new release beside the live one, switch
#        stack.sh rollback                    blue/green back to the previous release
#        stack.sh stop|start <worker|beat|redis>   (drills)
#
# Releases: var/staging/releases/<commit>/ (git archive of it, its own .venv); the live
# one serves on 8169 (blue) or 8167 (green), var/staging/current and previous name them.
# The first `up` serves the checkout itself as the blue release.
# Ports and sizes can be overridden from the environment (STAGING_*).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
VAR=$ROOT/var/staging
newest_pg_bin() { printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -1; }
PG_BIN=${PG_BIN:-$(newest_pg_bin)}
NGINX_PORT=${STAGING_NGINX_PORT:-8168}
APP_PORT=${STAGING_APP_PORT:-8169}
GREEN_PORT=${STAGING_GREEN_PORT:-8167}
PG_PORT=${STAGING_PG_PORT:-55432}
REPLICA_PORT=${STAGING_REPLICA_PORT:-55433}
BOUNCER_PORT=${STAGING_PGBOUNCER_PORT:-56432}
REDIS_PORT=${STAGING_REDIS_PORT:-56379}
WEB_WORKERS=${STAGING_WEB_WORKERS:-2}
DB_NAME=stockyard
VENV=$ROOT/.venv/bin

as_postgres() { runuser -u postgres -- "$@"; }
# uv itself, also when called from inside a project's venv (`uv run ...`: the drills),
# whose python3 has no uv module.
uv_() { if command -v uv >/dev/null; then uv "$@"; else python3 -m uv "$@"; fi; }
log() { printf '  %-10s %s\n' "$1" "$2"; }

install_packages() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v pgbouncer >/dev/null || missing+=(pgbouncer)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [[ -x $PG_BIN/initdb ]] || missing+=(postgresql)
  if ((${#missing[@]})); then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    PG_BIN=$(newest_pg_bin)
  fi
}

# --- settings the app runs with: made once, kept across restarts ----------------------
write_env() {
  [[ -f $VAR/stockyard.env ]] || new_env
  # Settings added since the file was made.
  # Plain http on loopback: the console's OAuth2 redirects must be allowed over http.
  env_default OAUTH2_REDIRECT_URI_SCHEMES https,http
  # Reports and exports read the streaming replica, through PgBouncer (docs/scaling.md).
  env_default DATABASE_REPLICA_URL "postgres://postgres@127.0.0.1:$BOUNCER_PORT/${DB_NAME}_replica"
}

env_default() { # name value: appended unless the file sets it already
  grep -q "^$1=" "$VAR/stockyard.env" || echo "$1=$2" >> "$VAR/stockyard.env"
}

new_env() {
  local secret keys password
  secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')
  keys=$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')
  password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
  cat > "$VAR/stockyard.env" <<EOF
DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY=$secret
FIELD_ENCRYPTION_KEYS=$keys
ALLOWED_HOSTS=127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$NGINX_PORT,http://localhost:$NGINX_PORT
TRUSTED_PROXIES=127.0.0.1/32
DATABASE_URL=postgres://postgres@127.0.0.1:$BOUNCER_PORT/$DB_NAME
DATABASE_MIGRATE_URL=postgres://postgres@127.0.0.1:$PG_PORT/$DB_NAME
DATABASE_DISABLE_SERVER_SIDE_CURSORS=true
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
MEDIA_ROOT=$VAR/media
SECURE_SSL_REDIRECT=false
SECURE_HSTS_SECONDS=0
BEAT_HEARTBEAT_SECONDS=10
EOF
  cat > "$VAR/preflight.env" <<EOF
PREFLIGHT_USERNAME=preflight
PREFLIGHT_PASSWORD=$password
EOF
}

# Runs a command with the staging settings (the env file, then the caller's overrides).
with_env() {
  # shellcheck source=/dev/null
  (set -a && . "$VAR/stockyard.env" && set +a && exec "$@")
}

# --- PostgreSQL: a primary and a streaming replica, own clusters on own ports ----------
pg_start() { # dir port
  as_postgres "$PG_BIN/pg_ctl" -D "$1" -l "$1/server.log" -w -t 60 -o "-p $2 -k $VAR/run" start >/dev/null
}

postgres_up() {
  local primary=$VAR/pg/primary replica=$VAR/pg/replica
  mkdir -p "$VAR/pg" "$VAR/run" "$VAR/wal-archive"
  chown postgres:postgres "$VAR/pg" "$VAR/run" "$VAR/wal-archive"
  if [[ ! -f $primary/PG_VERSION ]]; then
    as_postgres "$PG_BIN/initdb" -D "$primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
max_connections = 100
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 5
hot_standby = on
archive_mode = on
archive_command = 'test ! -f $VAR/wal-archive/%f && cp %p $VAR/wal-archive/%f'
archive_timeout = 60
# Read by the replica (pg_basebackup copies this file): long reports there are not
# cancelled by the replay of rows they still need.
hot_standby_feedback = on
EOF
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$primary" status >/dev/null 2>&1 || pg_start "$primary" "$PG_PORT"
  log postgres "primary on 127.0.0.1:$PG_PORT"
  as_postgres "$PG_BIN/psql" -h "$VAR/run" -p "$PG_PORT" -qtAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'" | grep -q 1 \
    || as_postgres "$PG_BIN/createdb" -h "$VAR/run" -p "$PG_PORT" "$DB_NAME"
  if [[ ! -f $replica/PG_VERSION ]]; then
    as_postgres "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$replica" -R -X stream
  fi
  as_postgres "$PG_BIN/pg_ctl" -D "$replica" status >/dev/null 2>&1 || pg_start "$replica" "$REPLICA_PORT"
  log replica "streaming replica on 127.0.0.1:$REPLICA_PORT"
}

# --- PgBouncer in transaction mode --------------------------------------------------------
pgbouncer_up() {
  mkdir -p "$VAR/pgbouncer" && chown postgres:postgres "$VAR/pgbouncer"
  cat > "$VAR/pgbouncer/pgbouncer.ini" <<EOF
[databases]
$DB_NAME = host=127.0.0.1 port=$PG_PORT dbname=$DB_NAME
${DB_NAME}_replica = host=127.0.0.1 port=$REPLICA_PORT dbname=$DB_NAME
; any other database (the test database of make staging-pgbouncer) on the primary
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir =
pool_mode = transaction
auth_type = trust
auth_file = $VAR/pgbouncer/userlist.txt
max_client_conn = 400
default_pool_size = 20
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $VAR/pgbouncer/pgbouncer.log
pidfile = $VAR/pgbouncer/pgbouncer.pid
EOF
  echo '"postgres" ""' > "$VAR/pgbouncer/userlist.txt"
  if ! pid_alive "$VAR/pgbouncer/pgbouncer.pid"; then
    as_postgres pgbouncer -d -q "$VAR/pgbouncer/pgbouncer.ini"
  fi
  log pgbouncer "transaction mode on 127.0.0.1:$BOUNCER_PORT"
}

# --- Redis ----------------------------------------------------------------------------
redis_up() {
  mkdir -p "$VAR/redis"
  if ! pid_alive "$VAR/redis/redis.pid"; then
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$VAR/redis" \
      --pidfile "$VAR/redis/redis.pid" --logfile "$VAR/redis/redis.log" \
      --appendonly yes --save "" >/dev/null
  fi
  log redis "127.0.0.1:$REDIS_PORT"
}

# --- the application: migrate, static files, uvicorn, worker, beat ---------------------
pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

daemon() { # name command...
  local name=$1
  shift
  pid_alive "$VAR/$name.pid" && return
  # One process from here to the server: the recorded pid is the server's own.
  # shellcheck source=/dev/null
  (cd "${RELEASE_DIR:-$ROOT}" && set -a && . "$VAR/stockyard.env" && set +a && exec setsid "$@") \
    >>"$VAR/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$VAR/$name.pid"
}

stop_pid() { # pidfile [signal]
  local pid
  pid_alive "$1" || { rm -f "$1"; return 0; }
  pid=$(cat "$1")
  kill "-${2:-TERM}" "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$1"
}

app_prepare() {
  mkdir -p "$VAR/log" "$VAR/media" "$VAR/www"
  with_env env DATABASE_URL="$(with_env printenv DATABASE_MIGRATE_URL)" \
    "$VENV/python" manage.py migrate --noinput >/dev/null
  with_env "$VENV/python" manage.py collectstatic --noinput >/dev/null
  [[ -L $VAR/www/static ]] || ln -sfn "$ROOT/staticfiles" "$VAR/www/static"
  # shellcheck source=/dev/null
  (set -a && . "$VAR/preflight.env" && set +a &&
    DJANGO_SUPERUSER_USERNAME=$PREFLIGHT_USERNAME DJANGO_SUPERUSER_PASSWORD=$PREFLIGHT_PASSWORD \
    DJANGO_SUPERUSER_EMAIL=preflight@example.com \
    with_env "$VENV/python" manage.py createsuperuser --noinput >/dev/null 2>&1 || true)
}

web_up() { # port [name]; RELEASE_DIR picks the release (default: this checkout)
  daemon "${2:-web}" "${RELEASE_DIR:-$ROOT}/.venv/bin/uvicorn" config.asgi:application --host 127.0.0.1 --port "$1" \
    --workers "$WEB_WORKERS" --no-proxy-headers --no-server-header --timeout-graceful-shutdown 35 --timeout-worker-healthcheck 60 --log-level info
  wait_http "http://127.0.0.1:$1/healthz" "$VAR/${2:-web}.pid"
  log web "uvicorn, $WEB_WORKERS workers, on 127.0.0.1:$1"
}

worker_up() {
  daemon worker "${RELEASE_DIR:-$ROOT}/.venv/bin/celery" -A config worker --loglevel INFO \
    --concurrency 2 --hostname "staging@%h"
  log worker "celery worker"
}

beat_up() {
  daemon beat "${RELEASE_DIR:-$ROOT}/.venv/bin/celery" -A config beat --loglevel INFO --schedule "$VAR/celerybeat-schedule"
  log beat "celery beat"
}

# Until url answers 2xx; gives up when the server's process (pidfile) exits, or after
# STAGING_WAIT_SECONDS (180): Django's start-up takes a minute on a busy machine.
wait_http() { # url [pidfile]
  local deadline=$((SECONDS + ${STAGING_WAIT_SECONDS:-180}))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    if [[ -n ${2:-} ]] && ! pid_alive "$2"; then
      echo "the server for $1 exited (see $VAR/log/)" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "no answer from $1 in ${STAGING_WAIT_SECONDS:-180} s" >&2
  return 1
}

# --- nginx in front -------------------------------------------------------------------
nginx_conf() { # upstream port
  mkdir -p "$VAR/nginx/tmp"
  cp deploy/nginx/stockyard.conf deploy/nginx/stockyard-proxy-headers.conf "$VAR/nginx/"
  sed -i "s#^    listen 80;#    listen 127.0.0.1:$NGINX_PORT;#; s#root /srv/stockyard;#root $VAR/www;#" \
    "$VAR/nginx/stockyard.conf"
  printf 'upstream stockyard_app {\n    server 127.0.0.1:%s max_fails=0;\n    keepalive 16;\n}\n' \
    "$1" > "$VAR/nginx/upstream.conf"
  cat > "$VAR/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $VAR/nginx/nginx.pid;
error_log $VAR/nginx/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path $VAR/nginx/tmp/body;
    proxy_temp_path $VAR/nginx/tmp/proxy;
    fastcgi_temp_path $VAR/nginx/tmp/fastcgi;
    uwsgi_temp_path $VAR/nginx/tmp/uwsgi;
    scgi_temp_path $VAR/nginx/tmp/scgi;
    log_format main '\$remote_addr "\$request" \$status \$body_bytes_sent \$request_time up=\$upstream_addr';
    access_log $VAR/nginx/access.log main;
    include upstream.conf;
    include stockyard.conf;
}
EOF
}

nginx_up() {
  nginx_conf "$(live_port)"
  nginx -q -t -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -e "$VAR/nginx/error.log"
  pid_alive "$VAR/nginx/nginx.pid" || nginx -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -e "$VAR/nginx/error.log"
  wait_http "http://127.0.0.1:$NGINX_PORT/healthz"
  log nginx "http://127.0.0.1:$NGINX_PORT/"
}

# --- releases: graceful reload, blue/green switch, rollback -------------------------------
live_port() { cat "$VAR/live-port" 2>/dev/null || echo "$APP_PORT"; }
web_name() { [[ $1 == "$APP_PORT" ]] && echo web || echo web-green; } # port -> pid file name
live_release() { readlink "$VAR/current" 2>/dev/null || echo "$ROOT"; }

reload() {
  local pid old
  pid=$(cat "$VAR/$(web_name "$(live_port)").pid")
  old=$(pgrep -P "$pid" -f spawn_main | sort)
  kill -HUP "$pid"
  # Each old worker retires once its replacement is up, after draining its connections.
  for _ in $(seq 1 300); do
    [[ -z $(comm -12 <(echo "$old") <(pgrep -P "$pid" -f spawn_main | sort)) ]] && break
    sleep 1
  done
  log reload "uvicorn $pid replaced workers $(echo "$old" | tr '\n' ' ')"
}

release_dir() { # ref -> var/staging/releases/<commit>, made once (the tree + its own venv)
  local commit dir
  commit=$(git rev-parse --verify "$1^{commit}")
  dir=$VAR/releases/$commit
  if [[ ! -f $dir/.release-ready ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    git archive "$commit" | tar -x -C "$dir"
    # Called as $(release_dir ...), where errexit is off: each step checked.
    (cd "$dir" && uv_ sync --frozen --no-dev -q) || return 1
    # The console, built as the image builds it (deploy/Dockerfile), collected by switch_to.
    if [[ -f $dir/frontend/package-lock.json ]]; then
      (cd "$dir/frontend" && npm ci --no-audit --no-fund --loglevel error >/dev/null &&
        npm run -s build >/dev/null) || return 1
    fi
    touch "$dir/.release-ready"
  fi
  echo "$dir"
}

switch_to() { # release dir: start it on the idle port, switch nginx, drain the old one
  local dir=$1 old_port new_port old_name new_name
  old_port=$(live_port)
  if [[ $old_port == "$APP_PORT" ]]; then new_port=$GREEN_PORT; else new_port=$APP_PORT; fi
  old_name=$(web_name "$old_port")
  new_name=$(web_name "$new_port")
  (cd "$dir" && with_env env DATABASE_URL="$(with_env printenv DATABASE_MIGRATE_URL)" \
    "$dir/.venv/bin/python" manage.py migrate --noinput >/dev/null)
  (cd "$dir" && with_env "$dir/.venv/bin/python" manage.py collectstatic --noinput >/dev/null)
  RELEASE_DIR=$dir web_up "$new_port" "$new_name"
  wait_http "http://127.0.0.1:$new_port/readyz" "$VAR/$new_name.pid"
  ln -sfn "$dir/staticfiles" "$VAR/www/static"
  nginx_conf "$new_port"
  nginx -q -t -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -e "$VAR/nginx/error.log"
  nginx -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -e "$VAR/nginx/error.log" -s reload
  echo "$new_port" > "$VAR/live-port"
  log switch "nginx -> 127.0.0.1:$new_port ($(basename "$dir"))"
  # Old nginx workers finish their requests; the old server drains its long-polls.
  stop_pid "$VAR/$old_name.pid"
  stop_pid "$VAR/worker.pid" && RELEASE_DIR=$dir worker_up
  stop_pid "$VAR/beat.pid" && RELEASE_DIR=$dir beat_up
  ln -sfn "$(live_release)" "$VAR/previous"
  ln -sfn "$dir" "$VAR/current"
}

release() {
  local dir
  dir=$(release_dir "${1:?release <git ref>}")
  switch_to "$dir"
}

rollback() {
  [[ -L $VAR/previous ]] || { echo "no previous release to roll back to" >&2; exit 1; }
  switch_to "$(readlink "$VAR/previous")"
}

up() {
  install_packages
  mkdir -p "$VAR/log"
  write_env
  postgres_up
  pgbouncer_up
  redis_up
  app_prepare
  RELEASE_DIR=$(live_release) web_up "$(live_port)" "$(web_name "$(live_port)")"
  RELEASE_DIR=$(live_release) worker_up
  RELEASE_DIR=$(live_release) beat_up
  nginx_up
  echo
  echo "Staging is up: http://127.0.0.1:$NGINX_PORT/  (admin credentials: $VAR/preflight.env)"
  echo "  make preflight BASE=http://127.0.0.1:$NGINX_PORT"
}

down() {
  [[ -f $VAR/nginx/nginx.pid ]] && nginx -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -s quit 2>/dev/null || true
  for name in beat worker web web-green; do stop_pid "$VAR/$name.pid"; done
  [[ -f $VAR/redis/redis.pid ]] && stop_pid "$VAR/redis/redis.pid"
  [[ -f $VAR/pgbouncer/pgbouncer.pid ]] && stop_pid "$VAR/pgbouncer/pgbouncer.pid"
  for dir in "$VAR/pg/replica" "$VAR/pg/primary"; do
    [[ -f $dir/PG_VERSION ]] && as_postgres "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
  done
  echo "Staging stopped (data kept in $VAR; remove it for a fresh start)."
}

status() {
  local name
  for name in web worker beat; do
    printf '  %-10s %s\n' "$name" "$(pid_alive "$VAR/$name.pid" && echo running || echo stopped)"
  done
  printf '  %-10s %s\n' redis "$(pid_alive "$VAR/redis/redis.pid" && echo running || echo stopped)"
  printf '  %-10s %s\n' pgbouncer "$(pid_alive "$VAR/pgbouncer/pgbouncer.pid" && echo running || echo stopped)"
  printf '  %-10s %s\n' nginx "$(pid_alive "$VAR/nginx/nginx.pid" && echo running || echo stopped)"
  # Deliveries wait on `webhooks`, everything else on `celery`: both must be consumed.
  printf '  %-10s %s\n' queues "$(with_env "$VENV/celery" -A config inspect active_queues --json --timeout 5 2>/dev/null |
    python3 -c 'import json, sys; print(" ".join(sorted({q["name"] for qs in json.load(sys.stdin).values() for q in qs})))' ||
    echo "no worker answered")"
  as_postgres "$PG_BIN/psql" -h "$VAR/run" -p "$PG_PORT" -qtAc \
    "SELECT '  replication ' || application_name || ' ' || state || ' lag=' || coalesce(replay_lag::text, '0') FROM pg_stat_replication" 2>/dev/null || echo "  postgres   stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  reload) reload ;;
  release) release "${2:-}" ;;
  rollback) rollback ;;
  stop)
    case "${2:-}" in
      worker | beat) stop_pid "$VAR/$2.pid" ;;
      redis) stop_pid "$VAR/redis/redis.pid" ;;
      *) echo "stop what? worker, beat or redis" >&2; exit 2 ;;
    esac ;;
  start)
    case "${2:-}" in
      worker) worker_up ;;
      beat) beat_up ;;
      redis) redis_up ;;
      *) echo "start what? worker, beat or redis" >&2; exit 2 ;;
    esac ;;
  *) echo "usage: $0 up|down|status|stop <worker|beat|redis>|start <worker|beat|redis>" >&2; exit 2 ;;
esac
