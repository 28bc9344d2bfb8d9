"""Demo users for ``manage.py seed_demo``: an admin and one user per role, and a public
OAuth2 client for a front end on the Vite dev server (see docs/oauth2.md)."""

from oauth2_provider.models import Application
from oauth2_provider.settings import oauth2_settings

from stockyard.accounts import services
from stockyard.accounts.models import User
from stockyard.accounts.roles import Role

DEMO_PASSWORD_SUFFIX = "-demo-pass-1"
DEMO_CLIENT_ID = "stockyard-demo-frontend"
DEMO_REDIRECT_URI = "http://localhost:5173/oauth/callback"


def demo_password(role: Role) -> str:
    return f"{role.value}{DEMO_PASSWORD_SUFFIX}"


def seed() -> list[str]:
    lines = ["Demo logins (username / password / role):"]
    for role in Role:
        created = not User.objects.filter(username=role.value).exists()
        if created:
            services.user_create(
                username=role.value,
                password=demo_password(role),
                email=f"{role.value}@stockyard.example",
                roles=[role],
            )
        state = "created" if created else "exists"
        lines.append(f"  {role.value:<11} {demo_password(role):<24} {role.value} ({state})")
    if "http" not in oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES:
        # Production allows https redirect URIs only: a dev-server client has no place there.
        lines.append(
            f"OAuth2 public client: {DEMO_CLIENT_ID} skipped (only https redirect URIs are "
            "allowed here; register yours with manage.py register_frontend_client)"
        )
        return lines
    created = not Application.objects.filter(client_id=DEMO_CLIENT_ID).exists()
    if created:
        services.oauth2_public_client_register(
            name="Stockyard demo front end",
            redirect_uris=[DEMO_REDIRECT_URI],
            client_id=DEMO_CLIENT_ID,
        )
    state = "created" if created else "exists"
    lines.append(f"OAuth2 public client: {DEMO_CLIENT_ID} -> {DEMO_REDIRECT_URI} ({state})")
    return lines
