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


@pytest.mark.django_db(transaction=True)
def test_0012_grouped_blocks_forward_and_backward(migrator):
    """The sales and purchases summaries built before their grouped grains existed stop
    being read (reports read the documents) until ``rebuild_report_summaries`` fills the
    new grains; the fulfillment summary's build stays."""
    old = migrator.apply_initial_migration(("reporting", "0011_purchase_date"))
    SummaryBuild = old.apps.get_model("reporting", "SummaryBuild")
    for name in ("purchases", "sales", "fulfillment"):
        SummaryBuild.objects.create(name=name, built_at=timezone.now(), zone="UTC")
    tables = ("reporting_salesproductblock", "reporting_purchasesupplierblock")
    assert not any(map(_table_exists, tables))

    new = migrator.apply_tested_migration(("reporting", "0012_grouped_blocks"))
    SummaryBuild = new.apps.get_model("reporting", "SummaryBuild")
    assert list(SummaryBuild.objects.values_list("name", flat=True)) == ["fulfillment"]
    assert all(map(_table_exists, tables))

    back = migrator.apply_tested_migration(("reporting", "0011_purchase_date"))
    SummaryBuild = back.apps.get_model("reporting", "SummaryBuild")
    assert list(SummaryBuild.objects.values_list("name", flat=True)) == ["fulfillment"]
    assert not any(map(_table_exists, tables))
    migrator.reset()
