"""``manage.py recount_on_order``: the post-deployment step of the release that keeps
what is on order per product and warehouse (``purchasing.OnOrder``). Migration
``purchasing.0008`` counts it once; this counts again what the previous release changed
while both ran (it does not keep it). Online, one statement, safe to run again
(``purchasing.on_order``)."""

from typing import Any

from django.core.management.base import BaseCommand

from stockyard.purchasing.on_order import on_order_recount


class Command(BaseCommand):
    help = "Put what is kept on order per product and warehouse right from the purchase orders."

    def handle(self, *args: Any, **options: Any) -> None:
        changed = on_order_recount()
        self.stdout.write(self.style.SUCCESS(f"On order recounted: {changed} pair(s) changed."))
