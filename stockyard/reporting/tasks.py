from datetime import datetime

from celery import shared_task

from stockyard.reporting import services


@shared_task
def build_export(export_id: int) -> str | None:
    """Build one export's file; a second run finds it taken and does nothing."""
    export = services.export_build(export_id=export_id)
    return export.status if export else None


@shared_task
def reap_stale_exports() -> list[int]:
    """Every minute (beat): queue again exports whose worker died or whose message was
    lost; fail those tried too often."""
    return services.exports_reap()


@shared_task
def send_due_report_schedules() -> list[int]:
    """Every few minutes (beat): email each schedule that is due, once."""
    return services.report_schedule_send_due()


@shared_task
def run_report_schedule(schedule_id: int, requested_at: str) -> bool:
    """``POST /report-schedules/{id}/run/``: email the report now (once per request)."""
    return services.report_schedule_run(
        schedule_id=schedule_id, requested_at=datetime.fromisoformat(requested_at)
    )
