"""Positions: assigned after commit, in one order, with no hole a reader could skip."""

import threading

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connections, transaction
from redis.asyncio.connection import Connection as AsyncRedisConnection

from stockyard.core.testing import run_concurrently
from stockyard.events import announcements, services
from stockyard.events.announcements import GROUP, NEW_EVENTS, announce
from stockyard.events.models import Event
from stockyard.events.selectors import event_feed
from stockyard.events.services import (
    SEQUENCING_WINDOW_SECONDS,
    _request_sequencing,
    events_sequence,
    publish,
    publish_many,
)
from stockyard.events.tasks import sequence_events

pytestmark = pytest.mark.django_db(transaction=True)


def publish_one(type: str, data: dict | None = None) -> Event:
    with transaction.atomic():
        return publish(type, data or {})


def test_events_get_positions_in_id_order_when_their_transaction_commits():
    with transaction.atomic():
        first, second = publish_many([("test.a", {}), ("test.b", {})])
        assert Event.objects.filter(position__isnull=False).count() == 0
    third = publish_one("test.c")
    positions = dict(Event.objects.values_list("id", "position"))
    assert [positions[first.pk], positions[second.pk], positions[third.pk]] == [1, 2, 3]


@pytest.mark.django_db  # the on-commit callbacks are captured, not run by a real commit
def test_a_transaction_that_publishes_many_times_sequences_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        publish("test.a", {})
        publish("test.b", {})
        publish_many([("test.c", {})])
    assert callbacks == [_request_sequencing, announce]  # sequenced once, then announced once
    assert sorted(Event.objects.values_list("position", flat=True)) == [1, 2, 3]


def test_rolled_back_events_never_get_a_position():
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("test.lost", {})
        raise RuntimeError("the change failed")
    publish_one("test.kept")
    assert list(Event.objects.values_list("type", "position")) == [("test.kept", 1)]


def test_the_sweep_sequences_events_whose_hook_never_ran():
    """A process that dies between commit and its after-commit hook leaves events without
    a position; the periodic sweep (or the next feed read) gives them one."""
    with transaction.atomic():  # as the outbox would, minus the hook
        Event.objects.create(type="test.orphan", occurred_at="2026-01-01T00:00Z", data={})
    assert sequence_events.delay().get() == 1
    assert Event.objects.get().position == 1
    assert sequence_events.delay().get() == 0


@pytest.mark.postgres
def test_a_run_takes_its_turn_and_numbers_in_one_round_trip(django_assert_num_queries):
    """The lock and the numbering statement go together; the webhooks are read only when
    something was numbered (no ORM query): a run sent three statements in its
    transaction."""
    with transaction.atomic():  # as the outbox would, minus the hook
        for type in ("test.a", "test.b"):
            Event.objects.create(type=type, occurred_at="2026-01-01T00:00Z", data={})
    with django_assert_num_queries(4):  # BEGIN, the lock and the numbering, webhooks, COMMIT
        assert events_sequence() == 2
    with django_assert_num_queries(3):  # BEGIN, the lock and the numbering, COMMIT
        assert events_sequence() == 0


def test_sequencing_announces_new_events_on_the_channel_layer():
    layer = get_channel_layer()

    async def listen() -> str:
        channel = await layer.new_channel()
        await layer.group_add(GROUP, channel)
        return channel

    channel = async_to_sync(listen)()
    try:
        publish_one("test.a")
        assert async_to_sync(layer.receive)(channel) == NEW_EVENTS
    finally:
        async_to_sync(layer.group_discard)(GROUP, channel)


def follow(after: int) -> tuple[list[Event], int]:
    page = event_feed(after=after)
    return page.events, page.cursor


@pytest.mark.postgres
def test_an_event_whose_transaction_commits_late_is_not_skipped():
    """T1 publishes and stays open; T2 publishes and commits; the feed is read; T1
    commits. Following the cursor yields both, once each, in one stable order."""
    t1_published, t1_may_commit = threading.Event(), threading.Event()
    late: list[Event] = []

    def t1() -> None:
        try:
            with transaction.atomic():
                late.append(publish("test.late", {}))
                t1_published.set()
                assert t1_may_commit.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=t1)
    thread.start()
    assert t1_published.wait(10)
    early = publish_one("test.early")
    assert late[0].pk < early.pk  # "id > cursor" would skip the late event

    seen, cursor = follow(0)
    assert [event.pk for event in seen] == [early.pk]
    t1_may_commit.set()
    thread.join(10)

    more, cursor = follow(cursor)
    assert [event.pk for event in more] == [late[0].pk]
    assert follow(cursor) == ([], cursor)
    replay, _ = follow(0)
    assert [event.pk for event in replay] == [early.pk, late[0].pk]


