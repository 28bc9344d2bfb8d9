import threading
import time

import pytest
from django.db import connection, transaction

from stockyard.core.locks import take_turns


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it
def test_a_turn_is_held_until_commit_so_it_needs_a_transaction():
    with transaction.atomic():
        take_turns("anything")  # taken, and released at commit

    with pytest.raises(RuntimeError, match="in a transaction"):
        take_turns("anything")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_second_transaction_waits_for_the_turn_until_the_first_commits():
    """Two connections (through PgBouncer in transaction mode too: `make staging-pgbouncer`)."""
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []

    def in_turn(name: str, wait_for: threading.Event | None) -> None:
        try:
            with transaction.atomic():
                take_turns("drill")
                if wait_for is not None:
                    holding.set()
                    wait_for.wait(10)
                order.append(name)
        finally:
            connection.close()

    first = threading.Thread(target=in_turn, args=("first", release))
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=in_turn, args=("second", None))
    second.start()
    time.sleep(0.5)
    assert order == []  # the second waits for the turn the first holds

    release.set()
    first.join(10)
    second.join(10)
    assert order == ["first", "second"]
