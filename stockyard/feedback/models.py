import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

RATING_MIN, RATING_MAX = 1, 5


@pghistory.track()
class Feedback(models.Model):
    """What a user told us from the console: a message, the page it is about and an
    optional rating from 1 (bad) to 5 (good)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    message = models.TextField()
    page = models.CharField(max_length=500, blank=True, default="")
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True)
                | Q(rating__gte=RATING_MIN, rating__lte=RATING_MAX),
                name="feedback_rating_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"Feedback #{self.pk}"
