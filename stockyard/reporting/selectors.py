"""Reads for the reporting APIs: reports by name, a user's exports, schedules."""

from django import forms
from django.db.models import Model, Q, QuerySet

from stockyard.accounts.models import User
from stockyard.accounts.roles import Role
from stockyard.core.errors import ValidationFailed
from stockyard.reporting.models import Export, ReportSchedule
from stockyard.reporting.reports.base import Report
from stockyard.reporting.reports.registry import REPORTS


def report_get(*, name: str, field: str = "report") -> Report:
    """The report called ``name``; another name is a 400 on ``field``."""
    try:
        return REPORTS[name]
    except KeyError:
        known = ", ".join(REPORTS)
        raise ValidationFailed(errors={field: [f"Unknown report; one of: {known}."]}) from None


def export_list(*, user: User) -> QuerySet[Export]:
    """The user's own exports; administrators see everyone's."""
    exports = Export.objects.order_by("-id")
    return exports if Role.ADMIN in user.roles else exports.filter(owner=user)


def report_schedule_list() -> QuerySet[ReportSchedule]:
    return ReportSchedule.objects.order_by("name", "id")


def schedules_naming(instance: Model) -> list[str]:
    """The report schedules whose ``params`` name ``instance`` (a product, partner,
    warehouse or category chosen by one of the report's parameters), described for an
    error. Registered with ``core.references``, so such an object cannot be deleted
    from under a schedule (which would then fail every run)."""
    naming = Q()
    for report in REPORTS.values():
        for name, field in report.params.base_fields.items():
            if (
                isinstance(field, forms.ModelChoiceField)
                and field.queryset is not None
                and isinstance(instance, field.queryset.model)
            ):
                naming |= Q(report=report.name, **{f"params__{name}": instance.pk})
    if not naming:
        return []
    return [
        f"report schedule “{name}”"
        for name in ReportSchedule.objects.filter(naming).values_list("name", flat=True)
    ]
