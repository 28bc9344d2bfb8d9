"""No document takes more than MAX_DOCUMENT_LINES lines: a 400 at "lines", checked before
any line is read."""

import pytest
from django.conf import settings

from stockyard.core.testing import assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/purchase-orders/",
        "/api/v1/sales-orders/",
        "/api/v1/shipments/",
        "/api/v1/stock-counts/",
    ],
)
def test_a_document_over_the_line_limit_is_400_at_lines(admin_client, path):
    too_many = [{"product": 1, "quantity": "1"}] * (settings.MAX_DOCUMENT_LINES + 1)
    body = assert_problem(admin_client.post(path, {"lines": too_many}), 400, "validation_error")
    assert body["errors"]["lines"] == [
        f"Ensure this field has no more than {settings.MAX_DOCUMENT_LINES} elements."
    ]
    assert not any(field.startswith("lines.") for field in body["errors"])
