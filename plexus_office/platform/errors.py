"""The one refusal type every service raises, and the two places that turn it into an answer.

A refusal is a business rule saying no (or bad input naming its field). ``Refused(code, message,
field=...)`` is raised by every service (the programs' ``ClearRefused``, ``RefundRefused``,
``CorrectionRefused``... are thin subclasses that only set a default field). Callers never shape it
themselves:

- the DRF exception handler (``api_exception_handler``, set in ``REST_FRAMEWORK``) answers 400 with
  ``{"code", "detail", "field"}`` (documented once in the OpenAPI schema as ``Refusal``);
- ``form_add_refusal(form, refusal)`` puts the message on the form field it names (or on the form);
- the operations commands print ``{"accepted": false, "refusal": code, "message": ...}`` (scenarios.md).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Refused(ValueError):
    """A service refused: ``code`` is the stable contract code, ``field`` the input it is about."""

    # A subclass may name the field its refusals are usually about (``field=`` still wins).
    default_field: ClassVar[str | None] = None

    def __init__(self, code: str, message: str, *, field: str | None = None, **facts: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field if field is not None else self.default_field
        # Extra facts (dates, numbers) for callers that show more than the message; never secrets.
        self.facts = facts

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.message, "field": self.field}

    def __str__(self) -> str:
        return self.message


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a ``Refused`` is a 400 with ``{"code", "detail", "field"}``."""
    if isinstance(exc, Refused):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    return exception_handler(exc, context)


def form_add_refusal(form: forms.BaseForm, refusal: Refused) -> None:
    """Show a refusal on the form: under the field it names when the form has one, else on top."""
    form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
