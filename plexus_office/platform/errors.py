"""The one refusal type every service raises.

A refusal is a business rule saying no (or bad input naming its field). Views, the DRF exception
handler and the operations commands turn it into the same shape: ``{"code", "detail", "field"}``.
"""

from __future__ import annotations

from typing import Any


class Refused(ValueError):
    """A service refused: ``code`` is the stable contract code, ``field`` the input it is about."""

    def __init__(self, code: str, message: str, *, field: str | None = None, **facts: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        # Extra facts (dates, numbers) for callers that show more than the message; never secrets.
        self.facts = facts

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "detail": self.message, "field": self.field}

    def __str__(self) -> str:
        return self.message
