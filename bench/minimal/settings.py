"""Settings of the minimal-stack contender: the stack's defaults, JWT auth, a psycopg pool."""

import os

import environ

env = environ.Env()

SECRET_KEY = "bench-minimal-not-secret-and-long-enough-for-hs256"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.minimal.urls"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = 0
POOL_MAX_SIZE = int(os.environ.get("DATABASE_POOL_MAX_SIZE", "0"))
if POOL_MAX_SIZE:
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": POOL_MAX_SIZE, "timeout": 10}
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SIMPLE_JWT = {"SIGNING_KEY": SECRET_KEY}
LOGGING = {"version": 1, "root": {"level": "WARNING"}}
