"""Real threads against PostgreSQL: racing writers get a 400, never a 500 or a broken tree."""

import pytest

from stockyard.catalog import services
from stockyard.catalog.models import Category, Product
from stockyard.catalog.tests.factories import CategoryFactory, UnitFactory
from stockyard.core import errors
from stockyard.core.testing import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_racing_creates_of_one_sku_leave_one_product_and_validation_errors():
    UnitFactory(code="pcs")  # the default unit: truncating tables removed the seeded one
    outcomes = run_concurrently(
        lambda index: services.product_create(sku=f"race-{'X' if index % 2 else 'x'}", name="R"),
        8,
    )
    created = [outcome for outcome in outcomes if isinstance(outcome, Product)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, errors.ValidationFailed)]
    assert (len(created), len(refused)) == (1, 7), outcomes
    assert all(list(error.errors) == ["sku"] for error in refused)
    assert Product.objects.count() == 1


@pytest.mark.parametrize("round", range(5))
def test_two_categories_moved_under_each_other_at_once_never_make_a_cycle(round):
    tools, hardware = CategoryFactory(), CategoryFactory()
    moves = [(tools, hardware), (hardware, tools)]

    outcomes = run_concurrently(
        lambda index: services.category_update(
            category=Category.objects.get(pk=moves[index][0].pk), parent=moves[index][1]
        ),
        2,
    )

    refused = [outcome for outcome in outcomes if isinstance(outcome, errors.ValidationFailed)]
    assert len(refused) == 1, outcomes
    assert list(refused[0].errors) == ["parent"]
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    assert None in (parents[tools.pk], parents[hardware.pk])
