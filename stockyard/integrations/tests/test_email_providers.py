"""Email providers: the configuration picks the backend; mail goes out through the
provider's HTTP API (anymail), tested at the HTTP boundary."""

import json
from datetime import timedelta

import pytest
import responses
from django.core import mail
from django.utils import timezone

from stockyard.integrations.email_providers import (
    EmailConfigurationError,
    email_backend_settings,
)
from stockyard.integrations.notices import failure_notice_send
from stockyard.reporting import services as reporting
from stockyard.reporting.models import ReportSchedule


def reader(**values):
    return lambda key: values.get(key, "")


@pytest.mark.parametrize(
    ("provider", "backend"),
    [
        ("smtp", "django.core.mail.backends.smtp.EmailBackend"),
        ("console", "django.core.mail.backends.console.EmailBackend"),
        ("amazon-ses", "anymail.backends.amazon_ses.EmailBackend"),
        ("Postmark", "anymail.backends.postmark.EmailBackend"),
    ],
)
def test_the_provider_picks_the_backend(provider, backend):
    chosen, _ = email_backend_settings(provider, reader(POSTMARK_SERVER_TOKEN="pm-token"))
    assert chosen == backend


def test_a_provider_gets_its_keys_from_the_environment():
    backend, anymail = email_backend_settings(
        "mailgun", reader(MAILGUN_API_KEY="key-1", MAILGUN_SENDER_DOMAIN="mg.example.com")
    )
    assert backend == "anymail.backends.mailgun.EmailBackend"
    assert anymail == {"MAILGUN_API_KEY": "key-1", "MAILGUN_SENDER_DOMAIN": "mg.example.com"}


def test_a_missing_key_or_unknown_provider_fails_at_start():
    with pytest.raises(EmailConfigurationError, match="SENDGRID_API_KEY"):
        email_backend_settings("sendgrid", reader())
    with pytest.raises(EmailConfigurationError, match="not one of"):
        email_backend_settings("carrier-pigeon", reader())


MAILGUN_URL = "https://api.mailgun.net/v3/mg.example.com/messages"


@pytest.fixture
def mailgun(settings):
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {"MAILGUN_API_KEY": "key-test", "MAILGUN_SENDER_DOMAIN": "mg.example.com"}
    with responses.RequestsMock() as http:
        http.post(MAILGUN_URL, json={"id": "<20261201.1@mg.example.com>", "message": "Queued"})
        yield http


@pytest.mark.django_db
def test_scheduled_reports_go_out_through_the_provider_api(mailgun, make_user):
    schedule = reporting.report_schedule_create(
        user=make_user(),
        name="Daily low stock",
        report="low-stock",
        params={},
        format="csv",
        frequency="daily",
        hour=6,
        recipients=["ops@example.com"],
    )
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        next_run_at=timezone.now() - timedelta(minutes=1)
    )

    assert reporting.report_schedule_send_due() == [schedule.pk]

    (call,) = mailgun.calls
    body = call.request.body
    assert call.request.headers["Authorization"].startswith("Basic ")
    assert b"ops@example.com" in body
    assert b"[Stockyard] Daily low stock" in body
    assert b'filename="low-stock' in body  # the report rides along as an attachment


@pytest.mark.django_db
def test_a_failed_schedule_sends_a_failure_notice(settings, make_user, monkeypatch):
    settings.FAILURE_NOTICE_EMAILS = ["oncall@example.com"]
    owner = make_user()
    schedule = reporting.report_schedule_create(
        user=owner,
        name="Broken",
        report="sales",
        params={},
        format="csv",
        frequency="daily",
        hour=6,
        recipients=["ops@example.com"],
    )
    ReportSchedule.objects.filter(pk=schedule.pk).update(
        next_run_at=timezone.now() - timedelta(minutes=1)
    )
    # The mail server refuses the report itself; the notice still goes out.
    sent = []

    def send(self, fail_silently=False):
        if self.subject.startswith("[Stockyard] Broken"):
            raise ConnectionRefusedError("SMTP down")
        sent.append(self)
        return 1

    monkeypatch.setattr("django.core.mail.EmailMessage.send", send)

    assert reporting.report_schedule_send_due() == []
    (notice,) = sent
    assert notice.subject == "[Stockyard] Scheduled report failed: Broken"
    assert notice.to == [owner.email, "oncall@example.com"]


def test_failure_notices_go_through_the_anymail_test_backend(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.FAILURE_NOTICE_EMAILS = ["oncall@example.com"]
    assert failure_notice_send(subject="Import #3 failed", body="row 2", to=["me@example.com"])
    (message,) = mail.outbox
    assert message.anymail_test_params["to"][0].addr_spec == "me@example.com"
    assert message.anymail_status.status == {"sent"}
    assert json.dumps(message.subject) == '"[Stockyard] Import #3 failed"'
