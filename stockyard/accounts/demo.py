"""Demo users for ``manage.py seed_demo``: an admin and one user per role."""

from stockyard.accounts import services
from stockyard.accounts.models import User
from stockyard.accounts.roles import Role

DEMO_PASSWORD_SUFFIX = "-demo-pass-1"


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
    return lines
