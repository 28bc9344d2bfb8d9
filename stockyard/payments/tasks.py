from celery import shared_task

from stockyard.core.decimals import money
from stockyard.payments import services


@shared_task
def refund_return(return_id: int) -> str | None:
    """Pay back one received customer return, once (a second run pays back nothing).
    Answers the amount refunded (``"25.00"``), or None when the return refunds nothing."""
    refund = services.return_refund(return_id=return_id)
    return str(money(refund.amount, refund.currency)) if refund else None


@shared_task
def refund_missing_returns() -> int:
    """The sweep: queue refunds of received returns that have none recorded yet."""
    return services.returns_refund_missing()
