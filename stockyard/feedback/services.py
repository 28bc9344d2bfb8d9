"""Writes of the feedback app: a user's feedback, mailed to ``FEEDBACK_EMAIL`` when set."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from stockyard.accounts.models import User
from stockyard.core.dispatch import enqueue
from stockyard.feedback.models import Feedback

MAIL_TASK = "stockyard.feedback.tasks.mail_feedback"


@transaction.atomic
def feedback_create(
    *, user: User, message: str, page: str = "", rating: int | None = None
) -> Feedback:
    """Record feedback from ``user``; when ``FEEDBACK_EMAIL`` is set it is mailed there
    in the background, after the commit."""
    feedback = Feedback.objects.create(user=user, message=message, page=page, rating=rating)
    if settings.FEEDBACK_EMAIL:
        enqueue(MAIL_TASK, feedback.pk)
    return feedback


def feedback_mail(*, feedback_id: int) -> bool:
    """Mail one feedback to ``FEEDBACK_EMAIL`` through the configured email provider.
    Answers whether it sent (nothing to send: deleted, or the setting was cleared)."""
    feedback = Feedback.objects.select_related("user").filter(pk=feedback_id).first()
    if feedback is None or not settings.FEEDBACK_EMAIL:
        return False
    author = feedback.user.username if feedback.user else "a deleted user"
    rating = f"{feedback.rating}/5" if feedback.rating else "no rating"
    EmailMessage(
        subject=f"[Stockyard] Feedback #{feedback.pk} from {author} ({rating})",
        body=f"{feedback.message}\n\nPage: {feedback.page or '-'}\n"
        f"Sent: {feedback.created_at:%Y-%m-%d %H:%M} UTC",
        to=[settings.FEEDBACK_EMAIL],
        reply_to=[feedback.user.email] if feedback.user and feedback.user.email else None,
    ).send()
    return True
