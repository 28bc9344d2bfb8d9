from django.urls import path
from rest_framework.routers import SimpleRouter

from stockyard.reporting import views
from stockyard.reporting.reports.registry import REPORTS

router = SimpleRouter()
router.register("exports", views.ExportViewSet, basename="export")
router.register("report-schedules", views.ReportScheduleViewSet, basename="report-schedule")

urlpatterns = [
    *(
        path(f"reports/{name}/", views.ReportView.of(report).as_view(), name=f"report-{name}")
        for name, report in REPORTS.items()
    ),
    *router.urls,
]
