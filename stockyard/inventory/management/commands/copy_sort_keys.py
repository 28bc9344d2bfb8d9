"""``manage.py copy_sort_keys``: the post-deployment step of the release that put the
product's SKU and the warehouse's code on its stock levels (their order's index).
Migration ``inventory.0009`` copies them once; this copies again what the previous
release created or changed while both ran (``inventory.backfills``). Online, in
batches, safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stockyard.inventory.backfills import BATCH_SIZE, sort_keys_backfill


class Command(BaseCommand):
    help = (
        "Copy each product's SKU and each warehouse's code to their stock levels where "
        "they differ (idempotent)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = sort_keys_backfill(batch_size=options["batch_size"])
        self.stdout.write(self.style.SUCCESS(f"SKUs and codes copied to {changed} level(s)."))
