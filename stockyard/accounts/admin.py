from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from stockyard.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "is_active", "is_superuser", "last_login"]
