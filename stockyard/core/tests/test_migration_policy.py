"""CI's guard for the migration policy (docs/deployment.md): every data migration of
Stockyard's apps (RunPython or RunSQL) is tested forward and backward, in its app's
``tests/test_migrations.py``, by a test named after it."""

from pathlib import Path

from django.apps import apps
from django.db import migrations
from django.db.migrations.loader import MigrationLoader

DATA_OPERATIONS = (migrations.RunPython, migrations.RunSQL)


def test_every_data_migration_has_a_forward_and_backward_test():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    untested = []
    for (app_label, name), migration in sorted(loader.disk_migrations.items()):
        config = apps.get_app_config(app_label)
        if not config.name.startswith("stockyard."):
            continue
        if not any(isinstance(op, DATA_OPERATIONS) for op in migration.operations):
            continue
        tests = Path(config.path) / "tests" / "test_migrations.py"
        if f"def test_{name}_forward_and_backward" not in (
            tests.read_text() if tests.exists() else ""
        ):
            untested.append(f"{app_label}.{name}")
    assert untested == [], f"data migrations without a forward/backward test: {untested}"
