"""Shapes of the imports API; the file and its rows are checked by the services."""

from typing import Any

from rest_framework import serializers

from stockyard.imports.enums import ImportKind, ImportStatus
from stockyard.imports.models import Import
from stockyard.imports.selectors import import_progress


class ImportCreateSerializer(serializers.Serializer[Any]):
    file = serializers.FileField(
        help_text="A `.csv` (UTF-8, comma-separated, header row first) or `.xlsx` file "
        "(first sheet, header row first); columns as in the kind's template."
    )
    kind = serializers.ChoiceField(choices=ImportKind.choices)
    dry_run = serializers.BooleanField(
        default=False, help_text="Check every row and report, but write nothing."
    )


class ImportErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(
        allow_null=True, help_text="Row of the file (the header is row 1); null: the file."
    )
    field = serializers.CharField(help_text="The column; empty for the row as a whole.")
    message = serializers.CharField()


class ImportSerializer(serializers.ModelSerializer[Import]):
    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]
    progress = serializers.SerializerMethodField(
        help_text="Rows applied so far (while `running`); `rows_total` once `done`."
    )

    class Meta:
        model = Import
        fields = [
            "id",
            "kind",
            "status",
            "dry_run",
            "file_name",
            "rows_total",
            "progress",
            "created",
            "updated",
            "errors",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_progress(self, job: Import) -> int:
        return import_progress(job)


class ImportAcceptedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportStatus.choices)
