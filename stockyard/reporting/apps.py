from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "stockyard.reporting"
    label = "reporting"

    def ready(self) -> None:
        from stockyard.core.references import register_finder
        from stockyard.reporting.selectors import schedules_naming

        register_finder(schedules_naming)
