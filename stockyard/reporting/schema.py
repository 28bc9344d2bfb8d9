"""The OpenAPI description of the report endpoints, made from each report's parameters
form, so the documented query parameters are the ones the report reads."""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse

from stockyard.core.problems import PROBLEM_CONTENT_TYPE
from stockyard.core.schema import StockyardAutoSchema
from stockyard.reporting.renderers import FORMATS, CSVRenderer, XLSXRenderer
from stockyard.reporting.reports.base import Report
from stockyard.reporting.serializers import ReportTableSerializer


def _parameter(name: str, field: forms.Field) -> OpenApiParameter:
    description = str(field.help_text or "")
    if isinstance(field, forms.ModelChoiceField):
        return OpenApiParameter(name, OpenApiTypes.INT, description=description or f"A {name} id.")
    if isinstance(field, forms.DateField):
        return OpenApiParameter(name, OpenApiTypes.DATE, description=description)
    if isinstance(field, forms.IntegerField):
        return OpenApiParameter(name, OpenApiTypes.INT, description=description)
    if isinstance(field, forms.ChoiceField):
        choices = [str(value) for value, _ in cast(Iterable[tuple[Any, str]], field.choices)]
        return OpenApiParameter(name, OpenApiTypes.STR, enum=choices, description=description)
    return OpenApiParameter(name, OpenApiTypes.STR, description=description)


_FORMAT = OpenApiParameter(
    "format",
    OpenApiTypes.STR,
    enum=FORMATS,
    description="`json` (default, at most `REPORT_MAX_ROWS` rows), or a file to download: "
    "`csv` or `xlsx` (`Content-Disposition: attachment`; needs the reports.export "
    "capability), streamed as it is made, of any number of rows.",
)
_TOO_LARGE = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description="Invalid parameters (`validation_error`), or more rows than a JSON answer "
    "carries (`report_too_large`: more than `REPORT_MAX_ROWS`, 10,000 by default): narrow "
    "the report, download it with `?format=csv|xlsx`, or `POST /api/v1/exports/`.",
)
_SALES_EXAMPLE = OpenApiExample(
    "Sales per week",
    value={
        "report": "sales",
        "params": {
            "date_from": "2026-11-02",
            "date_to": "2026-11-15",
            "currency": "USD",
            "group_by": "week",
            "warehouse": None,
            "customer": None,
            "product": None,
        },
        "columns": [
            {"name": "key", "kind": "text"},
            {"name": "orders", "kind": "integer"},
            {"name": "quantity", "kind": "quantity"},
            {"name": "revenue", "kind": "money"},
            {"name": "average_order_value", "kind": "money"},
        ],
        "rows": [
            {
                "key": "2026-11-02",
                "orders": 3,
                "quantity": "12.000",
                "revenue": "310.50",
                "average_order_value": "103.50",
            },
            {
                "key": "2026-11-09",
                "orders": 0,
                "quantity": "0.000",
                "revenue": "0.00",
                "average_order_value": None,
            },
        ],
        "totals": {
            "orders": 3,
            "quantity": "12.000",
            "revenue": "310.50",
            "average_order_value": "103.50",
        },
    },
    response_only=True,
)


class ReportSchema(StockyardAutoSchema):
    """One operation per report: its parameters, its description, its file formats."""

    @property
    def report(self) -> Report:
        report: Report = self.view.report  # type: ignore[attr-defined]
        return report

    def get_operation_id(self) -> str:
        return f"report_{self.report.name.replace('-', '_')}"

    def get_description(self) -> str:  # type: ignore[override]
        return self.report.description

    def get_tags(self) -> list[str]:
        return ["reports"]

    def get_override_parameters(self) -> list[Any]:
        fields = self.report.params.base_fields
        return [*(_parameter(name, field) for name, field in fields.items()), _FORMAT]

    def get_response_serializers(self) -> Any:
        return {
            (200, "application/json"): ReportTableSerializer,
            (200, CSVRenderer.media_type): OpenApiTypes.BINARY,
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
            (400, PROBLEM_CONTENT_TYPE): _TOO_LARGE,
        }

    def get_examples(self) -> list[OpenApiExample]:
        return [_SALES_EXAMPLE] if self.report.name == "sales" else []
