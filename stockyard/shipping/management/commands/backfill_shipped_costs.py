"""``manage.py backfill_shipped_costs``: the post-deployment step of the release that
made customer returns restock at the cost the goods left with. Lines shipped before it
have ``shipped_cost`` 0; this sets it from the ledger (``shipping.backfills``). Online,
in batches, safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from stockyard.shipping.backfills import BATCH_SIZE, shipped_costs_backfill


class Command(BaseCommand):
    help = "Set shipped_cost of sales order lines shipped before it was recorded (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        changed = shipped_costs_backfill(batch_size=options["batch_size"])
        self.stdout.write(self.style.SUCCESS(f"Shipped costs set on {changed} line(s)."))
