"""Audit walkthrough: write through every path the audit trail must see, against a live
server (PostgreSQL, a Celery worker, demo data from ``manage.py seed_demo``), and print
what ``GET /api/v1/audit-log/`` shows for each.

    DATABASE_URL=... REDIS_URL=... python3 -m uv run python scripts/walkthrough_audit.py http://127.0.0.1:8000

Run it from the repository with the server's environment (``DATABASE_URL``, keys): the
management-command step runs ``manage.py createsuperuser`` itself. The paths:

1. an API write (a supplier with a tax id and a bank account) — actor and request id,
   the encrypted fields masked;
2. a Django admin write (the admin's *confirm* action on a draft sales order, through a
   signed-in browser session) — actor and request id, action ``confirm``;
3. the stock services' one-statement UPDATE of stock levels (the reservation that
   confirmation made) — the same request id;
4. a management command (``manage.py createsuperuser --noinput``) — ``command:...``;
5. a Celery task (an export built by the worker) — ``task:...``;
6. a role change (``PATCH /users/{id}/``) — actor and request id, the role by name.

It makes a throwaway supplier, sales order, export and users (``audit-<random>``).
Exit status 0 only when every check holds.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import httpx
from demo_client import API, SERVER, demo_token, expect, show

ROOT = Path(__file__).resolve().parent.parent
RUN = secrets.token_hex(4)
MASK = "••••"
failures: list[str] = []


def check(step: str, ok: bool, detail: object) -> None:
    show(f"{'PASS' if ok else 'FAIL'} {step}", detail)
    if not ok:
        failures.append(step)


def trail(object_type: str, object_id: int, *, wait: float = 0.0) -> list[dict]:
    """The object's audit entries, oldest first; waits up to ``wait`` s for any."""
    deadline = time.monotonic() + wait
    while True:
        page = expect(
            admin.get(
                "/audit-log/",
                params={"object_type": object_type, "object_id": object_id, "page_size": 500},
            ),
            200,
        )
        if page["results"] or time.monotonic() >= deadline:
            return list(reversed(page["results"]))
        time.sleep(0.5)


def summary(entry: dict) -> str:
    who = entry["actor_username"] or entry["source"]
    what = f"#{entry['id']} {entry['action']} {entry['object_type']}"
    return f"{what} by {who}, request {entry['request_id']}"


admin = httpx.Client(
    base_url=API, headers={"Authorization": f"Bearer {demo_token('admin')}"}, timeout=30
)
me = expect(admin.get("/auth/me/"), 200)
print(f"Server {SERVER}; acting as {me['username']} (id {me['id']}); run {RUN}")

# 1. An API write, with encrypted fields -----------------------------------------------------
request_id = f"audit-api-{RUN}"
supplier = expect(
    admin.post(
        "/suppliers/",
        json={
            "code": f"AUD-{RUN}".upper(),
            "name": f"Audit walkthrough {RUN}",
            "tax_id": "DE123456789",
            "bank_account": "DE89370400440532013000",
            "email": "audit@example.com",
        },
        headers={"X-Request-ID": request_id},
    ),
    201,
)
(created,) = trail("supplier", supplier["id"])
changes = created["changes"]
check(
    "API write: actor and request id",
    (created["action"], created["actor"], created["request_id"])
    == ("create", me["id"], request_id),
    summary(created),
)
check(
    "API write: encrypted fields masked",
    all(str(changes[name][1]).startswith(MASK) for name in ("tax_id", "bank_account", "email"))
    and "DE89370400440532013000" not in str(changes),
    {name: changes[name] for name in ("tax_id", "bank_account", "email")},
)

