"""Who is acting: a saved staff or member ``User``, or nobody (a scheduled job, the system).

Services take ``actor`` as given by their callers (a view's ``request.user``, a command's ``None``, a
test's unsaved user) and record ``actor_user(actor)``: the user when it is a saved one, else ``None``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User


def actor_user(actor: Any) -> User | None:
    """The acting ``User`` when ``actor`` is a saved user; ``None`` for the system or an anonymous user."""
    return actor if actor is not None and getattr(actor, "pk", None) else None
