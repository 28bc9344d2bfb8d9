from django.db import models

from stockyard.core.jobs import JobStatus


class FileFormat(models.TextChoices):
    """The files a report downloads as, is exported to or is emailed as."""

    CSV = "csv"
    XLSX = "xlsx"


class Frequency(models.TextChoices):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"

    @property
    def bucket(self) -> "TimeBucket":
        """The calendar period a run of this frequency covers."""
        return {
            Frequency.DAILY: TimeBucket.DAY,
            Frequency.WEEKLY: TimeBucket.WEEK,
            Frequency.MONTHLY: TimeBucket.MONTH,
        }[self]


ExportStatus = JobStatus  # an export is a background job


class ColumnKind(models.TextChoices):
    """How a column's values are typed, rounded and shown."""

    TEXT = "text"
    INTEGER = "integer"
    DATETIME = "datetime"
    MONEY = "money", "Money in DEFAULT_CURRENCY, to its minor unit"
    QUANTITY = "quantity", "Quantity: 3 places"
    COST = "cost", "Unit cost: 4 places"
    HOURS = "hours", "Hours: 2 places"
    PERCENT = "percent", "Percent: 2 places, 85.00 is 85 %"


class TimeBucket(models.TextChoices):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
