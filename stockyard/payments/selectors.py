from datetime import datetime

from django.db.models import QuerySet

from stockyard.payments.models import Payment, Refund
from stockyard.sales.enums import ReturnStatus
from stockyard.sales.models import CustomerReturn


def payment_list() -> QuerySet[Payment]:
    """Payments with their order's number, newest first."""
    return Payment.objects.select_related("sales_order").order_by("-id")


def returns_without_refund(*, received_after: datetime, received_before: datetime) -> list[int]:
    """Ids of customer returns received in ``[received_after, received_before)`` that
    refund something and have no ``Refund`` recorded under their number, oldest first."""
    return list(
        CustomerReturn.objects.filter(
            status=ReturnStatus.RECEIVED,
            refund_total__gt=0,
            received_at__gte=received_after,
            received_at__lt=received_before,
        )
        .exclude(number__in=Refund.objects.values("reference"))
        .order_by("received_at")
        .values_list("pk", flat=True)
    )
