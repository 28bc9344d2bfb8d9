"""The project's drf-spectacular ``AutoSchema``: each operation describes itself.

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
"""

import inspect
from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_view_model

_ACTION_SENTENCES = {
    "list": "List {plural}, a page at a time.",
    "create": "Create a {singular}.",
    "retrieve": "Show one {singular}; the `ETag` header names this version.",
    "update": "Replace a {singular} (send `If-Match` with the `ETag` you read).",
    "partial_update": "Change some fields of a {singular} (send `If-Match` with the `ETag` "
    "you read).",
    "destroy": "Delete a {singular} (send `If-Match` with the `ETag` you read).",
}


def _own_doc(obj: Any) -> str:
    """``obj``'s docstring when Stockyard's code wrote it, else ``""``."""
    module = getattr(obj, "__module__", "") or ""
    if not module.startswith("stockyard."):
        return ""
    return inspect.cleandoc(obj.__doc__ or "")


class StockyardAutoSchema(AutoSchema):
    def get_description(self) -> str:  # type: ignore[override]
        view_class = type(self.view)
        view_doc = inspect.cleandoc(view_class.__dict__.get("__doc__") or "")
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
