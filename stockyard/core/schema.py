"""The project's drf-spectacular ``AutoSchema``: each operation and component describes
itself.

drf-spectacular's default takes an operation's description from its method's docstring,
else from the first docstring it meets in the view's class hierarchy. For a viewset that
states nothing itself, that is a building block's docstring (``ETagMixin``'s "Optimistic
concurrency for a GenericViewSet"), the same for every operation of the resource. Here
an operation is described by, in order:

1. the docstring of the handler method, when Stockyard code wrote one (custom actions,
   overridden ``destroy``...);
2. a sentence naming what the standard action does to the resource (``list``,
   ``create``, ``retrieve``, ``update``, ``partial_update``, ``destroy``), followed by
   the view class's *own* docstring; a docstring inherited from a mixin never shows.

Path parameters matched by a digits-only pattern (``ETagMixin.lookup_value_regex``) are
integers, as the ids they carry: drf-spectacular types any regex parameter as a string.

Components (serializers) likewise carry their class's own docstring, never a base's
(``FieldsBuiltOnce`` explains a performance trick, not a sales order).
"""

import inspect
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_override, get_view_model

_ACTION_SENTENCES = {
    "list": "List {plural}, a page at a time.",
    "create": "Create a {singular}.",
    "retrieve": "Show one {singular}; the `ETag` header names this version.",
    "update": "Replace a {singular} (send `If-Match` with the `ETag` you read).",
    "partial_update": "Change some fields of a {singular} (send `If-Match` with the `ETag` "
    "you read).",
    "destroy": "Delete a {singular} (send `If-Match` with the `ETag` you read).",
}


_DIGITS_PATTERNS = frozenset({"^[0-9]+$", r"^\d+$"})


def _class_doc(cls: type) -> str:
    """The docstring written on ``cls`` itself, not one it inherits."""
    return inspect.cleandoc(cls.__dict__.get("__doc__") or "")


def _own_doc(obj: Any) -> str:
    """``obj``'s docstring when Stockyard's code wrote it, else ``""``."""
    module = getattr(obj, "__module__", "") or ""
    if not module.startswith("stockyard."):
        return ""
    return inspect.cleandoc(obj.__doc__ or "")


class StockyardAutoSchema(AutoSchema):
    def get_description(self) -> str:  # type: ignore[override]
        view_class = type(self.view)
        view_doc = _class_doc(view_class)
        action = getattr(self.view, "action", None) or self.method.lower()
        handler = getattr(view_class, action, None)
        if handler is not None and (handler_doc := _own_doc(handler)):
            return handler_doc
        sentence = _ACTION_SENTENCES.get(action)
        if sentence is None:
            return view_doc
        model = get_view_model(self.view, emit_warnings=False)
        meta = model._meta if model is not None else None
        singular = str(meta.verbose_name) if meta else "resource"
        plural = str(meta.verbose_name_plural) if meta else "resources"
        lead = sentence.format(singular=singular, plural=plural)
        return f"{lead}\n\n{view_doc}" if view_doc else lead

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("pattern") in _DIGITS_PATTERNS:
                parameter["schema"] = {"type": "integer"}
        return parameters

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema: dict[str, Any] = super()._map_basic_serializer(serializer, direction)
        if get_override(serializer, "description") is None:
            schema.pop("description", None)
            if own := _class_doc(type(serializer)):
                schema["description"] = own
        return schema
