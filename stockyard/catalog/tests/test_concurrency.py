"""Real threads against PostgreSQL: racing writers of one SKU get a 400, never a 500."""

import pytest

from stockyard.catalog import services
from stockyard.catalog.models import Product
from stockyard.core import errors
from stockyard.core.testing import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_creates_of_one_sku_leave_one_product_and_validation_errors():
    outcomes = run_concurrently(
        lambda index: services.product_create(sku=f"race-{'X' if index % 2 else 'x'}", name="R"),
        8,
    )
    created = [outcome for outcome in outcomes if isinstance(outcome, Product)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, errors.ValidationFailed)]
    assert (len(created), len(refused)) == (1, 7), outcomes
    assert all(list(error.errors) == ["sku"] for error in refused)
    assert Product.objects.count() == 1
