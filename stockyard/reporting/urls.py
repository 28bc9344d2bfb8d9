from django.urls import path

from stockyard.reporting import views
from stockyard.reporting.reports.registry import REPORTS

urlpatterns = [
    path(f"reports/{name}/", views.ReportView.of(report).as_view(), name=f"report-{name}")
    for name, report in REPORTS.items()
]
