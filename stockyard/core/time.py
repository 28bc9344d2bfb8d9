"""The business's calendar: ``TIME_ZONE`` (an IANA name, default UTC) is where its days
begin and end. Timestamps are stored and shown in UTC; dates a person would write on a
document or ask a report for (``order_date``, ``date_from``) are days in this zone.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from stockyard.core.middleware import SyncAndAsyncMiddleware


def business_zone() -> ZoneInfo:
    """The business's time zone, ``TIME_ZONE``."""
    return ZoneInfo(settings.TIME_ZONE)


def business_today() -> date:
    """Today in the business's time zone: default ``order_date``s are this day."""
    return timezone.localdate(timezone=business_zone())


def day_bounds(first: date, last: date, zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The days ``first`` to ``last`` (both included) as ``[start, end)`` instants in
    ``zone`` (default: the active zone)."""
    zone = zone or timezone.get_current_timezone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


class UTCResponsesMiddleware(SyncAndAsyncMiddleware):
    """Requests run in UTC, so timestamps in responses are UTC whatever ``TIME_ZONE``
    says (DRF renders datetimes in the active zone). Business dates do not depend on it:
    ``business_today`` and reports name their zone explicitly."""

    def handle(self, request: HttpRequest) -> HttpResponse:
        with timezone.override(UTC):
            response: HttpResponse = self.get_response(request)
        return response

    async def ahandle(self, request: HttpRequest) -> HttpResponse:
        with timezone.override(UTC):
            response: HttpResponse = await self.get_response(request)
        return response
