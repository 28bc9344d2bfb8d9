"""Work done in the background for a user (report exports, imports): one row per job,
claimed by exactly one worker at a time."""

from datetime import timedelta
from typing import TypeVar

from django.db import models, transaction
from django.utils import timezone

from stockyard.core.models import TimeStampedModel


class JobStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class BackgroundJob(TimeStampedModel):
    """A job's state: ``pending`` until a worker claims it, ``running``, then ``done``
    or ``failed``."""

    status = models.CharField(
        max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING, db_index=True
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


J = TypeVar("J", bound=BackgroundJob)


def job_claim(model: type[J], pk: int, *, stale_after: timedelta) -> J | None:
    """Mark the job ``running`` for this worker, under a row lock, if it is pending or
    has been running longer than ``stale_after`` (its worker died: the task's time
    limit). None when another worker has it or it is finished, so a task run twice
    does the work once."""
    with transaction.atomic():
        job = model._default_manager.select_for_update(of=("self",)).filter(pk=pk).first()
        if job is None:
            return None
        stale = job.status == JobStatus.RUNNING and (
            job.started_at is None or job.started_at < timezone.now() - stale_after
        )
        if job.status != JobStatus.PENDING and not stale:
            return None
        job.status = JobStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at", "updated_at"])
        return job
