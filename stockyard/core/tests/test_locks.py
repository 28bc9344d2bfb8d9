import pytest
from django.db import transaction

from stockyard.core.locks import take_turns


@pytest.mark.django_db(transaction=True)  # no test-wide transaction around it
def test_a_turn_is_held_until_commit_so_it_needs_a_transaction():
    with transaction.atomic():
        take_turns("anything")  # taken, and released at commit

    with pytest.raises(RuntimeError, match="in a transaction"):
        take_turns("anything")
