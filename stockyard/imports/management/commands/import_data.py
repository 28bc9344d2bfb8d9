"""``manage.py import_data <kind> <file> [--dry-run]``: an import run here and now."""

from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stockyard.core.errors import ApplicationError
from stockyard.imports import services
from stockyard.imports.enums import ImportStatus
from stockyard.imports.kinds import KINDS


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of one kind, all or nothing (the API's rules)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")

    def handle(self, *args: Any, kind: str, path: Path, dry_run: bool, **options: Any) -> None:
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        with path.open("rb") as stream:
            try:
                job = services.import_create(
                    user=None,
                    kind=kind,
                    file=File(stream),
                    file_name=path.name,
                    dry_run=dry_run,
                    queue=False,
                )
            except ApplicationError as exc:
                raise CommandError(exc.detail) from exc
        job = services.import_run(import_id=job.pk) or job
        for error in job.errors:
            self.stderr.write(f"row {error['row']}, {error['field'] or '-'}: {error['message']}")
        summary = (
            f"Import #{job.pk} {job.status}: {job.rows_total or 0} rows, "
            f"{job.created} created, {job.updated} updated"
            f"{' (dry run: nothing written)' if dry_run else ''}."
        )
        if job.status != ImportStatus.DONE:
            raise CommandError(summary)
        self.stdout.write(summary)
