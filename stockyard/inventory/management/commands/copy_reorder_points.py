"""``manage.py copy_reorder_points``: the post-deployment step of the release that put
the product's reorder point on its stock levels (the low-stock index). Migration
``inventory.0006`` copies them once; this copies again what the previous release
created or changed while both ran (``inventory.backfills``). Online, in batches, safe
to run again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stockyard.inventory.backfills import BATCH_SIZE, reorder_points_backfill


class Command(BaseCommand):
    help = "Copy each product's reorder point to its stock levels where it differs (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = reorder_points_backfill(batch_size=options["batch_size"])
        self.stdout.write(self.style.SUCCESS(f"Reorder points copied to {changed} level(s)."))
