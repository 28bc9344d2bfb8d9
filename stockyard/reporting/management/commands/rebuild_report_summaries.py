"""``manage.py rebuild_report_summaries``: recompute the reports' pre-aggregated sums from
the documents, then let reports read them.

A post-deployment step of the release that adds them, and after changing ``TIME_ZONE``
(safe to run again at any time): month by month, each month in its own short
transaction, while the site keeps taking orders (``reporting.summaries``).
"""

from typing import Any

from django.core.management.base import BaseCommand

from stockyard.reporting.summaries import (
    rebuild_fulfillment_summary,
    rebuild_purchases_summary,
    rebuild_sales_summary,
    summaries_kept,
)


class Command(BaseCommand):
    help = (
        "Rebuild the sales, purchases and fulfillment summaries from the orders, returns "
        "and shipments (idempotent, online)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not summaries_kept():
            self.stdout.write("Summaries are kept on PostgreSQL only: reports read the documents.")
            return
        sales = rebuild_sales_summary()
        purchases = rebuild_purchases_summary()
        fulfillment = rebuild_fulfillment_summary()
        self.stdout.write(
            self.style.SUCCESS(
                f"Sales summary rebuilt: {sales} month(s). "
                f"Purchases summary rebuilt: {purchases} month(s). "
                f"Fulfillment summary rebuilt: {fulfillment} month(s)."
            )
        )
