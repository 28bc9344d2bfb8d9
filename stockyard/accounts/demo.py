"""Demo users for ``manage.py seed_demo``: an admin and one user per role."""

from dataclasses import dataclass

from stockyard.accounts import services
from stockyard.accounts.models import User
from stockyard.accounts.roles import Role

DEMO_PASSWORD_SUFFIX = "-demo-pass-1"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: Role
    created: bool


def seed_demo_users() -> list[DemoLogin]:
    logins = []
    for role in Role:
        username = role.value
        password = f"{role.value}{DEMO_PASSWORD_SUFFIX}"
        created = not User.objects.filter(username=username).exists()
        if created:
            services.user_create(
                username=username,
                password=password,
                email=f"{username}@stockyard.example",
                roles=[role],
            )
        logins.append(DemoLogin(username=username, password=password, role=role, created=created))
    return logins
