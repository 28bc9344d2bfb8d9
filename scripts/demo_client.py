"""What the HTTP walkthroughs and checks share: the server they drive (the first
argument, default http://127.0.0.1:8000), logins as the demo users made by
``manage.py seed_demo``, and how they check and report each step."""

import sys

import httpx

SERVER = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
API = f"{SERVER}/api/v1"


def demo_token(username: str, *, timeout: float = 5.0) -> str:
    """An access JWT of the demo user ``username`` (password ``<username>-demo-pass-1``)."""
    password = f"{username}-demo-pass-1"
    response = httpx.post(
        f"{API}/auth/token/", json={"username": username, "password": password}, timeout=timeout
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access"])


def login(username: str, *, timeout: float = 5.0) -> httpx.Client:
    """A client of the API authenticated as the demo user ``username``."""
    return httpx.Client(
        base_url=API,
        headers={"Authorization": f"Bearer {demo_token(username, timeout=timeout)}"},
        timeout=timeout,
    )


def expect(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def show(step: str, detail: object) -> None:
    print(f"- {step}: {detail}")
