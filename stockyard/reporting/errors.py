"""Errors of the reporting app."""

from stockyard.core.errors import ApplicationError


class ReportTooLarge(ApplicationError):
    """A report asked for as JSON has more rows than a response carries
    (``REPORT_MAX_ROWS``); files have no such limit, they are streamed."""

    status = 400
    code = "report_too_large"
    title = "Report too large"

    def __init__(self, *, report: str, limit: int) -> None:
        super().__init__(
            f"The {report} report has more than {limit:,} rows, more than a JSON answer "
            "carries. Narrow it (filters, a shorter period), download it as a file "
            "(?format=csv or ?format=xlsx, streamed), or have it built in the background "
            "with POST /api/v1/exports/."
        )
