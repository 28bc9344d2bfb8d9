"""What an audit entry says happened: ``create``, ``update``, ``delete`` or a transition.

A transition is named from the status it reaches: an update that changes ``status`` to
``confirmed`` is a ``confirm``. The verb is derived from the row, not told by the
service, so it reads the same whichever path made the change (API, admin, command,
task, SQL); every document's state machine moves only forward through these statuses.
A status missing here shows as ``update``.
"""

TRANSITION_VERBS: dict[str, str] = {
    "submitted": "submit",
    "confirmed": "confirm",
    "partially_received": "receive",
    "received": "receive",
    "partially_shipped": "ship",
    "shipped": "ship",
    "delivered": "deliver",
    "cancelled": "cancel",
    "closed": "close",
    "refunded": "refund",
}

_LABEL_ACTIONS = {"insert": "create", "update": "update", "delete": "delete"}


def action_of(label: str, changes: dict[str, list[object]]) -> str:
    """The action of an event with pghistory ``label`` and ``changes`` (field: [old, new])."""
    if label == "update" and "status" in changes:
        return TRANSITION_VERBS.get(str(changes["status"][1]), "update")
    return _LABEL_ACTIONS.get(label, label)


def action_choices() -> list[str]:
    """Every action an entry can show, for the schema."""
    return [*_LABEL_ACTIONS.values(), *sorted(set(TRANSITION_VERBS.values()))]
