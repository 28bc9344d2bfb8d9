import pytest

from stockyard.reporting import demo
from stockyard.reporting.models import ReportSchedule

pytestmark = pytest.mark.django_db


def test_demo_schedules_once():
    lines = demo.seed()
    assert lines[0] == "Report schedules (created):"
    assert sorted(ReportSchedule.objects.values_list("name", "report")) == [
        ("Daily low stock", "low-stock"),
        ("Weekly sales by product", "sales"),
    ]
    assert all(schedule.next_run_at for schedule in ReportSchedule.objects.all())

    assert demo.seed() == ["Report schedules: demo schedules exist"]
    assert ReportSchedule.objects.count() == 2
