"""``manage.py rebuild_report_summaries``: recompute the reports' pre-aggregated sums from
the documents, then let reports read them.

A post-deployment step of the release that adds them (and safe to run again at any time):
month by month, each month in its own short transaction, while the site keeps taking
orders (``reporting.summaries``).
"""

from typing import Any

from django.core.management.base import BaseCommand

from stockyard.reporting.summaries import rebuild_sales_summary


class Command(BaseCommand):
    help = "Rebuild the sales summary from the orders and returns (idempotent, online)."

    def handle(self, *args: Any, **options: Any) -> None:
        months = rebuild_sales_summary()
        self.stdout.write(self.style.SUCCESS(f"Sales summary rebuilt: {months} month(s)."))
