"""View building blocks shared by every app's API."""

import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import HttpRequest
from django.http.response import HttpResponseBase
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

    def get_object(self) -> Any:
        if self.request.method not in UNSAFE_DETAIL_METHODS:
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
        if request.method not in UNSAFE_DETAIL_METHODS:
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
