"""Every report by name, in the order the API documents them."""

from stockyard.reporting.reports import fulfillment, payments, purchases, sales, stock
from stockyard.reporting.reports.base import Report

REPORTS: dict[str, Report] = {
    report.name: report
    for report in (
        sales.REPORT,
        purchases.REPORT,
        stock.VALUATION,
        stock.LOW_STOCK,
        fulfillment.REPORT,
        stock.MOVEMENTS,
        payments.REPORT,
    )
}
