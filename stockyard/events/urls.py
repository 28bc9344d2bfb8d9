from django.urls import path

from stockyard.events import views

urlpatterns = [
    path("events/", views.EventFeedView.as_view(), name="event-feed"),
]
