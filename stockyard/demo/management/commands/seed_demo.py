"""``manage.py seed_demo``: demo users (and, as apps grow, demo business data).

Idempotent: a second run finds everything in place and changes nothing.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from stockyard.accounts.demo import seed_demo_users


class Command(BaseCommand):
    help = "Create demo users (one per role) and demo data. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            logins = seed_demo_users()
        self.stdout.write("Demo logins (username / password / role):")
        for login in logins:
            state = "created" if login.created else "exists"
            self.stdout.write(
                f"  {login.username:<11} {login.password:<24} {login.role.value} ({state})"
            )
