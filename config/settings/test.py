"""Test settings: the environment's database and Redis, fast hashing, tasks inline."""

import os
from urllib.parse import urlsplit, urlunsplit


def _redis_of_worker(url: str, worker: str) -> str:
    """pytest-xdist worker ``gwN``'s own Redis database: ``N + 1`` past the one in ``url``
    (modulo Redis' 16), as each worker has its own test database. Tests clear the cache."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + 1 + int(worker[2:])) % 16}"))


if os.environ.get("REDIS_URL") and (_worker := os.environ.get("PYTEST_XDIST_WORKER")):
    os.environ["REDIS_URL"] = _redis_of_worker(os.environ["REDIS_URL"], _worker)

from config.settings.base import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # Generous limits so suites are not throttled; throttling tests set their own rates.
    "DEFAULT_THROTTLE_RATES": {
        "anon": "10000/minute",
        "user": "10000/minute",
        "auth": "10000/minute",
    },
}
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# No collectstatic before tests: plain storage. ServeStatic serves nothing unless a test
# turns on SERVESTATIC_USE_FINDERS (scanning every app's files for each client is slow).
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SERVESTATIC_USE_FINDERS = False
SERVESTATIC_USE_STATIC_ROOT = False

# `manage.py lintmigrations` (CI): migrations must stay backward compatible with the
# release before them (docs/deployment.md, "Migrations that never take the site down").
INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]  # noqa: F405
MIGRATION_LINTER_OPTIONS = {
    "include_apps": [
        app.rsplit(".", 1)[-1] for app in INSTALLED_APPS if app.startswith("stockyard.")
    ],
    # Reviewed contractions and false alarms, by migration name (the linter's
    # IgnoreMigration() operation would make the migrations import a dev dependency):
    "ignore_name": [
        # Widening numeric columns (more places for prices, rates and amounts in 3-digit
        # currencies) keeps the previous release working; the linter cannot tell a
        # widening ALTER from a narrowing one.
        "0006_events_price_places",
        "0004_credit_limit_currency_places",
        "0003_amount_currency_places",
        "0006_currency_amounts_exchange_rates",
        "0007_currency_amounts_exchange_rates",
        "0004_reportschedule_last_error",
        # Widens price/cost, and makes product.unit a foreign key to the units it seeds
        # (every code in use included): a previous release writing an unknown unit code
        # would be refused, the one deliberate contraction.
        "0005_units_exchange_rates_price_places",
    ],
}
# Django's test client logs in without a request, which django-axes refuses: login limits
# are off in tests except where a test turns them on (accounts/tests/test_login_limits.py).
AXES_ENABLED = False
