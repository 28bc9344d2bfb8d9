from celery import shared_task
from oauth2_provider.models import clear_expired


@shared_task
def clear_expired_oauth2_tokens() -> None:
    """Delete expired and revoked OAuth2 grants and tokens (django-oauth-toolkit's cleartokens)."""
    clear_expired()
