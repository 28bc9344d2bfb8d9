"""WebSocket routes (whole paths), served by ``config.asgi``."""

from django.urls import URLPattern, path

from stockyard.events.consumers import EventStreamConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/events/", EventStreamConsumer.as_asgi()),
]
