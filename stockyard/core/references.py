"""References that are not foreign keys: a report schedule's ``params`` naming a
product, say. The database cannot protect those rows, so deleting asks here first.

Apps that hold such references register a finder when they are ready; ``core`` knows
none of them (it depends on no app). A finder answers, for an instance about to be
deleted, a description of each record that names it (``report schedule “Daily”``).
"""

from collections.abc import Callable

from django.db import models

Finder = Callable[[models.Model], list[str]]
_finders: list[Finder] = []


def register_finder(finder: Finder) -> Finder:
    """Add ``finder`` to those ``referrers`` asks (usable as a decorator)."""
    if finder not in _finders:
        _finders.append(finder)
    return finder


def referrers(instance: models.Model) -> list[str]:
    """What names ``instance`` outside foreign keys, as descriptions for an error."""
    return [found for finder in _finders for found in finder(instance)]
