"""Admin building blocks: business records are shown, and moved on only by services."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from stockyard.core.errors import ApplicationError

M = TypeVar("M", bound=Model)


class ReadOnlyAdminMixin:
    """For records written only by services (documents, the stock ledger): the admin shows
    them; adding, editing and deleting by hand would skip the rules and the events."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def transition_action(
    name: str, description: str, transition: Callable[[M, HttpRequest], object]
) -> Callable[[Any, HttpRequest, QuerySet[M]], None]:
    """An admin action applying one service to each selected document, reporting refusals
    one by one (each runs in its own transaction: one refusal does not undo the others)."""

    def run(model_admin: Any, request: HttpRequest, queryset: QuerySet[M]) -> None:
        done = 0
        for document in queryset.order_by("pk"):
            try:
                transition(document, request)
            except ApplicationError as exc:
                model_admin.message_user(request, f"{document}: {exc.detail}", messages.ERROR)
            else:
                done += 1
        if done:
            model_admin.message_user(request, f"{description}: {done} done.")

    run.__name__ = name
    return admin.action(description=description)(run)
