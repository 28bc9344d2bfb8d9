from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "stockyard.feedback"
    label = "feedback"
