"""A report table as JSON values, a CSV file or an XLSX workbook: the same columns and
rows in each (totals are in the JSON only, so every file row is a data row).

Files are made as a stream of byte chunks from rows that may themselves be streamed from
the database, so a download or an export holds a bounded part of the file at a time."""

import codecs
import csv
import io
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from stockyard.core.time import business_today
from stockyard.reporting.enums import ColumnKind, FileFormat
from stockyard.reporting.tables import Column, Row, Table, Value


def json_value(value: Value) -> Any:
    """Decimals as strings (``"12.50"``), dates and timestamps in ISO 8601 (UTC)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _json_row(row: Row) -> dict[str, Any]:
    return {name: json_value(value) for name, value in row.items()}


def table_json(table: Table) -> dict[str, Any]:
    return {
        "report": table.report,
        "params": _json_row(table.params),
        "columns": [{"name": column.name, "kind": column.kind.value} for column in table.columns],
        "rows": [_json_row(row) for row in table.rows],
        "totals": _json_row(table.totals),
    }


# Text that a spreadsheet would run as a formula when it opens the file (CSV injection):
# names and notes are typed by users, and the people opening reports are others.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Value) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value  # the usual escape: shown as text, the quote hidden
    return json_value(value)


CSV_ROWS_PER_CHUNK = 500


def csv_chunks(table: Table) -> Iterator[bytes]:
    """The CSV file in pieces of a few hundred rows, as the rows arrive: a streamed
    download holds one piece at a time, whatever the number of rows. UTF-8, starting
    with a byte-order mark, so spreadsheets (Excel) read non-ASCII names right."""
    yield codecs.BOM_UTF8
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in table.columns])
    for count, values in enumerate(table.values(), start=1):
        writer.writerow([_csv_value(value) for value in values])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


_NUMBER_FORMATS = {
    ColumnKind.MONEY: "#,##0.00",
    ColumnKind.HOURS: "0.00",
    ColumnKind.PERCENT: "0.00",
    ColumnKind.QUANTITY: "#,##0.000",
    ColumnKind.COST: "#,##0.0000",
    ColumnKind.DATETIME: "yyyy-mm-dd hh:mm:ss",
}


def _xlsx_cell(sheet: Any, column: Column, value: Value) -> Any:
    if isinstance(value, datetime):  # Excel has no time zones: shown in UTC
        value = value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, str):  # control characters are not allowed in a workbook
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=cast(Any, value))  # openpyxl writes Decimal and date
    if isinstance(value, str):
        cell.data_type = "s"  # text stays text: "=..." is not a formula (CSV injection)
    if column.kind in _NUMBER_FORMATS:
        cell.number_format = _NUMBER_FORMATS[column.kind]
    return cell


FILE_CHUNK_BYTES = 64 * 1024


def xlsx_chunks(table: Table) -> Iterator[bytes]:
    """One sheet named after the report: a header row of column names, then the rows,
    numbers as numbers (so the sheet can sum them) and timestamps in UTC.

    The workbook is written row by row in openpyxl's write-only mode into a temporary
    file (a zip needs its directory at the end, so it cannot go out before it is whole),
    then read back in pieces: memory stays flat in the number of rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.report[:31])
    sheet.append([column.name for column in table.columns])
    for values in table.values():
        sheet.append(
            [
                _xlsx_cell(sheet, column, value)
                for column, value in zip(table.columns, values, strict=True)
            ]
        )
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(FILE_CHUNK_BYTES):
            yield chunk


@dataclass(frozen=True)
class FileType:
    media_type: str
    chunks: Callable[[Table], Iterator[bytes]]
    charset: str | None = None

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` of the file: its media type, with the charset of text."""
        return f"{self.media_type}; charset={self.charset}" if self.charset else self.media_type

    def render(self, table: Table) -> bytes:
        """The whole file (for an email attachment)."""
        return b"".join(self.chunks(table))


FILE_TYPES: dict[FileFormat, FileType] = {
    FileFormat.CSV: FileType("text/csv", csv_chunks, charset="utf-8"),
    FileFormat.XLSX: FileType(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xlsx_chunks
    ),
}


def file_name(report: str, params: Mapping[str, Value], file_format: FileFormat) -> str:
    """``sales-2026-10-24-to-2026-11-22.csv``; a snapshot carries the day it was taken."""
    if params.get("date_from") and params.get("date_to"):
        period = f"{json_value(params['date_from'])}-to-{json_value(params['date_to'])}"
    else:
        period = business_today().isoformat()
    return f"{report}-{period}.{file_format.value}"
