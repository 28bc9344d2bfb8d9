# Stockyard: the commands the README names.
SHELL := /bin/bash
UV ?= python3 -m uv
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
TEST_PROCESSES ?= 2

NPM ?= npm

.PHONY: run setup uv migrate seed serve test lint format typecheck check worker bench-stock bench-orders bench-scale fuzz \
	console frontend-deps frontend-check api-client e2e

run: setup ## set up, migrate, seed demo data and serve on http://127.0.0.1:8000
	@echo ""
	@echo "  Console  http://$(HOST):$(PORT)/app/         (sign in as admin / admin-demo-pass-1)"
	@echo "  API      http://$(HOST):$(PORT)/api/v1/"
	@echo "  Docs     http://$(HOST):$(PORT)/api/docs/   (ReDoc: /api/redoc/)"
	@echo "  Admin    http://$(HOST):$(PORT)/admin/       (admin / admin-demo-pass-1)"
	@echo ""
	$(UV) run uvicorn config.asgi:application --host $(HOST) --port $(PORT) --workers $(WORKERS) \
		--no-server-header --no-proxy-headers

setup: uv console
	$(UV) sync --frozen
	$(UV) run python manage.py migrate --noinput
	$(UV) run python manage.py collectstatic --noinput --verbosity 0
	$(UV) run python manage.py seed_demo

uv:
	@python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

test: uv frontend-deps ## the whole suite (PostgreSQL when DATABASE_URL is set, else SQLite), then the console's unit tests
	$(UV) sync --frozen
	# In TEST_PROCESSES processes (pytest-xdist), each with its own test database and Redis
	# database; work-stealing keeps the slow migration tests from ending on one process.
	$(UV) run pytest --numprocesses $(TEST_PROCESSES) --dist worksteal
	cd frontend && $(NPM) run -s test

# --- The console (frontend/: Vue 3 + TypeScript + Vite) -------------------------------------
CONSOLE_INDEX := stockyard/console/static/console/index.html
CONSOLE_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html \
	frontend/vite.config.ts frontend/tsconfig.app.json frontend/package-lock.json
NODE_MODULES := frontend/node_modules/.package-lock.json

frontend-deps: $(NODE_MODULES)

$(NODE_MODULES): frontend/package-lock.json
	# npm ci: exactly the committed lockfile, or an error. (npm 11's ci requires the lockfile
	# to list optional dependencies of every platform, vite's Windows-only
	# napi-windows-process-start-time included.)
	cd frontend && $(NPM) ci --no-audit --no-fund

console: $(CONSOLE_INDEX) ## build the console into the app's static files when missing or stale

$(CONSOLE_INDEX): $(NODE_MODULES) $(CONSOLE_SOURCES)
	cd frontend && $(NPM) run -s build

frontend-check: frontend-deps ## vue-tsc type check and ESLint of the console
	cd frontend && $(NPM) run -s typecheck && $(NPM) run -s lint

api-client: frontend-deps ## regenerate the console's typed client (src/api/schema.d.ts) from the OpenAPI document
	mkdir -p var
	# The integer ranges in the schema follow the database vendor: pin one, so CI (PostgreSQL)
	# and a laptop (SQLite) generate the same client.
	DATABASE_URL=sqlite:///var/openapi-schema.sqlite3 DJANGO_SETTINGS_MODULE=config.settings.test \
		$(UV) run python manage.py spectacular --format openapi-json --file var/openapi.json
	cd frontend && $(NPM) run -s api:types

e2e: uv console ## end-to-end tests in headless Chromium against uvicorn + a Celery worker (PostgreSQL, Redis)
	bash scripts/e2e.sh

lint:
	$(UV) run ruff check .
	$(UV) run ruff format --check .

format:
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

typecheck:
	$(UV) run mypy .

check: lint typecheck
	$(UV) run python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(64))') \
		FIELD_ENCRYPTION_KEYS=$$(python3 -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
		ALLOWED_HOSTS=stockyard.example $(UV) run python manage.py check --deploy --fail-level WARNING

worker: ## a Celery worker (every queue) with the beat scheduler (needs REDIS_URL)
	$(UV) run celery -A config worker -B --loglevel INFO

bench-stock: ## hot-SKU benchmark: stock adjustments on one product, API vs raw SQL (PostgreSQL)
	$(UV) run python bench/hot_sku.py $(BENCH_ARGS)

