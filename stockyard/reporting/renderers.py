"""Renderers of report tables: JSON, CSV and XLSX, chosen with ``?format=`` (or
``Accept``). Anything that is not a table (an error) is rendered as JSON."""

from collections.abc import Iterable
from typing import Any

from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer

from stockyard.reporting.enums import FileFormat
from stockyard.reporting.files import FILE_TYPES, table_json
from stockyard.reporting.tables import Table


class ReportJSONRenderer(JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        body = table_json(data) if isinstance(data, Table) else data
        return super().render(body, accepted_media_type, renderer_context)


class TableFileRenderer(BaseRenderer):
    """A report as a file to download: chosen by ``?format=`` (or ``Accept``); the view
    then streams the file itself (``services.report_file``), so nothing is rendered here."""

    file_format: FileFormat
    charset: str | None = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Any = None,
    ) -> bytes:
        raise TypeError("Report files are streamed by the view, not rendered.")


class CSVRenderer(TableFileRenderer):
    file_format = FileFormat.CSV
    format = FileFormat.CSV.value
    media_type = FILE_TYPES[FileFormat.CSV].media_type
    charset = FILE_TYPES[FileFormat.CSV].charset


class XLSXRenderer(TableFileRenderer):
    file_format = FileFormat.XLSX
    format = FileFormat.XLSX.value
    media_type = FILE_TYPES[FileFormat.XLSX].media_type


REPORT_RENDERERS = [ReportJSONRenderer, CSVRenderer, XLSXRenderer]
FORMATS = [renderer.format for renderer in REPORT_RENDERERS]


class ReportContentNegotiation(DefaultContentNegotiation):
    """``?format=`` names a renderer; an unknown one is a 400 on ``format`` (DRF would
    answer 404, as if the report did not exist)."""

    def filter_renderers(
        self, renderers: Iterable[BaseRenderer], format: str
    ) -> list[BaseRenderer]:
        found = [renderer for renderer in renderers if renderer.format == format]
        if not found:
            raise exceptions.ValidationError({"format": [f"One of: {', '.join(FORMATS)}."]})
        return found
