from django.conf import settings
from django.db import models
from django.db.models import Q

from stockyard.core.models import TimeStampedModel
from stockyard.reporting.enums import ExportStatus, FileFormat


class Export(TimeStampedModel):
    """A report file built in the background for the user who asked for it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    report = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=FileFormat.choices)
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING, db_index=True
    )
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, default="")
    file_name = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ExportStatus.values), name="export_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=FileFormat.values), name="export_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report} export #{self.pk} ({self.status})"
