"""``manage.py seed_demo``: demo users and business data for a first run.

Each app that has demo data offers ``stockyard.<app>.demo.seed() -> list[str]`` (lines to
print). They run in dependency order, in one transaction. Idempotent: a second run finds
everything in place and changes nothing.
"""

import importlib
import importlib.util
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_APPS = [
    "accounts",
    "partners",
    "catalog",
    "inventory",
    "purchasing",
    "sales",
    "shipping",
    "reporting",
]


class Command(BaseCommand):
    help = "Create demo users (one per role) and demo business data. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            for app in DEMO_APPS:
                module_name = f"stockyard.{app}.demo"
                if importlib.util.find_spec(module_name) is None:
                    continue
                for line in importlib.import_module(module_name).seed():
                    self.stdout.write(line)