@pytest.mark.postgres
def test_concurrent_writers_and_readers_see_every_committed_event_exactly_once():
    writers, readers, transactions = 6, 2, 15
    done = threading.Barrier(writers)
    writers_finished = threading.Event()
    committed: list[int] = []
    lock = threading.Lock()

    def write(index: int) -> None:
        for n in range(transactions):
            try:
                with transaction.atomic():
                    events = publish_many([(f"test.w{index}", {"n": n})] * (1 + n % 3))
                    if n % 5 == 4:
                        raise RuntimeError("rolled back: these events never happened")
            except RuntimeError:
                continue
            with lock:
                committed.extend(event.pk for event in events)
        if done.wait() == 0:
            writers_finished.set()

    def read() -> list[int]:
        seen: list[int] = []
        cursor = 0  # from the start: writers may have committed before this reader runs
        while True:
            finished = writers_finished.is_set()
            page = event_feed(after=cursor)
            seen.extend(event.pk for event in page.events)
            cursor = page.cursor
            if finished and not page.events:
                return seen

    outcomes = run_concurrently(
        lambda index: read() if index < readers else write(index), readers + writers
    )
    assert not [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    expected_count = writers * sum(1 + n % 3 for n in range(transactions) if n % 5 != 4)
    assert len(committed) == expected_count
    for seen in outcomes[:readers]:
        assert len(seen) == len(set(seen)) == expected_count
        assert set(seen) == set(committed)
        assert seen == outcomes[0]  # every reader sees one order
    positions = list(Event.objects.order_by("position").values_list("position", flat=True))
    assert positions == list(range(1, expected_count + 1))


class Broker:
    """Celery as a test's clock sees it: ``sequence_events`` asked for by commits, run by
    ``run_due`` once due (``countdown`` later), or lost."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, settings) -> None:
        from stockyard.events import tasks

        settings.CELERY_TASK_ALWAYS_EAGER = False  # as with a worker: commits ask for runs
        self.now = 1_000_000.0
        self.asked: list[float] = []  # each ask's countdown
        self.queue: list[float] = []  # when each asked run is due
        self.runs: list[int] = []  # what each run numbered
        self.lose_messages = False
        self._task = tasks.sequence_events
        monkeypatch.setattr(self._task, "delay", self.apply_async)
        monkeypatch.setattr(self._task, "apply_async", self.apply_async)
        monkeypatch.setattr(services, "_clock", lambda: self.now, raising=False)

    def apply_async(self, countdown: float = 0) -> None:
        self.asked.append(countdown)
        if not self.lose_messages:
            self.queue.append(self.now + countdown)

    def run_due(self) -> None:
        due = [at for at in self.queue if at <= self.now]
        self.queue = [at for at in self.queue if at > self.now]
        for _ in due:
            self.runs.append(self._task())

    def sweep(self) -> int:
        """The periodic run (Celery beat), not asked for by a commit."""
        return self._task()


def numbered() -> list[int | None]:
    return list(Event.objects.order_by("id").values_list("position", flat=True))


@pytest.mark.django_db(transaction=True)
def test_with_a_worker_the_request_asks_for_numbering_instead_of_doing_it(settings, monkeypatch):
    """The sequencer's transaction and its wait for the lock stay off the request: a
    commit asks a worker for a run, unless one is already asked for and not started."""
    broker = Broker(monkeypatch, settings)
    with transaction.atomic():
        publish("test.a", {})
        publish("test.b", {})
    publish_one("test.c")  # the run asked for will number this one too

    assert broker.asked == [0]  # at once: no run started lately
    assert numbered() == [None, None, None]
    broker.run_due()  # what the worker then does
    assert broker.runs == [3]
    assert numbered() == [1, 2, 3]
    publish_one("test.d")
    assert len(broker.asked) == 2  # that run has started: the next commit asks again


@pytest.mark.django_db(transaction=True)
def test_a_burst_of_commits_is_numbered_by_one_run_per_window(settings, monkeypatch):
    """Commits every 10 ms for half a second: the worker runs the sequencer once per window
    (at most every SEQUENCING_WINDOW_SECONDS), not once per commit, and each run is asked
    for once. Every event is numbered, gapless and in commit order."""
    broker = Broker(monkeypatch, settings)
    commits, step = 50, 0.01
    for n in range(commits):
        broker.now += step
        publish_one("test.burst", {"n": n})
        broker.run_due()  # a worker with nothing else to do runs what is due at once
    broker.now += SEQUENCING_WINDOW_SECONDS
    broker.run_due()

    assert sum(broker.runs) == commits
    windows = commits * step / SEQUENCING_WINDOW_SECONDS
    assert len(broker.runs) <= windows + 2  # was one run per commit
    assert len(broker.asked) == len(broker.runs)  # one ask (one task message) per run
    assert numbered() == list(range(1, commits + 1))


@pytest.mark.django_db(transaction=True)
def test_an_event_waits_for_its_position_at_most_one_window(settings, monkeypatch):
    """The latency kept: a commit within a window is numbered (and announced) by the run
    asked for the window's end; after a quiet spell, at once."""
    broker = Broker(monkeypatch, settings)
    publish_one("test.first")
    broker.run_due()  # a run starts at `now` and opens a window
    assert broker.runs == [1]

    broker.now += 0.03
    publish_one("test.soon")
    assert broker.asked[-1] == pytest.approx(SEQUENCING_WINDOW_SECONDS - 0.03)
    broker.now += SEQUENCING_WINDOW_SECONDS - 0.031
    broker.run_due()
    assert numbered() == [1, None]  # not before the window ends ...
    broker.now += 0.001
    broker.run_due()
    assert numbered() == [1, 2]  # ... and at its end

    broker.now += 5 * SEQUENCING_WINDOW_SECONDS  # quiet
    publish_one("test.later")
    assert broker.asked[-1] == 0
    broker.run_due()
    assert numbered() == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_events_whose_ask_was_lost_are_numbered_by_the_sweep_and_the_feed(settings, monkeypatch):
    """A run asked for and lost (broker, worker): the commits after it see the ask pending
    and do not ask again; the feed's readers number the events before they read, and the
    periodic sweep numbers them for everyone else (webhooks); then commits ask again."""
    broker = Broker(monkeypatch, settings)
    broker.lose_messages = True
    for n in range(3):
        broker.now += 0.5
        publish_one("test.unheard", {"n": n})
    assert broker.asked == [0]  # asked once, and lost
    assert numbered() == [None, None, None]

    assert follow(0)[0] == list(Event.objects.order_by("id"))  # a reader numbers them
    publish_one("test.unheard")
    assert broker.sweep() == 1  # the sweep numbers what no reader did
    assert numbered() == [1, 2, 3, 4]

    broker.lose_messages = False
    broker.now += 0.02
    publish_one("test.heard")
    assert len(broker.asked) == 2  # the sweep cleared the ask: commits ask again
    broker.now += SEQUENCING_WINDOW_SECONDS
    broker.run_due()
    assert numbered() == [1, 2, 3, 4, 5]


def test_announcements_from_the_worker_reuse_one_redis_connection(monkeypatch, settings):
    """Through ``async_to_sync`` every announcement made a new event loop, and the channel
    layer a new Redis connection for it."""
    if not settings.REDIS_URL:
        pytest.skip("needs Redis (set REDIS_URL=redis://...)")
    layer = get_channel_layer()
    connects = []
    connect = AsyncRedisConnection.connect

    async def counting(self: AsyncRedisConnection) -> None:
        if not self.is_connected:  # redis-py calls connect() before every command
            connects.append(self)
        await connect(self)

    async def listen() -> str:
        channel = await layer.new_channel()
        await layer.group_add(GROUP, channel)
        return channel

    channel = async_to_sync(listen)()
    monkeypatch.setattr(AsyncRedisConnection, "connect", counting)
    monkeypatch.setattr(announcements, "_own_loop", announcements._OwnLoop())
    announcements.use_own_loop()
    try:
        for _ in range(3):
            announce()
        monkeypatch.undo()
        assert [async_to_sync(layer.receive)(channel) for _ in range(3)] == [NEW_EVENTS] * 3
    finally:
        async_to_sync(layer.group_discard)(GROUP, channel)
    assert len(connects) == 1
