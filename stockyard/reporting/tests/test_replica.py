"""Reports and exports read from the replica (DATABASE_REPLICA_URL), everything else from
the primary, against a second real database on the test server.

The replica here is a copy of the test database taken mid-test (``CREATE DATABASE ...
TEMPLATE``) that replays nothing afterwards, like a standby whose stream stopped, and is
not in recovery, so it is read as it is. Stock put on the primary after the copy is
therefore missing from it, and what a read finds shows where it went. Waiting for a
streaming standby to catch up is exercised on the staging stack (``make replica-drill``).
"""

import csv
import io
from collections.abc import Callable, Iterator
from decimal import Decimal

import psycopg
import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from structlog.testing import capture_logs

from stockyard.accounts.roles import Role
from stockyard.catalog.tests.factories import ProductFactory
from stockyard.core.replicas import REPLICA
from stockyard.inventory.tests.factories import put_stock
from stockyard.reporting import services
from stockyard.reporting.models import Export
from stockyard.reporting.reports.registry import REPORTS

# Real connections on two databases: no test transaction around them.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
]

VALUATION = "/api/v1/reports/inventory-valuation/"


def _server() -> psycopg.Connection:
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    return psycopg.connect(
        host=primary["HOST"] or None,
        port=primary["PORT"] or None,
        user=primary["USER"] or None,
        password=primary["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _configure(name: str) -> None:
    connections.settings[REPLICA] = {**connections[DEFAULT_DB_ALIAS].settings_dict, "NAME": name}


def _point_replica_at(name: str) -> None:
    connections[REPLICA].close()
    del connections[REPLICA]  # the next use connects with the new settings
    _configure(name)


def _copy(name: str) -> None:
    """(Re)make database ``name`` as a copy of the test database as it is now."""
    template = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]
    connections.close_all()  # a template database must have no other session
    with _server() as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')


@pytest.fixture(scope="module", autouse=True)
def _replica_alias(django_db_setup: None) -> Iterator[str]:
    """The ``replica`` alias, on a second database of the test server, for this module's
    tests (which flush it after each, as they do the primary)."""
    name = f"{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}_replica"
    _copy(name)
    _configure(name)
    yield name
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]
    with _server() as server:
        server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def replica(_replica_alias: str) -> Callable[[], None]:
    """``copy()``: the replica becomes a copy of the primary as it is now."""
    return lambda: _copy(_replica_alias)


@pytest.fixture
def stocked(warehouse):
    """A product with 10 on hand, stocked before the copy."""
    product = ProductFactory(sku="COPIED")
    put_stock(product, warehouse, 10, unit_cost="2.00")
    return product


def _more_stock(product, warehouse) -> None:
    put_stock(product, warehouse, 5, unit_cost="2.00")  # 15 on hand on the primary


def _on_hand(rows) -> list[tuple[str, Decimal]]:
    return [(row["sku"], Decimal(row["on_hand"])) for row in rows]


def _csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_reports_and_exports_read_the_replica_everything_else_the_primary(
    replica, client_for, warehouse, stocked
):
    replica()
    _more_stock(stocked, warehouse)
    manager = client_for(Role.MANAGER)  # exists on the primary only: signs in there
    params = {"warehouse": warehouse.pk}

    report = manager.get(VALUATION, params)
    assert report.status_code == 200, report.content
    assert _on_hand(report.json()["rows"]) == [("COPIED", Decimal(10))]  # the replica's

    download = manager.get(VALUATION, {**params, "format": "csv"})
    assert download.status_code == 200
    assert _on_hand(_csv(b"".join(download.streaming_content))) == [("COPIED", Decimal(10))]

    accepted = manager.post(
        "/api/v1/exports/",
        {"report": "inventory-valuation", "params": params, "format": "csv"},
        format="json",
    )
    assert accepted.status_code == 202, accepted.content
    # The export is written to (and read back from) the primary; its rows come from the
    # replica when the worker builds it.
    export = manager.get(f"/api/v1/exports/{accepted.json()['id']}/").json()
    assert export["status"] == "done"
    assert not Export.objects.using(REPLICA).exists()
    built = manager.get(f"/api/v1/exports/{export['id']}/download/")
    assert _on_hand(_csv(b"".join(built.streaming_content))) == [("COPIED", Decimal(10))]


def test_a_report_in_a_transaction_that_wrote_reads_the_primary(replica, warehouse, stocked):
    replica()
    report = REPORTS["inventory-valuation"]
    with transaction.atomic():
        _more_stock(stocked, warehouse)  # not committed: no replica can see it
        table = services.report_run(report=report, params={"warehouse": warehouse.pk})
    assert _on_hand(table.rows) == [("COPIED", Decimal(15))]
    table = services.report_run(report=report, params={"warehouse": warehouse.pk})
    assert _on_hand(table.rows) == [("COPIED", Decimal(10))]  # outside it: the replica


def test_reports_read_the_primary_while_the_replica_cannot_be_reached(
    _replica_alias, client_for, warehouse, stocked
):
    _more_stock(stocked, warehouse)
    manager = client_for(Role.MANAGER)
    _point_replica_at("stockyard_no_such_replica")
    try:
        with capture_logs() as logs:
            report = manager.get(VALUATION, {"warehouse": warehouse.pk})
    finally:
        _point_replica_at(_replica_alias)
    assert report.status_code == 200, report.content
    assert _on_hand(report.json()["rows"]) == [("COPIED", Decimal(15))]
    assert [log["event"] for log in logs if log["log_level"] == "warning"] == [
        "replica_unavailable"
    ]


def test_migrations_never_run_on_the_replica():
    assert router.allow_migrate(REPLICA, "inventory") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "inventory") is True
