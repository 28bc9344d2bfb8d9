import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from oauth2_provider.models import Application

from stockyard.accounts.models import User
from stockyard.accounts.roles import Role
from stockyard.reporting.reports.registry import REPORTS


@pytest.mark.django_db
def test_seed_demo_creates_one_user_per_role_and_is_idempotent(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    users = {user.username: user.roles for user in User.objects.prefetch_related("groups")}
    assert users == {role.value: frozenset({role}) for role in Role}
    assert "admin-demo-pass-1" in first
    client = Application.objects.get()
    assert (client.client_id, client.client_type) == ("stockyard-demo-frontend", "public")

    call_command("seed_demo")
    assert User.objects.count() == len(Role)
    assert Application.objects.count() == 1
    assert "(created)" not in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_runs_where_only_https_redirects_are_allowed(settings, capsys):
    # Production's OAuth2 settings: the demo dev-server client (http://localhost) is skipped.
    settings.OAUTH2_PROVIDER = {
        **settings.OAUTH2_PROVIDER,
        "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    }
    call_command("seed_demo")
    assert User.objects.count() == len(Role)
    assert not Application.objects.exists()
    assert "skipped" in capsys.readouterr().out


# Every report of the registry through the API, as the demo admin, on the seeded data.
OPEN_EVERY_REPORT = """
from django.test import Client
from stockyard.accounts.models import User
from stockyard.reporting.reports.registry import REPORTS
client = Client()
client.force_login(User.objects.get(username="admin"))
for name in REPORTS:
    response = client.get(f"/api/v1/reports/{name}/", HTTP_HOST="127.0.0.1")
    print("report", name, response.status_code)
"""


def test_make_run_setup_works_on_the_embedded_sqlite_default(tmp_path):
    """``make run``'s setup (migrate + seed_demo) on SQLite, whatever database the suite
    uses, and every report answering on what it seeded.

    SQLite stores decimals as floats: a CHECK that compares sums exactly failed there while
    PostgreSQL's numeric passed, so the README's first command broke unseen by the suite.
    Later the report summaries' PostgreSQL-only SQL (an INSERT inside a WITH, EXTRACT(EPOCH
    ...)) broke seeding and the fulfillment report there the same way.
    """
    database = tmp_path / "first-run.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
    }
    outputs = []
    for command in (["migrate", "--noinput"], ["seed_demo"], ["shell", "-c", OPEN_EVERY_REPORT]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert result.returncode == 0, result.stderr[-4000:]
        outputs.append(result.stdout)
    assert "admin-demo-pass-1" in outputs[1]
    answered = dict(
        line.split()[1:] for line in outputs[2].splitlines() if line.startswith("report ")
    )
    assert answered == {name: "200" for name in REPORTS}
