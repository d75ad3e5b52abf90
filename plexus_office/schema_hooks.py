"""drf-spectacular post-processing: document the error answers every ``/api/v1/`` operation can give.

A refusal has one shape everywhere, the ``Refusal`` component: ``{"code", "detail", "field"}``.

DRF answers 400 (field errors), 401/403 (not signed in) and 404 (no member account, another member's
object) on every endpoint, but drf-spectacular documents only the success response; schemathesis
(tests/security/test_api_fuzz.py) holds the API to its schema, so the schema says so.
"""

from __future__ import annotations

from typing import Any

ERROR_BODY = {
    "type": "object",
    "description": "Field name -> list of messages, or 'detail' -> message.",
    "additionalProperties": {},
}
HTTP_METHODS = ("get", "put", "post", "patch", "delete")
# The one refusal shape (plexus_office.platform.errors.Refused through the DRF exception handler).
REFUSAL = {
    "type": "object",
    "description": (
        "A business rule said no: `code` is the stable refusal code, `detail` the message to show, "
        "`field` the input it is about (null when it is about the request as a whole)."
    ),
    "properties": {
        "code": {"type": "string"},
        "detail": {"type": "string"},
        "field": {"type": "string", "nullable": True},
    },
    "required": ["code", "detail", "field"],
}
REFUSAL_REF = {"$ref": "#/components/schemas/Refusal"}


def _error(description: str, html: bool = False, refusal: bool = False) -> dict[str, Any]:
    schema = {"anyOf": [REFUSAL_REF, ERROR_BODY]} if refusal else ERROR_BODY
    content: dict[str, Any] = {"application/json": {"schema": schema}}
    if html:
        # A path that matches no route at all (``/api/v1/cards/abc/``) gets Django's HTML 404 page.
        content["text/html"] = {"schema": {"type": "string"}}
    return {"description": description, "content": content}


def document_error_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Refusal"] = REFUSAL
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            takes_input = "requestBody" in operation or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            if takes_input:
                responses.setdefault(
                    "400",
                    _error(
                        "Refused (a `Refusal`: code, detail, field) or bad input (each field in error "
                        "with its messages).",
                        refusal=True,
                    ),
                )
            responses.setdefault("401", _error("Not signed in (token authentication)."))
            responses.setdefault("403", _error("Not signed in, or not allowed."))
            responses.setdefault(
                "404", _error("No member account for this login, or not one of yours.", html=True)
            )
            if "requestBody" in operation:
                responses.setdefault("415", _error("A body in a media type the API does not read."))
            if method in ("post", "put", "patch", "delete"):
                responses.setdefault("429", _error("Too many writes; retry after the Retry-After seconds."))
    return result
