"""Report parameters: plain Django forms, so services and views validate them alike.

The same form reads a query string (``GET /reports/sales/?group_by=week``) and the JSON
``params`` of an export or a schedule. ``cleaned_data`` is typed (dates, model
instances) with the defaults filled in; ``report_params_parse`` turns its errors into a
400 ``validation_error``.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.utils import timezone

from stockyard.catalog.models import Category, Product
from stockyard.core.time import day_bounds
from stockyard.inventory.enums import MovementKind
from stockyard.inventory.models import Warehouse
from stockyard.partners.models import Customer, Supplier, validate_currency_code
from stockyard.reporting.enums import TimeBucket

M = TypeVar("M", bound=Model)

DEFAULT_PERIOD_DAYS = 30
MAX_PERIOD_DAYS = 3660  # ten years of daily rows at most: a period is filled day by day
EARLIEST, LATEST = date(1900, 1, 1), date(9999, 12, 30)  # room for the date arithmetic
DATE_PARAMS = ("date_from", "date_to")


def _within_calendar(value: date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise ValidationError(f"Must be between {EARLIEST} and {LATEST}.")


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 30 days, today included (today in the active time zone)."""
    date_to = today or timezone.localdate()
    return date_to - timedelta(days=DEFAULT_PERIOD_DAYS - 1), date_to


def _by_id(queryset: Any, what: str) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(
        queryset=queryset,
        required=False,
        error_messages={"invalid_choice": f"No {what} with this id."},
    )


def warehouse_field() -> forms.ModelChoiceField[Any]:
    return _by_id(Warehouse.objects.all(), "warehouse")


def product_field() -> forms.ModelChoiceField[Any]:
    return _by_id(Product.objects.all(), "product")


def customer_field() -> forms.ModelChoiceField[Any]:
    return _by_id(Customer.objects.all(), "customer")


def supplier_field() -> forms.ModelChoiceField[Any]:
    return _by_id(Supplier.objects.all(), "supplier")


def category_field() -> forms.ModelChoiceField[Any]:
    return _by_id(Category.objects.all(), "category")


def kind_field() -> forms.ChoiceField:
    return forms.ChoiceField(choices=MovementKind.choices, required=False)


def _known_zone(name: str) -> None:
    if name not in available_timezones():
        raise ValidationError("Unknown time zone: use an IANA name, like Asia/Tokyo.")


class ReportParams(forms.Form):
    """Parameters every report may take; subclasses add their filters."""

    tz = forms.CharField(
        required=False,
        validators=[_known_zone],
        help_text="IANA time zone whose calendar days the dates and day/week/month buckets "
        "are (default: TIME_ZONE, the business's zone). Timestamps stay UTC.",
    )

    def clean_tz(self) -> str:
        return str(self.cleaned_data.get("tz") or settings.TIME_ZONE)

    def zone(self) -> ZoneInfo:
        """The zone the report runs in (``tz``, else ``TIME_ZONE``)."""
        return ZoneInfo(self.cleaned_data.get("tz") or settings.TIME_ZONE)

    def normalized(self) -> dict[str, Any]:
        """The cleaned parameters as JSON values: ids for objects, ISO dates."""
        cleaned = self.cleaned_data
        return {
            name: getattr(value, "pk", value.isoformat() if isinstance(value, date) else value)
            for name, value in cleaned.items()
        }


class SnapshotParams(ReportParams):
    """A report of stock as it is now: it takes no period."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in DATE_PARAMS:
            if self.data.get(name) not in (None, ""):
                # Not a field of the form, so not add_error(): the error still names it.
                self.errors.setdefault(name, self.error_class()).append(
                    "This report shows stock as it is now; it takes no dates."
                )
        return cleaned


class PeriodParams(ReportParams):
    """A report over a period of days, both ends included; by default the last 30 days."""

    date_from = forms.DateField(
        required=False, validators=[_within_calendar], help_text="First day (YYYY-MM-DD)."
    )
    date_to = forms.DateField(
        required=False, validators=[_within_calendar], help_text="Last day, included (YYYY-MM-DD)."
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors.keys() & set(DATE_PARAMS):
            return cleaned
        today = timezone.localdate(timezone=self.zone())
        default_from, default_to = default_period(cleaned.get("date_to") or today)
        cleaned["date_to"] = cleaned.get("date_to") or default_to
        cleaned["date_from"] = cleaned.get("date_from") or default_from
        if cleaned["date_from"] > cleaned["date_to"]:
            self.add_error("date_from", "Must not be after date_to.")
        elif (cleaned["date_to"] - cleaned["date_from"]).days >= MAX_PERIOD_DAYS:
            self.add_error("date_from", f"A period spans at most {MAX_PERIOD_DAYS} days.")
        return cleaned


class MoneyPeriodParams(PeriodParams):
    """A period report of amounts, stated in ``DEFAULT_CURRENCY``: each document's
    amounts converted at the exchange rate it recorded, so totals add up."""

    currency = forms.CharField(
        required=False,
        max_length=3,
        validators=[validate_currency_code],
        help_text="Only documents in this currency (default: all). Amounts are in "
        "DEFAULT_CURRENCY either way.",
    )

    def clean_currency(self) -> str | None:
        return self.cleaned_data.get("currency") or None


def grouping(*buckets: str, default: str) -> forms.ChoiceField:
    return forms.TypedChoiceField(
        choices=[(value, value) for value in buckets],
        required=False,
        empty_value=default,
        help_text=f"How rows are grouped (default: {default}).",
    )


def time_bucket(group_by: str) -> TimeBucket | None:
    return TimeBucket(group_by) if group_by in TimeBucket.values else None


def unknown_params(data: Mapping[str, Any], form: forms.Form) -> list[str]:
    return sorted(set(data) - set(form.fields))


def period_bounds(params: Mapping[str, Any]) -> tuple[datetime, datetime]:
    """The period's days as ``[start, end)`` instants in the report's time zone, so a
    timestamp column is compared with its index rather than cast to a date."""
    return day_bounds(params["date_from"], params["date_to"])


def narrowed(
    queryset: QuerySet[M], params: Mapping[str, Any], paths: Mapping[str, str]
) -> QuerySet[M]:
    """``queryset`` filtered by each parameter given, ``paths`` naming the field it matches."""
    given = {path: params[name] for name, path in paths.items() if params.get(name) is not None}
    return queryset.filter(**given)
