"""``manage.py rotate_encryption_keys``: move every encrypted value to the first key."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stockyard.partners.key_rotation import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every EncryptedTextField value with the first key of "
        "FIELD_ENCRYPTION_KEYS, in one transaction. Run it after putting a new key first; "
        "drop the old keys only once it has succeeded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Rows read and written at a time."
        )

    def handle(self, *args: Any, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            counts = rotate_all(batch_size=batch_size)
        except ImproperlyConfigured as exc:  # a value no configured key opens: nothing changed
            raise CommandError(str(exc)) from exc
        for label, rows in counts.items():
            self.stdout.write(f"{label}: {rows} rows re-encrypted")
        keys = len(settings.FIELD_ENCRYPTION_KEYS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {sum(counts.values())} rows in {len(counts)} models now use the first "
                f"of {keys} key{'s' if keys > 1 else ''}."
            )
        )
