"""``manage.py check_stock_ledger``: every stock level must equal the sum of its movements,
and what is kept on order per product and warehouse must equal what the purchase orders'
lines have outstanding (``purchasing.on_order``).

Exits 1 and lists each drifting level or pair when there is any drift.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stockyard.inventory.selectors import stock_ledger_drift
from stockyard.purchasing.on_order import on_order_drift


class Command(BaseCommand):
    help = (
        "Verify that every stock level equals the sum of its ledger movements, and what is "
        "kept on order equals the purchase orders' outstanding lines."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        drift = stock_ledger_drift()
        for row in drift:
            self.stderr.write(
                f"DRIFT {row.product_sku} @ {row.warehouse_code}: on_hand {row.on_hand}, "
                f"ledger {row.ledger_total} (difference {row.difference})"
            )
        on_order = on_order_drift()
        for pair in on_order:
            self.stderr.write(
                f"ON ORDER DRIFT {pair.product_sku} @ {pair.warehouse_code}: kept {pair.kept}, "
                f"purchase orders {pair.expected} (run recount_on_order)"
            )
        if drift or on_order:
            raise CommandError(
                f"{len(drift)} stock level(s) drift from the ledger, {len(on_order)} "
                "on-order quantity(ies) from the purchase orders.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Stock ledger consistent: every level matches, and every on-order quantity."
            )
        )
