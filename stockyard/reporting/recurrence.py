"""When a schedule is due, and which period a scheduled report covers. Pure functions
in a time zone (the business's ``TIME_ZONE``, or the schedule's ``tz``): a daily schedule
runs every day at ``hour``:00 there, a weekly one on Mondays, a monthly one on the 1st,
and a run covers whole days there. The calendar arithmetic is the report buckets'
(``tables``): a weekly run starts a week bucket, a monthly one a month bucket.

Across a daylight-saving change the wall clock decides: a 07:00 schedule in
Europe/Berlin runs at 06:00 UTC in winter and 05:00 UTC in summer. An hour the clock
skips (02:00 on the day it springs forward) runs at the instant the clock shows an hour
later, as ``zoneinfo`` reads it (PEP 495, ``fold=0``).
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from stockyard.reporting.enums import Frequency
from stockyard.reporting.tables import bucket_start, next_bucket


def _at(day: date, hour: int, zone: tzinfo) -> datetime:
    """``hour``:00 of ``day`` in ``zone``, in UTC (an instant, comparable with any other:
    Python never finds a wall time the clock skipped equal to one in another zone)."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def next_run(frequency: Frequency, hour: int, *, after: datetime, zone: tzinfo) -> datetime:
    """The first time strictly after ``after`` that the schedule is due: ``hour``:00 in
    ``zone`` on its next day, Monday or 1st there (an aware datetime in UTC)."""
    day = bucket_start(after.astimezone(zone).date(), frequency.bucket)
    while _at(day, hour, zone) <= after:
        day = next_bucket(day, frequency.bucket)
    return _at(day, hour, zone)


def covered_period(frequency: Frequency, *, due: datetime, zone: tzinfo) -> tuple[date, date]:
    """The whole days in ``zone`` before ``due`` that its report covers: the day before
    (daily), the seven days before (weekly) or the month before (monthly)."""
    date_to = due.astimezone(zone).date() - timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        return date_to - timedelta(days=6), date_to
    if frequency == Frequency.MONTHLY:
        return date_to.replace(day=1), date_to
    return date_to, date_to
