from celery import shared_task

from stockyard.reporting import services


@shared_task
def build_export(export_id: int) -> str | None:
    """Build one export's file; a second run finds it taken and does nothing."""
    export = services.export_build(export_id=export_id)
    return export.status if export else None
