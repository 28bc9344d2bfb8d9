"""The one sanctioned rewrite of the audit trail's append-only event tables."""

from collections.abc import Iterator
from contextlib import contextmanager

import pgtrigger
from django.db import models


@contextmanager
def history_rewrite(model: type[models.Model]) -> Iterator[None]:
    """Let the code inside update rows of ``model`` even if it is an event table (their
    triggers refuse UPDATE and DELETE otherwise); a no-op for other models.

    For key rotation: the trail keeps encrypted columns as ciphertext, and re-encrypting
    it with the new key keeps it readable once the old key is retired.
    """
    protections = [
        f"{model._meta.label}:{trigger.name}"
        for trigger in getattr(model._meta, "triggers", [])
        if isinstance(trigger, pgtrigger.Protect)
    ]
    if not protections:  # pgtrigger.ignore() with no trigger named ignores them all
        yield
        return
    with pgtrigger.ignore(*protections):
        yield