fuzz: ## Schemathesis against a throwaway server and database: no 5xx, answers as documented (PostgreSQL, Redis)
	$(UV) run python scripts/fuzz.py

bench-orders: ## order placement benchmark: create + confirm through the API vs raw SQL (PostgreSQL)
	$(UV) run python bench/order_placement.py $(BENCH_ARGS)

bench-scale: ## scale benchmark: lists and reports at a small and a large business (builds them once)
	$(UV) run python bench/scale.py measure --sizes small,large

# --- Deployment (docs/deployment.md) ------------------------------------------------------
STAGING := bash deploy/staging/stack.sh
STAGING_BASE ?= http://127.0.0.1:8168
STAGING_PGBOUNCER_URL ?= postgres://postgres@127.0.0.1:56432/stockyard

.PHONY: deploy-check staging staging-down staging-status staging-pgbouncer preflight

deploy-check: uv ## validate deploy/ and the workflows offline (hadolint, schemas, nginx -t, ...)
	bash deploy/check.sh

staging: uv console ## production-shaped stack under var/staging/: nginx, uvicorn, PgBouncer, primary + replica, Redis, worker, beat
	$(UV) sync --frozen
	$(STAGING) up

staging-down: ## stop the staging stack (its data stays in var/staging/)
	$(STAGING) down

staging-status:
	$(STAGING) status

staging-pgbouncer: ## advisory locks and the events sequencer through staging's PgBouncer (transaction mode)
	DATABASE_URL=$(STAGING_PGBOUNCER_URL) DATABASE_DISABLE_SERVER_SIDE_CURSORS=true \
		$(UV) run pytest -q --reuse-db -p no:cacheprovider \
		stockyard/core/tests/test_locks.py stockyard/events/tests/test_sequencing.py

preflight: ## smoke-check a running environment: make preflight BASE=https://... (PREFLIGHT_USERNAME/PASSWORD)
	@test -n "$(BASE)" || { echo "usage: make preflight BASE=<url> (PREFLIGHT_USERNAME, PREFLIGHT_PASSWORD: an admin)"; exit 2; }
	@if [ -z "$$PREFLIGHT_USERNAME" ] && [ -f var/staging/preflight.env ]; then set -a; . var/staging/preflight.env; set +a; fi; \
		$(UV) run python scripts/preflight.py $(BASE)

# Backups: from the environment's settings (default: the staging stack's).
STAGING_ENV := set -a; [ -z "$$DATABASE_URL" ] && [ -f var/staging/stockyard.env ] && . var/staging/stockyard.env; set +a;

.PHONY: backup restore restore-drill lock-drill replica-drill
backup: ## database (pg_dump -Fc) + media + manifest into var/backups/<stamp>/
	@$(STAGING_ENV) $(UV) run python deploy/ops/backup.py backup

restore: ## make restore BACKUP=var/backups/<stamp> INTO=postgres://.../<empty database>
	@$(STAGING_ENV) $(UV) run python deploy/ops/backup.py restore $(BACKUP) --into $(INTO)

restore-drill: ## back up, restore into an empty database, check ledger, migrations and row counts
	@$(STAGING_ENV) $(UV) run python deploy/ops/backup.py drill

lock-drill: ## a migration meeting a held lock: fails fast with lock_timeout, stalls readers without
	@$(STAGING_ENV) $(UV) run python deploy/ops/lock_drill.py

replica-drill: ## staging: reports read the streaming replica yet count every write; replay paused -> primary
	@$(STAGING_ENV) $(UV) run python deploy/ops/replica_drill.py

.PHONY: release rollback zero-downtime-drill
release: ## staging: blue/green release of REF (default HEAD): migrate, start beside, switch nginx, drain
	$(STAGING) release $(or $(REF),HEAD)

rollback: ## staging: blue/green back to the previous release (the schema stays)
	$(STAGING) rollback

zero-downtime-drill: ## staging under loopback load: graceful reload, blue/green release, rollback; 0 failures
	$(UV) run python deploy/ops/zero_downtime.py $(STAGING_BASE)

.PHONY: rehearsal
rehearsal: ## upgrade rehearsal: the previous release's DB migrated by this one, its smoke suite on the new schema
	bash deploy/ops/rehearsal.sh
