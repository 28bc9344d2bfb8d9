"""The shapes of the reporting API. Report parameters are checked by the services."""

from typing import Any

from rest_framework import serializers

from stockyard.reporting.enums import ColumnKind


class ColumnSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=ColumnKind.choices)


class ReportTableSerializer(serializers.Serializer[Any]):
    """A report as JSON (documentation only: ``files.table_json`` renders it)."""

    report = serializers.CharField()
    params = serializers.DictField(help_text="The parameters used, defaults filled in.")
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(), help_text="One object per row, keyed by column name."
    )
    totals = serializers.DictField(help_text="Totals over every row (not a sum of rows).")
