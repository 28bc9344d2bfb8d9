import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from stockyard.core.jobs import BackgroundJob
from stockyard.imports.enums import ImportKind, ImportStatus


@pghistory.track()
class Import(BackgroundJob):
    """A CSV or XLSX file of one ``kind`` of records, applied all or nothing in the
    background. ``errors`` lists ``{"row", "field", "message"}``; ``row`` is the file's
    row number (the header is row 1)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imports",
        help_text="Who uploaded it; empty for imports run from the command line.",
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    dry_run = models.BooleanField(default=False)
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=255)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ImportStatus.values), name="import_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ImportKind.values), name="import_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} import #{self.pk} ({self.status})"
