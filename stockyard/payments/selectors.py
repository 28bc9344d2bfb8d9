from django.db.models import QuerySet

from stockyard.payments.models import Payment


def payment_list() -> QuerySet[Payment]:
    """Payments with their order's number, newest first."""
    return Payment.objects.select_related("sales_order").order_by("-id")
