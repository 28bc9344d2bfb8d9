"""Feedback walkthrough against a running Stockyard (demo data seeded): any user sends
feedback, administrators and managers read it, others may not.

python3 -m uv run python scripts/walkthrough_feedback.py [base URL]
"""

from demo_client import expect, login, show

viewer, manager, sales = login("viewer"), login("manager"), login("sales")

sent = expect(
    viewer.post(
        "/feedback/",
        json={
            "message": "The stock page could show the reorder point",
            "page": "/app/stock",
            "rating": 4,
        },
    ),
    201,
)
show("sent by a viewer", {k: sent[k] for k in ("id", "username", "rating", "page")})
problem = expect(sales.post("/feedback/", json={"message": "x", "rating": 9}), 400)
assert list(problem["errors"]) == ["rating"], problem
show("rating 9", problem["detail"])

listed = expect(manager.get("/feedback/", params={"rating": 4}), 200)
assert sent["id"] in [row["id"] for row in listed["results"]]
show("listed to the manager", f"{listed['count']} with rating 4")
assert expect(viewer.get("/feedback/"), 403)["code"] == "permission_denied"
assert expect(sales.get(f"/feedback/{sent['id']}/"), 403)["code"] == "permission_denied"
show("refused", "viewer and sales cannot read feedback")
print("feedback walkthrough: OK")
