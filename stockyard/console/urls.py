from django.urls import path, re_path

from stockyard.console import views

app_name = "console"

urlpatterns = [
    path("", views.console, name="index"),
    re_path(r"^(?P<path>.+)$", views.console, name="route"),
]
