"""Which email backend sends Stockyard's mail, chosen by configuration.

SMTP (Django's own backend) stays the default when ``EMAIL_HOST`` is set, the console
otherwise. ``EMAIL_PROVIDER`` picks a transactional provider instead, sent through its
HTTP API by django-anymail; the provider's credentials come from the variables anymail
names (``MAILGUN_API_KEY`` ...). Read by the settings, so it imports nothing of Django's.
"""

from collections.abc import Callable, Mapping
from typing import NamedTuple

DJANGO_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}


class Keys(NamedTuple):
    """The anymail settings a provider reads from the environment."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


ANYMAIL_PROVIDERS: dict[str, Keys] = {
    # Credentials come from boto3's own chain (AWS_ACCESS_KEY_ID, an instance role ...).
    "amazon_ses": Keys((), ("AMAZON_SES_CONFIGURATION_SET_NAME",)),
    "mailgun": Keys(("MAILGUN_API_KEY",), ("MAILGUN_SENDER_DOMAIN", "MAILGUN_API_URL")),
    "postmark": Keys(("POSTMARK_SERVER_TOKEN",)),
    "sendgrid": Keys(("SENDGRID_API_KEY",)),
    "brevo": Keys(("BREVO_API_KEY",)),
    "mailjet": Keys(("MAILJET_API_KEY", "MAILJET_SECRET_KEY")),
    "resend": Keys(("RESEND_API_KEY",)),
    "sparkpost": Keys(("SPARKPOST_API_KEY",), ("SPARKPOST_API_URL",)),
}


class EmailConfigurationError(ValueError):
    """``EMAIL_PROVIDER`` names no known provider, or its required keys are missing."""


def email_backend_settings(
    provider: str, read: Callable[[str], str]
) -> tuple[str, Mapping[str, str]]:
    """``(EMAIL_BACKEND, ANYMAIL)`` for ``provider`` (``smtp``, ``console`` or a key of
    ``ANYMAIL_PROVIDERS``; dashes and case ignored), reading variables through ``read``
    (which answers ``""`` for an unset one).

    Raises ``EmailConfigurationError`` for an unknown provider or a missing required key,
    so a misconfigured deployment fails at start, not at the first email."""
    name = provider.strip().lower().replace("-", "_")
    if name in DJANGO_BACKENDS:
        return DJANGO_BACKENDS[name], {}
    if name not in ANYMAIL_PROVIDERS:
        known = ", ".join([*DJANGO_BACKENDS, *ANYMAIL_PROVIDERS])
        raise EmailConfigurationError(f"EMAIL_PROVIDER={provider!r} is not one of: {known}.")
    keys = ANYMAIL_PROVIDERS[name]
    values = {key: read(key) for key in (*keys.required, *keys.optional)}
    missing = [key for key in keys.required if not values[key]]
    if missing:
        raise EmailConfigurationError(
            f"EMAIL_PROVIDER={provider} needs {', '.join(missing)} in the environment."
        )
    backend = f"anymail.backends.{name}.EmailBackend"
    return backend, {key: value for key, value in values.items() if value}
