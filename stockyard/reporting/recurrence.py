"""When a schedule is due, and which period a scheduled report covers. Pure functions,
in UTC: a daily schedule runs every day at ``hour``:00, a weekly one on Mondays, a
monthly one on the 1st."""

from datetime import UTC, date, datetime, time, timedelta

from stockyard.reporting.enums import Frequency


def _first_candidate(frequency: Frequency, hour: int, after: datetime) -> datetime:
    day = after.astimezone(UTC).date()
    if frequency == Frequency.WEEKLY:
        day -= timedelta(days=day.weekday())
    elif frequency == Frequency.MONTHLY:
        day = day.replace(day=1)
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _following(frequency: Frequency, moment: datetime) -> datetime:
    if frequency == Frequency.WEEKLY:
        return moment + timedelta(days=7)
    if frequency == Frequency.MONTHLY:
        return (moment + timedelta(days=32)).replace(day=1)
    return moment + timedelta(days=1)


def next_run(frequency: Frequency, hour: int, *, after: datetime) -> datetime:
    """The first time strictly after ``after`` that the schedule is due."""
    moment = _first_candidate(frequency, hour, after)
    while moment <= after:
        moment = _following(frequency, moment)
    return moment


def covered_period(frequency: Frequency, *, due: datetime) -> tuple[date, date]:
    """The whole days before ``due`` that its report covers: the day before (daily), the
    seven days before (weekly) or the month before (monthly)."""
    date_to = due.astimezone(UTC).date() - timedelta(days=1)
    if frequency == Frequency.WEEKLY:
        return date_to - timedelta(days=6), date_to
    if frequency == Frequency.MONTHLY:
        return date_to.replace(day=1), date_to
    return date_to, date_to
