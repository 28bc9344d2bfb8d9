"""Real threads against PostgreSQL: two workers never send one due run twice."""

import time

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from stockyard.core.testing import run_concurrently
from stockyard.reporting import services
from stockyard.reporting.tests.factories import utc

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slow_mail(monkeypatch):
    """Sending takes a while, so the workers overlap for real."""
    send = EmailBackend.send_messages

    def slowly(self, messages):
        time.sleep(0.05)
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slowly)


def test_four_workers_send_each_due_schedule_exactly_once(slow_mail):
    with time_machine.travel(utc(2026, 11, 22, 6), tick=False):
        schedules = [
            services.report_schedule_create(
                user=None,
                name=f"Schedule {index}",
                report="low-stock",
                params={},
                format="csv",
                frequency="daily",
                hour=7,
                recipients=["ops@example.com"],
            )
            for index in range(6)
        ]
    due = utc(2026, 11, 22, 7, 1)

    outcomes = run_concurrently(lambda _: services.report_schedule_send_due(now=due), 4)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    sent = sorted(pk for outcome in outcomes for pk in outcome)
    assert sent == sorted(schedule.pk for schedule in schedules)
    assert sorted(message.subject for message in mail.outbox) == sorted(
        f"[Stockyard] Schedule {index}" for index in range(6)
    )
    assert sum(1 for outcome in outcomes if outcome) >= 2  # the work was shared
