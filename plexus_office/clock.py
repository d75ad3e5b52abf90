"""The one clock every rule reads.

Rules never call ``date.today()`` themselves: they take ``as_of`` or ask this module, so a command
run ``--as-of 2026-03-10`` and a test both see the same day everywhere (services, selectors, tasks).
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from django.utils import timezone

_frozen: contextvars.ContextVar[date | None] = contextvars.ContextVar("plexus_clock_frozen", default=None)


def today(as_of: date | None = None) -> date:
    """The business day: ``as_of`` if given, else a frozen day, else the local date."""
    if as_of is not None:
        return as_of
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    return timezone.localdate()


def now() -> datetime:
    """The current moment; under a frozen day, noon of that day (local time)."""
    frozen = _frozen.get()
    if frozen is not None:
        return timezone.make_aware(datetime.combine(frozen, time(12, 0)))
    return timezone.now()


@contextmanager
def frozen_at(day: date | None) -> Iterator[None]:
    """Run a block as if today were ``day`` (no-op for None)."""
    if day is None:
        yield
        return
    token = _frozen.set(day)
    try:
        yield
    finally:
        _frozen.reset(token)
