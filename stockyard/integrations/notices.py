"""Failure notices: short emails telling people that background work they rely on
failed (a scheduled report, an import), sent through the configured email provider."""

from collections.abc import Iterable

import structlog
from django.conf import settings
from django.core.mail import EmailMessage

logger = structlog.get_logger("stockyard.integrations")


def failure_notice_send(*, subject: str, body: str, to: Iterable[str] = ()) -> bool:
    """Mail ``[Stockyard] <subject>`` to ``to`` and every ``FAILURE_NOTICE_EMAILS`` address
    (each once). Never raises: a notice that cannot be sent is logged, as the failure it
    reports already was. Answers whether it was sent."""
    recipients = list(
        dict.fromkeys(address for address in (*to, *settings.FAILURE_NOTICE_EMAILS) if address)
    )
    if not recipients:
        return False
    try:
        EmailMessage(subject=f"[Stockyard] {subject}", body=body, to=recipients).send()
    except Exception:
        logger.exception("failure_notice_not_sent", subject=subject)
        return False
    return True
