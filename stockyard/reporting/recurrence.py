"""When a schedule is due, and which period a scheduled report covers. Pure functions,
in UTC: a daily schedule runs every day at ``hour``:00, a weekly one on Mondays, a
monthly one on the 1st. The calendar arithmetic is the report buckets' (``tables``): a
weekly run starts a week bucket, a monthly one a month bucket."""

from datetime import UTC, date, datetime, time, timedelta

from stockyard.reporting.enums import Frequency
from stockyard.reporting.tables import bucket_start, next_bucket


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def next_run(frequency: Frequency, hour: int, *, after: datetime) -> datetime:
    """The first time strictly after ``after`` that the schedule is due."""
    day = bucket_start(after.astimezone(UTC).date(), frequency.bucket)
    while _at(day, hour) <= after:
        day = next_bucket(day, frequency.bucket)
    return _at(day, hour)


def covered_period(frequency: Frequency, *, due: datetime) -> tuple[date, date]:
    """The whole days before ``due`` that its report covers: the day before (daily), the
    seven days before (weekly) or the month before (monthly)."""
    date_to = due.astimezone(UTC).date() - timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        return date_to - timedelta(days=6), date_to
    if frequency == Frequency.MONTHLY:
        return date_to.replace(day=1), date_to
    return date_to, date_to
