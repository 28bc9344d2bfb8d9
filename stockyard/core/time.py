"""The business's calendar: ``TIME_ZONE`` (an IANA name, default UTC) is where its days
begin and end. Timestamps are stored and shown in UTC; dates a person would write on a
document or ask a report for (``order_date``, ``date_from``) are days in this zone.
"""

from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils import timezone

from stockyard.core import errors


def business_today() -> date:
    """Today in the business's time zone (the active one: ``TIME_ZONE`` unless a report's
    ``tz`` overrides it). Default ``order_date``s are this day."""
    return timezone.localdate()


def zone_named(name: str, *, field: str = "tz") -> ZoneInfo:
    """The IANA time zone ``name`` (``Asia/Tokyo``); an unknown one → 400 at ``field``."""
    if name not in available_timezones():
        raise errors.ValidationFailed(
            f"Unknown time zone {name!r}.",
            errors={field: ["Use an IANA time zone name, like Europe/Berlin or Asia/Tokyo."]},
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed above
        raise errors.ValidationFailed(errors={field: [str(exc)]}) from exc


def day_bounds(first: date, last: date, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The days ``first`` to ``last`` (both included) as ``[start, end)`` instants in
    ``zone`` (default: the active zone)."""
    zone = zone or timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end
