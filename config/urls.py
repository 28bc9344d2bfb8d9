from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from stockyard.core import health, metrics
from stockyard.core.api_root import ApiRootView
from stockyard.core.problems import api_not_found

API_APPS = [
    "accounts",
    "partners",
    "catalog",
    "inventory",
    "purchasing",
    "sales",
    "shipping",
    "reporting",
    "events",
    "audit",
    "payments",
    "imports",
    "feedback",
]
api_v1 = [path("", include(f"stockyard.{app}.urls")) for app in API_APPS]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("api/v1/", ApiRootView.as_view(patterns=api_v1), name="api-root"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: no inline script for a CSP to block.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc.html"),
        name="redoc",
    ),
    path("admin/", admin.site.urls),
    path("o/", include("stockyard.accounts.oauth2_urls")),
    path("app/", include("stockyard.console.urls")),
    re_path(r"^api/(?P<path>.*)$", api_not_found, name="api-not-found"),
]

handler400 = "stockyard.core.problems.handler400"
handler403 = "stockyard.core.problems.handler403"
handler404 = "stockyard.core.problems.handler404"
handler500 = "stockyard.core.problems.handler500"
