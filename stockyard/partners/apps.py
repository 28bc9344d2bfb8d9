from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "stockyard.partners"
    label = "partners"