# 2. + 3. An admin write, and the stock service's bulk UPDATE it makes ------------------------
level = next(
    level
    for level in expect(admin.get("/stock-levels/", params={"page_size": 500}), 200)["results"]
    if float(level["available"]) >= 1
)
customer = expect(admin.get("/customers/", params={"page_size": 1}), 200)["results"][0]
order = expect(
    admin.post(
        "/sales-orders/",
        json={
            "customer": customer["id"],
            "warehouse": level["warehouse"],
            "lines": [{"product": level["product"], "quantity": "1"}],
        },
    ),
    201,
)
browser = httpx.Client(base_url=SERVER, timeout=30, follow_redirects=False)
browser.get("/admin/login/")
signed_in = browser.post(
    "/admin/login/?next=/admin/",
    data={
        "username": "admin",
        "password": "admin-demo-pass-1",
        "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        "next": "/admin/",
    },
    headers={"Referer": f"{SERVER}/admin/login/"},
)
assert signed_in.status_code == 302, (signed_in.status_code, signed_in.text[:300])
changelist = browser.get("/admin/sales/salesorder/")
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', changelist.text)
assert token, "no CSRF token on the admin's order list"
request_id = f"audit-admin-{RUN}"
confirmed = browser.post(
    "/admin/sales/salesorder/",
    data={
        "action": "confirm",
        "_selected_action": [order["id"]],
        "csrfmiddlewaretoken": token.group(1),
        "index": 0,
    },
    headers={"X-Request-ID": request_id, "Referer": f"{SERVER}/admin/sales/salesorder/"},
)
last = trail("sales_order", order["id"])[-1]
check(
    "admin write: actor and request id",
    (confirmed.status_code, last["action"], last["actor"], last["request_id"])
    == (302, "confirm", me["id"], request_id),
    summary(last),
)
reservations = [
    found
    for found in expect(
        admin.get("/audit-log/", params={"object_type": "stock_level", "page_size": 50}), 200
    )["results"]
    if found["request_id"] == request_id
]
check(
    "stock service bulk UPDATE: same request id",
    len(reservations) == 1 and "reserved" in reservations[0]["changes"],
    [f"{summary(found)}: reserved {found['changes'].get('reserved')}" for found in reservations],
)

# 4. A management command ----------------------------------------------------------------------
username = f"audit-{RUN}"
command = subprocess.run(
    [
        sys.executable,
        "manage.py",
        "createsuperuser",
        "--noinput",
        "--username",
        username,
        "--email",
        f"{username}@example.com",
    ],
    cwd=ROOT,
    env={**os.environ, "DJANGO_SUPERUSER_PASSWORD": secrets.token_urlsafe(18)},
    capture_output=True,
    text=True,
    check=False,
)
assert command.returncode == 0, command.stderr
user_id = expect(admin.get("/users/", params={"search": username}), 200)["results"][0]["id"]
made = trail("user", user_id)[0]
check(
    "management command: source",
    (made["action"], made["actor"], made["source"]) == ("create", None, "command:createsuperuser"),
    summary(made),
)

# 5. A Celery task -------------------------------------------------------------------------------
export = expect(
    admin.post("/exports/", json={"report": "low-stock", "params": {}, "format": "csv"}), 202
)
deadline = time.monotonic() + 60
while expect(admin.get(f"/exports/{export['id']}/"), 200)["status"] not in {"done", "failed"}:
    assert time.monotonic() < deadline, "the export was not built in 60 s: is a worker running?"
    time.sleep(0.5)
built = [entry for entry in trail("export", export["id"]) if entry["source"]]
check(
    "Celery task: source",
    bool(built) and all(entry["source"].startswith("task:") for entry in built),
    [f"{summary(entry)}: {sorted(entry['changes'])}" for entry in built],
)

# 6. A role change ---------------------------------------------------------------------------------
request_id = f"audit-roles-{RUN}"
expect(
    admin.patch(
        f"/users/{user_id}/", json={"roles": ["viewer"]}, headers={"X-Request-ID": request_id}
    ),
    200,
)
roles = [
    entry
    for entry in expect(
        admin.get("/audit-log/", params={"object_type": "user_role", "page_size": 50}), 200
    )["results"]
    if entry["request_id"] == request_id
]
check(
    "role change: actor, request id, role by name",
    any(entry["changes"].get("group", [None, None])[1] == "viewer" for entry in roles)
    and all(entry["actor"] == me["id"] for entry in roles),
    [f"{summary(entry)}: {entry['changes']}" for entry in roles],
)

deactivated = admin.delete(f"/users/{user_id}/")  # the throwaway user
assert deactivated.status_code == 204, deactivated.text
print(f"\n{len(failures)} failed" + (f": {', '.join(failures)}" if failures else ""))
sys.exit(1 if failures else 0)
