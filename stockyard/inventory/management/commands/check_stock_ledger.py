"""``manage.py check_stock_ledger``: every stock level must equal the sum of its movements.

Exits 1 and lists each drifting level when there is any drift.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stockyard.inventory.selectors import stock_ledger_drift


class Command(BaseCommand):
    help = "Verify that every stock level equals the sum of its ledger movements."

    def handle(self, *args: Any, **options: Any) -> None:
        drift = stock_ledger_drift()
        for row in drift:
            self.stderr.write(
                f"DRIFT {row.product_sku} @ {row.warehouse_code}: on_hand {row.on_hand}, "
                f"ledger {row.ledger_total} (difference {row.difference})"
            )
        if drift:
            raise CommandError(f"{len(drift)} stock level(s) drift from the ledger.", returncode=1)
        self.stdout.write(self.style.SUCCESS("Stock ledger consistent: every level matches."))
