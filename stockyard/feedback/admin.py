from django.contrib import admin

from stockyard.core.admin import ReadOnlyAdminMixin
from stockyard.feedback.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Feedback]):
    list_display = ["id", "user", "rating", "page", "created_at"]
    list_filter = ["rating"]
    search_fields = ["message", "page", "user__username"]
    list_select_related = ["user"]
