from django.urls import path

from stockyard.audit import views

urlpatterns = [path("audit-log/", views.AuditLogView.as_view(), name="audit-log")]
