"""View building blocks shared by every app's API."""

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from rest_framework import viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from stockyard.core import errors

UNSAFE_DETAIL_METHODS = frozenset({"PUT", "PATCH", "DELETE"})


def etag_of(representation: Any) -> str:
    canonical = json.dumps(representation, sort_keys=True, cls=DjangoJSONEncoder)
    return '"' + hashlib.sha256(canonical.encode()).hexdigest()[:32] + '"'


class ETagMixin(GenericAPIView[Any]):
    """Optimistic concurrency for a ``GenericViewSet``.

    Detail responses carry an ``ETag`` (a hash of the representation). A PUT, PATCH or
    DELETE whose ``If-Match`` names another version answers 412 ``precondition_failed``.
    The row is locked before it is read and compared, and the write runs in the same
    transaction, so two writers holding the same ETag cannot both win.
    """

    lookup_value_regex = r"[0-9]+"  # ids are integers: anything else is a 404, not a query
    writes = False  # set per request by ``dispatch``, from the method the client sent

    def get_object(self) -> Any:
        # Not ``self.request.method``: answering OPTIONS, DRF asks for the object again
        # under a copy of the request that claims to be a PUT, outside any transaction.
        if not self.writes:
            return super().get_object()
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        model = self.get_queryset().model
        model._default_manager.select_for_update().filter(**{self.lookup_field: lookup}).first()
        instance = super().get_object()
        if_match = self.request.headers.get("If-Match")
        if if_match and if_match.strip() != "*":
            current = etag_of(self.get_serializer(instance).data)
            if current not in {tag.strip().removeprefix("W/") for tag in if_match.split(",")}:
                raise errors.PreconditionFailed()
        return instance

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        """Writes to one object run in a transaction, so the lock taken by ``get_object``
        holds until the write commits; an error answer rolls everything back."""
        self.writes = request.method in UNSAFE_DETAIL_METHODS
        if not self.writes:
            return super().dispatch(request, *args, **kwargs)
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
            return response

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        is_detail = getattr(self, "detail", False) or getattr(self, "action", None) == "create"
        if is_detail and 200 <= response.status_code < 300 and isinstance(response.data, dict):
            response["ETag"] = etag_of(response.data)
        return response


M = TypeVar("M", bound=Model)
_Row = TypeVar("_Row")


class DocumentViewSet(ETagMixin, viewsets.ModelViewSet[M]):
    """A business document (an order, a shipment): listed, shown, created and changed
    through its services, moved on by POST actions, cancelled but never deleted or
    replaced (no DELETE, no PUT).

    ``selector`` reads documents with everything their representation needs: a list shows
    the first ``LIST_DOCUMENT_LINES`` lines of each (``core.documents``). The actions
    named in ``transitions`` look the document up as a bare row (their service re-reads
    it under a lock) and answer it re-read in full. Filters, search and ordering shape
    lists only: a single document is found by its id alone.
    """

    http_method_names = ["get", "post", "patch", "head", "options"]
    selector: Callable[..., QuerySet[M]]  # (*, lines_limit: int | None) -> documents
    transitions: frozenset[str] = frozenset()

    def get_queryset(self) -> QuerySet[M]:
        limit = settings.LIST_DOCUMENT_LINES if self.action == "list" else None
        documents = type(self).selector(lines_limit=limit)
        if self.action in self.transitions:
            return documents.model._default_manager.all()
        return documents

    def filter_queryset(self, queryset: QuerySet[M, _Row]) -> QuerySet[M, _Row]:
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def shown(self, document: M) -> M:
        """``document`` re-read with everything its representation needs."""
        return type(self).selector().get(pk=document.pk)

    def respond(self, document: M) -> Response:
        return Response(self.get_serializer(self.shown(document)).data)
