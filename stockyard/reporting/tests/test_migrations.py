"""Data migrations of reporting, forward and backward (django-test-migrations)."""

import pytest
from django.db import connection
from django.utils import timezone


def _table_exists(name: str) -> bool:
    return name in connection.introspection.table_names()


@pytest.mark.django_db(transaction=True)
def test_0011_purchase_date_forward_and_backward(migrator):
    """The purchases summary built before the per-date grain existed stops being read
    (reports read the lines) until ``rebuild_report_summaries`` fills the new grain; the
    sales summary's build stays."""
    old = migrator.apply_initial_migration(("reporting", "0010_fulfillment_day"))
    SummaryBuild = old.apps.get_model("reporting", "SummaryBuild")
    for name in ("purchases", "sales"):
        SummaryBuild.objects.create(name=name, built_at=timezone.now(), zone="UTC")
    assert not _table_exists("reporting_purchasedate")

    new = migrator.apply_tested_migration(("reporting", "0011_purchase_date"))
    SummaryBuild = new.apps.get_model("reporting", "SummaryBuild")
    assert list(SummaryBuild.objects.values_list("name", flat=True)) == ["sales"]
    assert _table_exists("reporting_purchasedate")

    back = migrator.apply_tested_migration(("reporting", "0010_fulfillment_day"))
    SummaryBuild = back.apps.get_model("reporting", "SummaryBuild")
    assert list(SummaryBuild.objects.values_list("name", flat=True)) == ["sales"]
    assert not _table_exists("reporting_purchasedate")
    migrator.reset()
