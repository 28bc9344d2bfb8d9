from django.db.models import QuerySet

from stockyard.feedback.models import Feedback


def feedback_list() -> QuerySet[Feedback]:
    """Every feedback, newest first, with its author."""
    return Feedback.objects.select_related("user").order_by("-id")
