from django.urls import path
from rest_framework.routers import SimpleRouter

from stockyard.events import views

router = SimpleRouter()
router.register("webhooks", views.WebhookViewSet, basename="webhook")

urlpatterns = [
    path("events/", views.EventFeedView.as_view(), name="event-feed"),
    *router.urls,
]
