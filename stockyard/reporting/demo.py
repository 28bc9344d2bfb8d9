"""Demo report schedules for ``manage.py seed_demo``: a weekly sales summary and a daily
low-stock list for the managers. Idempotent: schedules are found by name."""

from stockyard.accounts.models import User
from stockyard.reporting import services
from stockyard.reporting.models import ReportSchedule

SCHEDULES = [
    {
        "name": "Weekly sales by product",
        "report": "sales",
        "params": {"group_by": "product"},
        "format": "xlsx",
        "frequency": "weekly",
        "hour": 7,
        "recipients": ["manager@stockyard.example"],
    },
    {
        "name": "Daily low stock",
        "report": "low-stock",
        "params": {},
        "format": "csv",
        "frequency": "daily",
        "hour": 6,
        "recipients": ["manager@stockyard.example", "warehouse@stockyard.example"],
    },
]


def seed() -> list[str]:
    existing = set(ReportSchedule.objects.values_list("name", flat=True))
    missing = [fields for fields in SCHEDULES if fields["name"] not in existing]
    if not missing:
        return ["Report schedules: demo schedules exist"]
    user = User.objects.filter(username="manager").first()
    lines = ["Report schedules (created):"]
    for fields in missing:
        schedule = services.report_schedule_create(user=user, **fields)
        lines.append(
            f"  {schedule.name}: {schedule.frequency} at {schedule.hour:02d}:00 {schedule.zone.key}"
        )
    return lines
