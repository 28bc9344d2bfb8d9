"""OpenAPI additions shared by every endpoint (a drf-spectacular postprocessing hook).

Documents what the API does for every operation without repeating it in each view:
problem+json error responses, ``Idempotency-Key`` on POSTs and ``If-Match`` on writes.
"""

from typing import Any

from stockyard.core.problems import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "example": "urn:stockyard:problem:validation_error"},
        "title": {"type": "string", "example": "Invalid input"},
        "status": {"type": "integer", "example": 400},
        "detail": {"type": "string", "example": "lines.0.quantity: Must be greater than 0."},
        "code": {"type": "string", "example": "validation_error"},
        "errors": {
            "type": "object",
            "description": "Messages per field; nested fields as dotted paths.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
            "example": {"lines.0.quantity": ["Must be greater than 0."]},
        },
    },
}

_ERRORS: dict[str, str] = {
    "400": "Invalid input (`validation_error`, `parse_error`).",
    "401": "Missing, invalid or expired credentials (`not_authenticated`).",
    "403": "Your roles do not allow this (`permission_denied`).",
    "404": "No such resource (`not_found`).",
    "409": "Conflicts with the current state (`conflict`, `invalid_transition`, "
    "`insufficient_stock`, `idempotency_key_in_use`).",
    "412": "`If-Match` names a version that is no longer current (`precondition_failed`).",
    "422": "The `Idempotency-Key` was used with another body (`idempotency_key_reused`).",
    "429": "Too many requests; see `Retry-After` (`throttled`).",
}
_BY_METHOD = {
    "get": ["401", "403", "404", "429"],
    "post": ["400", "401", "403", "404", "409", "422", "429"],
    "put": ["400", "401", "403", "404", "409", "412", "429"],
    "patch": ["400", "401", "403", "404", "409", "412", "429"],
    "delete": ["401", "403", "404", "409", "412", "429"],
}
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": "Makes a retry safe: the first response is replayed for 24 h "
    "(`Idempotent-Replayed: true`).",
}
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The `ETag` you read; a stale one answers 412 `precondition_failed`.",
}


_PROBLEM_CONTENT = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def _errors_of(method: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses every operation of ``method`` can answer; a read that takes query
    parameters (filters, ``page_size``) also refuses bad ones with 400."""
    statuses = _BY_METHOD.get(method, [])
    takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    return ["400", *statuses] if method == "get" and takes_query else statuses


def add_problem_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in _errors_of(method, operation):
                responses.setdefault(status, {"description": _ERRORS[status]})
            for status, response in responses.items():
                if status[0] in "45":  # a view may declare its own errors, by description
                    response.setdefault("content", _PROBLEM_CONTENT)
            header = {
                "post": _IDEMPOTENCY_KEY,
                "put": _IF_MATCH,
                "patch": _IF_MATCH,
                "delete": _IF_MATCH,
            }.get(method)
            if header is not None:
                parameters = operation.setdefault("parameters", [])
                if all(p.get("name") != header["name"] for p in parameters):
                    parameters.append(header)
    return result
