"""Settings shared by every environment, read from the environment (django-environ).

With nothing set, Stockyard runs on a laptop: a SQLite file, the local-memory cache,
the in-memory channel layer and Celery executing tasks inline. ``DATABASE_URL`` and
``REDIS_URL`` switch to PostgreSQL and Redis.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
import pghistory
import sentry_sdk
import structlog
from kombu import Queue
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from stockyard.integrations.email_providers import email_backend_settings

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "oauth2_provider",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc assets, served as static files
    "channels",
    "pgtrigger",
    "pghistory",
    "stockyard.core",
    "stockyard.audit",
    "stockyard.accounts",
    "stockyard.events",
    "stockyard.partners",
    "stockyard.catalog",
    "stockyard.inventory",
    "stockyard.purchasing",
    "stockyard.sales",
    "stockyard.shipping",
    "stockyard.reporting",
    "stockyard.payments",
    "stockyard.imports",
    "stockyard.feedback",
    "stockyard.integrations",
    "stockyard.demo",
    "stockyard.console",
]

MIDDLEWARE = [
    "stockyard.core.proxies.TrustedProxyMiddleware",
    "stockyard.core.time.UTCResponsesMiddleware",
    "stockyard.core.logging.RequestLogMiddleware",
    "stockyard.core.limits.RequestSizeLimitMiddleware",
    "stockyard.core.caching.ApiNoStoreMiddleware",
    "stockyard.core.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (admin, API docs, the console) from the app itself, under any server:
    # ServeStatic is WhiteNoise made async (async-only): under uvicorn, requests under
    # STATIC_URL take the async chain, and the one-hop sync chain leaves it out (core.asgi).
    "servestatic.middleware.ServeStaticMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "stockyard.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "stockyard.core.idempotency.IdempotencyMiddleware",
    # Turns a login refused for too many failures into its 429 page.
    "axes.middleware.AxesMiddleware",
    "stockyard.core.middleware.ResponseCycleMiddleware",
]

# Request bodies over this many bytes are refused with 413 (Django's default, 2.5 MiB).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# Reverse proxies / load balancers whose X-Forwarded-For and X-Forwarded-Proto are believed
# (CIDRs, comma-separated). Empty: nobody's are, the TCP peer is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Under ASGI every sync view runs on a pool thread: persistent connections would pile up
# one per thread, so PostgreSQL connections come from a psycopg pool instead.
DATABASE_POOL_MAX_SIZE = env.int("DATABASE_POOL_MAX_SIZE", default=0)


def _database(url: str) -> dict[str, Any]:
    """The connection settings of the database at ``url``: the same pool, connection age
    and cursor choices for the primary and its replica."""
    database: dict[str, Any] = dict(env.db_url_config(url))
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    if DATABASE_POOL_MAX_SIZE and database["ENGINE"].endswith("postgresql"):
        database["CONN_MAX_AGE"] = 0
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": 10,
        }
    # Behind PgBouncer in transaction mode a transaction may run on any server connection:
    # no server-side cursors (Django already turns psycopg's prepared statements off).
    database["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
        "DATABASE_DISABLE_SERVER_SIDE_CURSORS", default=False
    )
    return database


DATABASES = {
    "default": _database(env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
# Reports and exports read from a PostgreSQL streaming replica when it is set, everything
# else uses the primary (stockyard/core/replicas.py, docs/scaling.md). Tests never create
# a database on it: in tests the alias mirrors the primary.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {**_database(DATABASE_REPLICA_URL), "TEST": {"MIRROR": "default"}}
# How long a report waits for the replica to replay what the primary had committed when
# the report started, before reading from the primary instead (seconds).
DATABASE_REPLICA_MAX_WAIT = env.float("DATABASE_REPLICA_MAX_WAIT", default=2.0)
DATABASE_ROUTERS = ["stockyard.core.replicas.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# `manage.py migrate` on PostgreSQL gives up on a table lock not granted within
# MIGRATION_LOCK_TIMEOUT instead of stalling every query queued behind it.
MIGRATION_LOCK_TIMEOUT = env.str("MIGRATION_LOCK_TIMEOUT", default="5s")
MIGRATION_STATEMENT_TIMEOUT = env.str("MIGRATION_STATEMENT_TIMEOUT", default="5min")

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Refuses locked-out usernames and addresses before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "stockyard.accounts.backends.PasswordBackend",
]
# Argon2id, as Django recommends; older hashes still verify and are upgraded on login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")  # the business's zone (IANA name)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"  # filled by ``manage.py collectstatic`` (make setup)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names cached for a year, with gzip copies, served by ServeStatic.
    "staticfiles": {"BACKEND": "servestatic.storage.CompressedManifestStaticFilesStorage"},
}
# Files the app writes (report exports); served only through the API, never as /media/.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# --- Redis: cache, Celery broker and the Channels layer --------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "stockyard.core.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            # Fail fast when Redis is down: the throttles then count per process.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 times socket reads out after 5 s by default, the length of the
            # layer's blocking BZPOPMIN: every idle receive (each WebSocket) would fail.
            # Its async connections retry nothing by default: after a Redis restart each
            # pooled connection failed its next command (a WebSocket handshake: 500);
            # now a dropped connection is replaced and the command retried.
            "CONFIG": {
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "socket_timeout": None,
                        "retry": AsyncRetry(ExponentialBackoff(cap=1.0, base=0.05), 3),
                    }
                ]
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TIMEZONE = TIME_ZONE
# One queue per kind of work, so no kind waits behind another (docs/scaling.md): event
# numbering is short and everything real-time waits on it; webhook deliveries wait on
# other people's servers; report files, e-mailed reports and imports run for minutes;
# the rest (sweeps, e-mails, refunds) is short. A worker started without ``-Q`` consumes
# every queue declared here; a split deployment gives each kind its own workers. Each
# queue has a routing key of its own (a direct exchange gives a key to every queue bound
# by it, and kombu's default key for all five would be "celery").
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in ("celery", "events", "webhooks", "reports", "imports")
]
CELERY_TASK_ROUTES = {
    "stockyard.events.tasks.sequence_events": {"queue": "events"},
    "stockyard.events.tasks.deliver_webhook": {"queue": "webhooks"},
    "stockyard.reporting.tasks.build_export": {"queue": "reports"},
    "stockyard.reporting.tasks.run_report_schedule": {"queue": "reports"},
    "stockyard.imports.tasks.run_import": {"queue": "imports"},
}
BEAT_HEARTBEAT_SECONDS = env.int("BEAT_HEARTBEAT_SECONDS", default=30)
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {
        "task": "stockyard.core.tasks.beat_heartbeat",
        "schedule": timedelta(seconds=BEAT_HEARTBEAT_SECONDS),
        "options": {"expires": BEAT_HEARTBEAT_SECONDS},  # a late tick proves nothing
    },
    "purge-expired-idempotency-keys": {
        "task": "stockyard.core.tasks.purge_expired_idempotency_keys",
        "schedule": timedelta(hours=1),
    },
    "clear-expired-oauth2-tokens": {
        "task": "stockyard.accounts.tasks.clear_expired_oauth2_tokens",
        "schedule": timedelta(days=1),
    },
    "publish-reorder-alerts": {
        "task": "stockyard.purchasing.tasks.publish_reorder_alerts",
        "schedule": timedelta(days=1),
    },
    "reap-stale-exports": {
        "task": "stockyard.reporting.tasks.reap_stale_exports",
        "schedule": timedelta(minutes=1),
    },
    "send-due-report-schedules": {
        "task": "stockyard.reporting.tasks.send_due_report_schedules",
        "schedule": timedelta(minutes=5),
    },
    "sequence-events": {
        "task": "stockyard.events.tasks.sequence_events",
        "schedule": timedelta(seconds=10),
    },
    "refund-missing-returns": {
        "task": "stockyard.payments.tasks.refund_missing_returns",
        "schedule": timedelta(minutes=5),
    },
    "dispatch-webhook-retries": {
        "task": "stockyard.events.tasks.dispatch_webhook_retries",
        "schedule": timedelta(seconds=10),
    },
}

# --- Django REST Framework ------------------------------------------------------------
THROTTLE_RATES = dict(
    pair.split("=", 1)
    for pair in env.list(
        "THROTTLE_RATES", default=["anon=60/minute", "user=1200/minute", "auth=10/minute"]
    )
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # OAuth2 first: it takes only opaque tokens and leaves dotted JWTs to simplejwt.
        "stockyard.accounts.authentication.OAuth2TokenAuthentication",
        "stockyard.accounts.tokens.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["stockyard.accounts.permissions.RolePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["stockyard.core.limits.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "stockyard.core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "stockyard.core.throttling.AnonRateThrottle",
        "stockyard.core.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": THROTTLE_RATES,
    # The client address is settled by core.proxies from TRUSTED_PROXIES: DRF must read
    # REMOTE_ADDR, never X-Forwarded-For itself.
    "NUM_PROXIES": 0,
    "DEFAULT_SCHEMA_CLASS": "stockyard.core.schema.StockyardAutoSchema",
    "EXCEPTION_HANDLER": "stockyard.core.problems.problem_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    # The token view sends user_logged_in, which updates last_login (and resets login limits).
    "UPDATE_LAST_LOGIN": False,
    "SIGNING_KEY": SECRET_KEY,
    # Tokens carry the user's token epoch: a password/role/active change or a logout
    # revokes every earlier one (stockyard.accounts.tokens).
    "TOKEN_OBTAIN_SERIALIZER": "stockyard.accounts.tokens.TokenObtainSerializer",
    "TOKEN_REFRESH_SERIALIZER": "stockyard.accounts.tokens.TokenRefreshSerializer",
}

# --- OAuth2 provider at /o/ (django-oauth-toolkit): authorization code + PKCE only ------
OAUTH2_PROVIDER: dict[str, Any] = {
    # Authorization code and refresh token grants only: no implicit, password or
    # client_credentials grants (a client_credentials token would have no user, hence no roles).
    "OAUTH2_SERVER_CLASS": "oauthlib.oauth2.WebApplicationServer",
    "SCOPES": {"read": "Read data (safe methods)", "write": "Change data (unsafe methods)"},
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH2_ACCESS_MINUTES", default=15) * 60,
    "REFRESH_TOKEN_EXPIRE_SECONDS": env.int("OAUTH2_REFRESH_DAYS", default=7) * 24 * 3600,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "PKCE_REQUIRED": True,
    # Laptops run the front end on http://localhost; production allows https only.
    "ALLOWED_REDIRECT_URI_SCHEMES": env.list(
        "OAUTH2_REDIRECT_URI_SCHEMES", default=["https", "http"]
    ),
    # RFC 9700 (OAuth 2.0 Security BCP): S256 only, tokens hashed at rest, none in URLs,
    # `iss` in authorization responses.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
LOGIN_URL = "oauth2_provider:login"

# --- Failed-login limits (django-axes): per username and, separately, per client address --
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "stockyard.core.proxies.client_address"
AXES_LOCKOUT_CALLABLE = "stockyard.accounts.login_limits.lockout_response"
AXES_VERBOSE = False  # /o/authorize/ sends anonymous users here

SPECTACULAR_SETTINGS = {
    "TITLE": "Stockyard API",
    "DESCRIPTION": (
        "Backend for businesses that buy, stock, sell and ship goods. Errors are RFC 9457 "
        "`application/problem+json` with a stable `code`; every POST accepts an "
        "`Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "stockyard.accounts.roles.Role",
        "CapabilityEnum": "stockyard.accounts.roles.Capability",
        "ExportStatusEnum": "stockyard.reporting.enums.ExportStatus",
        "ImportKindEnum": "stockyard.imports.enums.ImportKind",
        "PaymentStatusEnum": "stockyard.payments.enums.PaymentStatus",
        "SalesOrderPaymentStatusEnum": "stockyard.sales.enums.PaymentState",
    },
    "OAUTH2_FLOWS": ["authorizationCode"],
    "OAUTH2_AUTHORIZATION_URL": "/o/authorize/",
    "OAUTH2_TOKEN_URL": "/o/token/",
    "OAUTH2_REFRESH_URL": "/o/token/",
    # Swagger UI and ReDoc from drf-spectacular-sidecar's packaged assets: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "stockyard.core.openapi.add_problem_responses",
    ],
}

# --- CORS / CSRF for the Vue.js front end, the admin and the docs ------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_EXPOSE_HEADERS = ["ETag", "X-Request-ID", "Idempotent-Replayed", "Location"]
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "if-match",
    "idempotency-key",
    "x-request-id",
    "x-csrftoken",
]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=CORS_ALLOWED_ORIGINS)

# --- Encryption at rest (partners' tax ids, bank accounts, phones, emails) -------------
# A fixed key so a laptop works out of the box; production refuses to start with it.
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "c3RvY2t5YXJkLWRldmVsb3BtZW50LWtleS0wMDAwMDA="
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=[DEVELOPMENT_FIELD_ENCRYPTION_KEY]
)

# --- Audit trail (django-pghistory: PostgreSQL triggers; see docs/audit.md) ------------
# Each tracked model gets an event table filled by triggers on insert, update and delete.
# The context (user, request id, source) is stored on every event row as JSON, so no
# shared context row is upserted per write, and event ids come from one sequence.
PGHISTORY_BASE_MODEL = "stockyard.audit.models.Event"
PGHISTORY_CONTEXT_FIELD = pghistory.ContextJSONField()
# Event rows are read by object and by time, not by what they point at: no index per copied
# foreign key, so a tracked write costs one narrow INSERT.
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)
# ...but by object they are: the audit log's diffs compare an event with the object's last.
PGHISTORY_OBJ_FIELD = pghistory.ObjForeignKey(db_index=True, related_name="+")
PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_CREATED_AT_FUNCTION = "clock_timestamp()"  # when the row was written
PGHISTORY_APPEND_ONLY = True  # the triggers refuse UPDATE and DELETE on event tables

# --- Business defaults ----------------------------------------------------------------
# Lines per document (orders, shipments, stock counts): more is a 400 at "lines".
MAX_DOCUMENT_LINES = env.int("MAX_DOCUMENT_LINES", default=1000)
# Lines shown per document in a list of documents (the detail shows all; core.documents).
LIST_DOCUMENT_LINES = env.int("LIST_DOCUMENT_LINES", default=20)
DEFAULT_CURRENCY = env.str("DEFAULT_CURRENCY", default="USD")
# Rows a report answers as JSON at most; more → 400 report_too_large (files stream any size).
REPORT_MAX_ROWS = env.int("REPORT_MAX_ROWS", default=10_000)
# An import's task may run this long (seconds): 100k rows take minutes, not the default 5.
IMPORT_TIME_LIMIT = env.int("IMPORT_TIME_LIMIT", default=3600)
IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
IDEMPOTENCY_LOCK_TIMEOUT = timedelta(seconds=env.int("IDEMPOTENCY_LOCK_SECONDS", default=60))
# Webhooks may target loopback/private/link-local/reserved addresses only when true.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)

# --- Card payments through Stripe (docs/payments.md): off while the key is empty -------
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")  # stripe-mock or a test stub

# --- Email ----------------------------------------------------------------------------
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="stockyard@localhost")
# Where user feedback is mailed; empty: kept in the database only.
FEEDBACK_EMAIL = env.str("FEEDBACK_EMAIL", default="")
# SMTP when EMAIL_HOST is set, else the console; EMAIL_PROVIDER picks a provider's HTTP
# API through django-anymail instead (amazon_ses, mailgun, postmark, sendgrid, ...), its
# keys read from the variables anymail names. EMAIL_BACKEND, when set, wins over both.
EMAIL_PROVIDER = env.str(
    "EMAIL_PROVIDER", default="smtp" if env.str("EMAIL_HOST", default="") else "console"
)
_provider_backend, ANYMAIL = email_backend_settings(
    EMAIL_PROVIDER, lambda key: env.str(key, default="")
)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_provider_backend)
# Who else hears when a scheduled report or an import fails (comma-separated addresses).
FAILURE_NOTICE_EMAILS = env.list("FAILURE_NOTICE_EMAILS", default=[])

# --- Logging: structlog JSON lines, stdlib loggers routed through the same renderer ------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
_shared_processors: list[structlog.types.Processor] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.stdlib.ExtraAdder(),
]
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processors": [
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer(),
            ],
            "foreign_pre_chain": _shared_processors,
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
        "uvicorn.access": {"level": "WARNING"},
    },
}
structlog.configure(
    processors=[
        *_shared_processors,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    wrapper_class=structlog.stdlib.BoundLogger,
    cache_logger_on_first_use=True,
)

# --- Sentry: errors from requests, Celery tasks and error logs, when SENTRY_DSN is set ---
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Requests and frames hold partners' contact and bank details in plain text:
        # no request bodies, no local variables, no user ids, cookies or addresses.
        max_request_body_size="never",
        include_local_variables=False,
        send_default_pii=False,
    )
