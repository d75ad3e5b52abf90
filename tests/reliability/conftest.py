"""Fixtures for the fault tests: a real SMTP server that can be "down", and real Celery workers.

The workers are separate processes, so they only see committed data: tests that use them take
``transactional_db`` and point the workers at pytest-django's test database by name.
"""

from __future__ import annotations

import email
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from plexus_office import clock

# The refunds tests' builders: a member with a paid order and staff of each group.
from tests.refunds.conftest import (  # noqa: E402, F401 - fixtures shared with the refunds tests
    TODAY,
    cs_user,
    finance_user,
    member,
    order,
    returns_user,
    slim,
)

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def refunds_today():
    """The refunds builders' business day (the refunds tests freeze it for every test)."""
    with clock.frozen_at(TODAY):
        yield


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> object:
    """Poll ``condition`` until it is truthy; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.1)


class RecordingHandler:
    """Keeps every accepted message; while ``down`` it answers each message with a 421 (service closing)."""

    def __init__(self) -> None:
        self.down = False
        self.refused = 0
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        if self.down:
            self.refused += 1
            return "421 4.3.2 Service not available, closing transmission channel"
        self.messages.append(email.message_from_bytes(envelope.original_content or envelope.content))
        return "250 OK"

    def per_message_id(self) -> Counter[str]:
        return Counter(str(m["Message-ID"]) for m in self.messages)


class MailServer:
    """A real SMTP server on a fixed free port that can be taken down (connections refused) and back."""

    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def is_up(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0


@pytest.fixture
def smtp_server(settings) -> Iterator[MailServer]:
    """A running mail server; this process's Django sends to it."""
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = False
    yield server
    server.stop()


def test_database_url() -> str:
    """A DATABASE_URL naming pytest-django's test database, for another process."""
    db = connection.settings_dict
    auth = db["USER"] or ""
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    host = f"{auth}@" if auth else ""
    return f"postgres://{host}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False  # type: ignore[attr-defined]  # not a test, despite the name


class Worker:
    """One ``celery worker -P prefork -c 1`` process (its main process and one pool child)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._log_file = log.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "plexus_office",
                "worker",
                "-P",
                "prefork",
                "-c",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "-l",
                "info",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def kill_child(self) -> int:
        [child] = self.children()
        os.kill(child, signal.SIGKILL)
        return child

    def kill_all(self) -> None:
        """kill -9 of the whole worker: main process and pool child, nothing can clean up."""
        children = self.children()
        self.process.kill()
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.kill_all()
        self._log_file.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def celery_workers(tmp_path) -> Iterator[Callable[..., Worker]]:
    """Start real workers against the test database and the test's Redis broker; all stopped at the end."""
    started: list[Worker] = []

    def start(*, email_port: int, visibility_timeout: int = 3600) -> Worker:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "plexus_office.settings",
            "DATABASE_URL": test_database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(email_port),
            "EMAIL_TIMEOUT": "5",
        }
        worker = Worker(env, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
