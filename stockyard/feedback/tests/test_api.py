import pytest
from django.core import mail

from stockyard.accounts.roles import Role
from stockyard.core.testing import assert_problem
from stockyard.feedback.models import Feedback

URL = "/api/v1/feedback/"


@pytest.mark.parametrize("role", list(Role))
def test_any_signed_in_user_sends_feedback(client_for, role):
    client = client_for(role)
    response = client.post(URL, {"message": "Love it", "page": "/app/stock", "rating": 5})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"] == "Love it"
    assert body["rating"] == 5
    assert body["user"] == client.user.pk
    assert Feedback.objects.get().user == client.user


def test_page_and_rating_are_optional(client_for):
    response = client_for(Role.VIEWER).post(URL, {"message": "Where is the export button?"})
    assert response.status_code == 201
    assert response.json()["rating"] is None
    assert response.json()["page"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"message": "x", "rating": 0}, "rating"),
        ({"message": "x", "rating": 6}, "rating"),
        ({"message": "x", "rating": "great"}, "rating"),
        ({"message": ""}, "message"),
        ({"page": "/app"}, "message"),
    ],
)
def test_bad_feedback_is_a_validation_error(client_for, body, field):
    response = client_for(Role.SALES).post(URL, body)
    problem = assert_problem(response, 400, "validation_error")
    assert field in problem["errors"]
    assert not Feedback.objects.exists()


def test_anonymous_cannot_send_feedback(api_client, db):
    assert_problem(api_client.post(URL, {"message": "hi"}), 401, "not_authenticated")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
def test_admins_and_managers_list_feedback(client_for, role, django_assert_max_num_queries):
    sender = client_for(Role.WAREHOUSE)
    for rating in (1, 4, 5):
        sender.post(URL, {"message": f"rated {rating}", "rating": rating})
    reader = client_for(role)
    with django_assert_max_num_queries(4):
        response = reader.get(URL)
    assert response.status_code == 200
    assert [row["rating"] for row in response.json()["results"]] == [5, 4, 1]
    assert response.json()["results"][0]["username"] == sender.user.username
    assert reader.get(URL, {"rating": 1}).json()["count"] == 1


@pytest.mark.parametrize("role", [Role.SALES, Role.PURCHASING, Role.WAREHOUSE, Role.VIEWER])
def test_other_roles_cannot_read_feedback(client_for, role):
    client = client_for(role)
    created = client.post(URL, {"message": "mine"}).json()
    assert_problem(client.get(URL), 403, "permission_denied")
    assert_problem(client.get(f"{URL}{created['id']}/"), 403, "permission_denied")


def test_feedback_is_mailed_when_an_address_is_set(
    client_for, settings, django_capture_on_commit_callbacks
):
    settings.FEEDBACK_EMAIL = "product@example.com"
    client = client_for(Role.SALES)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"message": "Totals look wrong", "page": "/app/so/3", "rating": 2})
    (message,) = mail.outbox
    assert message.to == ["product@example.com"]
    assert message.reply_to == [client.user.email]
    assert "(2/5)" in message.subject
    assert "Totals look wrong" in message.body and "/app/so/3" in message.body


def test_feedback_is_not_mailed_without_an_address(client_for, settings):
    settings.FEEDBACK_EMAIL = ""
    client_for(Role.SALES).post(URL, {"message": "quiet"})
    assert mail.outbox == []
