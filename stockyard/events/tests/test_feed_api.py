"""GET /api/v1/events/: the long-poll feed."""

import asyncio
import threading
import time

import pytest
from asgiref.sync import async_to_sync
from django.db import connections, transaction
from django.test import AsyncClient
from rest_framework.test import APIClient

from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem
from stockyard.events.services import publish, publish_many

pytestmark = pytest.mark.django_db

FEED = "/api/v1/events/"


@pytest.fixture
def viewer(client_for) -> APIClient:
    return client_for(Role.VIEWER)


def publish_events(*types: str) -> None:
    with transaction.atomic():
        publish_many([(type, {"n": n}) for n, type in enumerate(types)])


def test_without_after_there_are_no_events_and_the_cursor_of_the_present_end(viewer):
    publish_events("stock.changed", "stock.changed")
    response = viewer.get(FEED)
    assert response.status_code == 200
    assert response.json() == {"results": [], "cursor": 2}


def test_following_the_cursor_yields_each_event_once_in_order(viewer):
    cursor = viewer.get(FEED).json()["cursor"]
    publish_events("sales_order.created", "stock.changed")
    body = viewer.get(FEED, {"after": cursor}).json()
    assert [(e["type"], e["data"]) for e in body["results"]] == [
        ("sales_order.created", {"n": 0}),
        ("stock.changed", {"n": 1}),
    ]
    first = body["results"][0]
    assert set(first) == {"id", "type", "occurred_at", "data"}
    assert first["occurred_at"].endswith("Z")
    assert viewer.get(FEED, {"after": body["cursor"]}).json() == {
        "results": [],
        "cursor": body["cursor"],
    }


def test_an_answer_holds_at_most_500_events(viewer):
    publish_events(*["stock.changed"] * 501)
    first = viewer.get(FEED, {"after": 0}).json()
    assert len(first["results"]) == 500
    assert first["cursor"] == 500
    rest = viewer.get(FEED, {"after": first["cursor"]}).json()
    assert len(rest["results"]) == 1
    assert rest["results"][0]["id"] == first["results"][-1]["id"] + 1


def test_types_filter_by_pattern_and_the_cursor_moves_past_the_others(viewer):
    publish_events(
        "sales_order.created", "product.created", "stock.changed", "stock.below_reorder_point"
    )
    body = viewer.get(FEED, {"after": 0, "types": "sales_order.*,stock.changed"}).json()
    assert [e["type"] for e in body["results"]] == ["sales_order.created", "stock.changed"]
    assert body["cursor"] == 4
    stock = viewer.get(FEED, {"after": 0, "types": "stock.*"}).json()
    assert [e["type"] for e in stock["results"]] == ["stock.changed", "stock.below_reorder_point"]
    everything = viewer.get(FEED, {"after": 0, "types": "*"}).json()
    assert len(everything["results"]) == 4


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"after": -1}, "after"),
        ({"after": "abc"}, "after"),
        ({"after": 0, "wait": 31}, "wait"),
        ({"after": 0, "wait": -1}, "wait"),
        ({"after": 0, "wait": "soon"}, "wait"),
        ({"after": 0, "types": "Stock.Changed"}, "types.0"),
        ({"after": 0, "types": "stock.*,sales_order.*.x"}, "types.1"),
    ],
)
def test_bad_parameters_answer_400_with_the_field(viewer, query, field):
    body = assert_problem(viewer.get(FEED, query), 400, "validation_error")
    assert field in body["errors"]


def test_a_cursor_beyond_the_end_restarts_at_the_end(viewer):
    publish_events("stock.changed")
    assert viewer.get(FEED, {"after": 99}).json() == {"results": [], "cursor": 1}


def test_anonymous_and_bad_tokens_answer_401(api_client):
    assert_problem(api_client.get(FEED), 401, "not_authenticated")
    api_client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert_problem(api_client.get(FEED, {"after": 0, "wait": 5}), 401, "not_authenticated")


@pytest.mark.parametrize("role", list(Role))
def test_every_role_may_read_events(client_for, role):
    assert client_for(role).get(FEED, {"after": 0}).status_code == 200


def test_a_user_without_a_role_is_refused(client_for):
    assert_problem(client_for().get(FEED), 403, "permission_denied")


def test_the_feed_reads_with_a_fixed_number_of_queries(viewer, django_assert_max_num_queries):
    publish_events(*["stock.changed"] * 300)
    viewer.get(FEED, {"after": 0})  # sequences the 300
    with django_assert_max_num_queries(6):  # user, exists, end, events (+ savepoints)
        body = viewer.get(FEED, {"after": 0, "types": "stock.*"}).json()
    assert len(body["results"]) == 300


def test_waiting_without_events_answers_empty_after_the_wait(viewer):
    started = time.monotonic()
    body = viewer.get(FEED, {"after": 0, "wait": 1}).json()
    assert body == {"results": [], "cursor": 0}
    assert 1 <= time.monotonic() - started < 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_waiting_request_answers_as_soon_as_an_event_commits(viewer):
    def publish_soon() -> None:
        time.sleep(0.5)
        try:
            with transaction.atomic():
                publish("stock.changed", {"product": 1})
        finally:
            connections.close_all()

    thread = threading.Thread(target=publish_soon)
    started = time.monotonic()
    thread.start()
    body = viewer.get(FEED, {"after": 0, "wait": 20}).json()
    elapsed = time.monotonic() - started
    thread.join()
    assert [e["type"] for e in body["results"]] == ["stock.changed"]
    assert body["cursor"] == 1
    assert 0.5 <= elapsed < 2.5  # woken by the announcement, not the 20 s deadline


def test_a_waiting_long_poll_lets_other_requests_of_the_process_through(client_for):
    """Under the async handler (as under uvicorn) the wait happens on the event loop: a
    request made meanwhile is answered at once."""
    viewer = client_for(Role.VIEWER)
    headers = {"Authorization": viewer._credentials["HTTP_AUTHORIZATION"]}
    client = AsyncClient()

    async def scenario() -> tuple[float, float, int, int]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        waiting = asyncio.ensure_future(
            client.get(FEED, {"after": 0, "wait": 2, "types": "never.*"}, headers=headers)
        )
        await asyncio.sleep(0.2)
        me = await client.get("/api/v1/auth/me/", headers=headers)
        me_done = loop.time() - started
        feed = await waiting
        return me_done, loop.time() - started, me.status_code, feed.status_code

    me_done, feed_done, me_status, feed_status = async_to_sync(scenario)()
    assert (me_status, feed_status) == (200, 200)
    assert me_done < 1.5
    assert feed_done >= 2
