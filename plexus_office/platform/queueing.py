"""Queueing a Celery task when the caller's transaction commits.

A service queues its task through this one function (never by reaching into another module's
private helper): nothing is sent for a rolled-back change, and a broker outage after the commit is
logged, not raised, because every queued task here has a beat sweep that picks up what was lost.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def task_queue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """``task.delay(*args, **kwargs)`` after the current transaction commits (at once outside one)."""

    def _send() -> None:
        try:
            task.delay(*args, **kwargs)
        except Exception:  # noqa: BLE001 - a broker outage must not fail the committed change
            logger.warning("could not queue %s%r; the beat sweep will pick it up", task.name, args)

    transaction.on_commit(_send)
