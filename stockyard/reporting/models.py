import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from stockyard.core.jobs import BackgroundJob
from stockyard.core.models import TimeStampedModel
from stockyard.reporting.enums import ExportStatus, FileFormat, Frequency

HOURS_IN_DAY = 24


@pghistory.track()
class Export(BackgroundJob):
    """A report file built in the background for the user who asked for it."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_exports"
    )
    report = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=FileFormat.choices)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, default="")
    file_name = models.CharField(max_length=200, blank=True, default="")
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0, db_default=0)

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


@pghistory.track()
class ReportSchedule(TimeStampedModel):
    """A report emailed to ``recipients`` every day, week (Mondays) or month (the 1st) at
    ``hour`` o'clock UTC. ``next_run_at`` is when it is next due; sending it moves it on."""

    name = models.CharField(max_length=200)
    report = models.CharField(max_length=50)
    params = models.JSONField(default=dict, blank=True)
    format = models.CharField(max_length=4, choices=FileFormat.choices, default=FileFormat.CSV)
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    hour = models.PositiveSmallIntegerField(help_text="Hour of the day, UTC (0-23).")
    recipients = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Why the last run failed; empty once a run succeeds.",
    )
    last_error_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hour__gte=0, hour__lt=HOURS_IN_DAY), name="report_schedule_hour_0_23"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="report_schedule_frequency_valid"
            ),
            models.CheckConstraint(
                condition=Q(format__in=FileFormat.values), name="report_schedule_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name
