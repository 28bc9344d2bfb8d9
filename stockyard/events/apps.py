from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "stockyard.events"
    label = "events"
