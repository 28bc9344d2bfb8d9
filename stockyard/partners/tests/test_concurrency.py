"""Real threads against PostgreSQL: racing writers of one code get a 400, never a 500."""

import pytest

from stockyard.core import errors
from stockyard.core.testing import run_concurrently
from stockyard.partners import services
from stockyard.partners.models import Supplier

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_creates_of_one_code_leave_one_supplier_and_validation_errors():
    outcomes = run_concurrently(
        lambda index: services.supplier_create(code="SUP-RACE", name=f"Racer {index}"), 8
    )
    created = [outcome for outcome in outcomes if isinstance(outcome, Supplier)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, errors.ValidationFailed)]
    assert (len(created), len(refused)) == (1, 7), outcomes
    assert all(list(error.errors) == ["code"] for error in refused)
    assert Supplier.objects.count() == 1
