"""WebSocket routes, mounted under ``/ws/`` by ``config.asgi``."""

from django.urls import URLPattern

websocket_urlpatterns: list[URLPattern] = []
