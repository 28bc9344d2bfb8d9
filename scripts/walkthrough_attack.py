"""Attack walkthrough: try, against a live server, what issue #9 found, and print what
each attempt gets. Run against a throwaway deployment seeded with ``manage.py seed_demo``:

    python3 -m uv run python scripts/walkthrough_attack.py http://127.0.0.1:8000

It makes one throwaway user (``attack-<random>``), changes its password and logs it out,
and spends the caller's login and request budgets: run it where that is harmless.
``ATTACK_USER_RATE`` is the server's ``user`` throttle rate per minute (default 1200;
start the server with a small one, e.g. ``THROTTLE_RATES=user=120/minute,...``, to see it
bite quickly). Exit status 0 only when every check holds.
"""

import json
import os
import secrets
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
from demo_client import API, SERVER, demo_token, expect, show

USER_RATE = int(os.environ.get("ATTACK_USER_RATE", "1200"))
failures: list[str] = []


def check(step: str, ok: bool, detail: object) -> None:
    show(f"{'PASS' if ok else 'FAIL'} {step}", detail)
    if not ok:
        failures.append(step)


def token_pair(username: str, password: str) -> dict[str, str]:
    return expect(
        httpx.post(f"{API}/auth/token/", json={"username": username, "password": password}), 200
    )


def bearer(access: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access}"}


admin = httpx.Client(base_url=API, headers=bearer(demo_token("admin")), timeout=30)
victim = f"attack-{secrets.token_hex(4)}"
password = f"{victim}-first-passphrase"
expect(admin.post("/users/", json={"username": victim, "password": password}), 201)
print(f"Server {SERVER}; throwaway user {victim}")

# 1. Token reuse after a password change, and after logout -------------------------------
old = token_pair(victim, password)
before = httpx.get(f"{API}/auth/me/", headers=bearer(old["access"])).status_code
victim_id = admin.get("/users/", params={"search": victim}).json()["results"][0]["id"]
expect(admin.patch(f"/users/{victim_id}/", json={"password": f"{victim}-second-passphrase"}), 200)
password = f"{victim}-second-passphrase"
reused_access = httpx.get(f"{API}/auth/me/", headers=bearer(old["access"]))
reused_refresh = httpx.post(f"{API}/auth/token/refresh/", json={"refresh": old["refresh"]})
check(
    "old tokens after a password change",
    before == 200 and reused_access.status_code == 401 and reused_refresh.status_code == 401,
    f"before {before}; access {reused_access.status_code} "
    f"{reused_access.json().get('code')}; refresh {reused_refresh.status_code}",
)
session = token_pair(victim, password)
httpx.post(f"{API}/auth/logout/", json={"refresh": session["refresh"]})
after_logout = httpx.get(f"{API}/auth/me/", headers=bearer(session["access"]))
check("access token after logout", after_logout.status_code == 401, after_logout.status_code)

# 2. Concurrent throttle: 16 threads of one user ---------------------------------------------
remaining = 60 - time.time() % 60
if remaining < 20:  # one fixed window per minute: start the burst in a fresh one
    time.sleep(remaining + 1)
burst_token = token_pair(victim, password)["access"]
per_thread = USER_RATE // 16 + 10


def burst(_: int) -> list[int]:
    with httpx.Client(base_url=API, headers=bearer(burst_token), timeout=30) as client:
        return [client.get("/auth/me/").status_code for _ in range(per_thread)]


with ThreadPoolExecutor(16) as pool:
    statuses = Counter(code for codes in pool.map(burst, range(16)) for code in codes)
check(
    f"16 threads x {per_thread} requests against {USER_RATE}/minute",
    statuses[200] <= USER_RATE and statuses[429] > 0 and not any(s >= 500 for s in statuses),
    dict(statuses),
)

# 3. Large and hostile bodies --------------------------------------------------------------
big = admin.post(
    "/warehouses/",
    content=json.dumps({"code": "X", "name": "x" * 3_000_000}),
    headers={"Content-Type": "application/json"},
)
check("3 MB body", big.status_code == 413, f"{big.status_code} {big.json().get('code')}")
deep = admin.post(
    "/warehouses/",
    content='{"code": ' + "[" * 1000 + "]" * 1000 + "}",
    headers={"Content-Type": "application/json"},
)
check(
    "JSON nested 1000 deep",
    deep.status_code == 400,
    f"{deep.status_code} {deep.json().get('code')}",
)

# 4. Spoofed X-Forwarded-For: no fresh login budget per made-up address ----------------------
spoofed = [
    httpx.post(
        f"{API}/auth/token/",
        json={"username": f"nobody-{n}", "password": "guess"},
        headers={"X-Forwarded-For": f"203.0.113.{n}"},
    ).status_code
    for n in range(15)
]
check("15 wrong logins, each from a new X-Forwarded-For", 429 in spoofed, spoofed)


# 5. Login flood: 30 concurrent wrong passwords while an admin reads -------------------------
def wrong_login(_: int) -> int:
    return httpx.post(
        f"{API}/auth/token/", json={"username": victim, "password": "wrong"}, timeout=60
    ).status_code


with ThreadPoolExecutor(30) as pool:
    flood = pool.map(wrong_login, range(30))
    reads = [admin.get("/warehouses/").status_code for _ in range(5)]
    flood_statuses = Counter(flood)
check(
    "30 concurrent wrong logins; an admin reads meanwhile",
    not any(s >= 500 for s in flood_statuses) and all(s == 200 for s in reads),
    f"logins {dict(flood_statuses)}; admin reads {reads}",
)
headers = admin.get("/warehouses/").headers
check(
    "response headers",
    "no-store" in headers.get("cache-control", "") and "server" not in headers,
    f"Cache-Control: {headers.get('cache-control')}; Server: {headers.get('server')}",
)

print("ALL CHECKS PASSED" if not failures else f"FAILED: {failures}")
raise SystemExit(1 if failures else 0)
