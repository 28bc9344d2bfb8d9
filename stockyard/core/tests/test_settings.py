import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

CHECK = [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"]


def run_check(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "ALLOWED_HOSTS": "stockyard.example",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        **env,
    }
    return subprocess.run(CHECK, env=environment, capture_output=True, text=True, check=False)


@pytest.mark.parametrize("secret", ["", "insecure-development-key-change-me", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret: str):
    result = run_check(SECRET_KEY=secret)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_check_deploy_with_no_warnings():
    result = run_check(SECRET_KEY="k" * 20 + "-a-long-random-production-secret-key-0123456789")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_the_development_encryption_key():
    result = run_check(
        SECRET_KEY="k" * 20 + "-a-long-random-production-secret-key-0123456789",
        FIELD_ENCRYPTION_KEYS="c3RvY2t5YXJkLWRldmVsb3BtZW50LWtleS0wMDAwMDA=",
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


@pytest.mark.parametrize(
    "keys",
    ["", "not-a-fernet-key", f"{Fernet.generate_key().decode()},short"],
    ids=["none", "not-a-key", "a-valid-key-then-a-short-one"],  # one test id in every process
)
def test_check_deploy_fails_without_valid_encryption_keys(keys: str):
    result = run_check(
        SECRET_KEY="k" * 20 + "-a-long-random-production-secret-key-0123456789",
        FIELD_ENCRYPTION_KEYS=keys,
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_each_test_process_has_a_redis_database_of_its_own():
    """`make test` runs pytest-xdist workers gw0, gw1, ...: the cache one clears must not be
    another's (throttle counters, idempotency keys), so each takes the next Redis database."""
    from config.settings.test import _redis_of_worker

    assert _redis_of_worker("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/1"
    assert _redis_of_worker("redis://127.0.0.1:6379", "gw1") == "redis://127.0.0.1:6379/2"
    assert _redis_of_worker("redis://:pw@redis:6379/14", "gw2") == "redis://:pw@redis:6379/1"
