"""Reading import files row by row, never the whole file at once.

CSV through the standard library's ``csv`` module; XLSX through openpyxl in read-only
mode, which streams the sheet's XML instead of building the workbook in memory. Both
yield ``(row number, {column: text})`` with the header as row 1, blank cells and blank
rows left out, so a 100k-row file costs the memory of one row.
"""

import csv
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from stockyard.core.errors import ValidationFailed

Row = tuple[int, dict[str, str]]
FORMATS = ("csv", "xlsx")
_ZIP_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValidationFailed):
    """The file is not UTF-8 CSV or an XLSX workbook, or has no header row."""

    default_detail = "The file cannot be read as CSV (UTF-8) or XLSX."


def file_format(name: str, head: bytes) -> str:
    """``"csv"`` or ``"xlsx"`` from the file's name and first bytes (an XLSX workbook is
    a ZIP archive). Raises ``UnreadableFile`` for anything else."""
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "xlsx" and head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if suffix in ("csv", "txt") and not head.startswith(_ZIP_MAGIC):
        return "csv"
    message = "Upload a .csv (UTF-8) or .xlsx file."
    raise UnreadableFile(message, errors={"file": [message]})


@contextmanager
def rows(stream: IO[bytes], fmt: str) -> Iterator[tuple[list[str], Iterator[Row]]]:
    """``(header, rows)`` of the file; the rows are read as they are iterated, while the
    context is open. Header names are trimmed and lower-cased."""
    if fmt == "csv":
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        try:
            yield _csv_rows(text)
        finally:
            text.detach()
        return
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise UnreadableFile("The file is not a readable XLSX workbook.") from exc
    try:
        yield _xlsx_rows(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def _header(cells: Any) -> list[str]:
    header = [str(cell or "").strip().lower() for cell in cells]
    if not any(header):
        raise UnreadableFile("The first row must name the columns (see the template).")
    return header


def _record(header: list[str], cells: Any) -> dict[str, str]:
    return {
        name: text
        for name, cell in zip(header, cells, strict=False)
        if name and (text := _text(cell))
    }


def _csv_rows(text: io.TextIOWrapper) -> tuple[list[str], Iterator[Row]]:
    reader = csv.reader(text)
    try:
        header = _header(next(reader, []))
    except UnicodeDecodeError as exc:
        raise UnreadableFile("The CSV file is not UTF-8 text.") from exc

    def records() -> Iterator[Row]:
        try:
            for cells in reader:
                if record := _record(header, cells):
                    yield reader.line_num, record
        except UnicodeDecodeError as exc:
            raise UnreadableFile(f"Row {reader.line_num + 1} is not UTF-8 text.") from exc

    return header, records()


def _xlsx_rows(cells: Iterator[tuple[Any, ...]]) -> tuple[list[str], Iterator[Row]]:
    header = _header(next(cells, ()))

    def records() -> Iterator[Row]:
        for number, row in enumerate(cells, start=2):
            if record := _record(header, row):
                yield number, record

    return header, records()


def _text(cell: Any) -> str:
    """A cell as the text a CSV would hold: numbers exactly as typed where possible."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float):
        return repr(cell)  # the shortest text that reads back as the same number
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    return str(cell).strip()
