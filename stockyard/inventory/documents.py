"""The documents whose lines wait in the backorder queue, as far as inventory needs to
know them: their current ``status`` for ``<document>.backorder_filled`` events.

Inventory depends on no document app; an app that queues backorders (sales) registers,
when it is ready, how to read its documents' statuses for a ``reference_type``.
"""

from collections.abc import Callable, Collection, Mapping

StatusesOf = Callable[[Collection[int]], Mapping[int, str]]
_statuses: dict[str, StatusesOf] = {}


def register_statuses(reference_type: str, statuses_of: StatusesOf) -> None:
    """Read the status of ``reference_type`` documents with ``statuses_of(ids)``, which
    answers ``{id: status}`` (one query for all of them)."""
    _statuses[reference_type] = statuses_of


def statuses(reference_type: str, ids: Collection[int]) -> Mapping[int, str]:
    """The current status of each of the ``reference_type`` documents ``ids`` (by id);
    empty for a type nobody registered, and without ids of documents not found."""
    statuses_of = _statuses.get(reference_type)
    return statuses_of(ids) if statuses_of is not None and ids else {}
