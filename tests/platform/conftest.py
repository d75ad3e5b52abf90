"""Fixtures for the platform tests: an eager Celery app and a real local SMTP server."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from plexus_office.celery import app as celery_app


@pytest.fixture
def eager_celery():
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield celery_app
    celery_app.conf.task_always_eager = old


class FlakyHandler:
    """Answers "451 try again later" to the next ``fail_next`` messages; refuses the ``refuse`` addresses."""

    def __init__(self) -> None:
        self.fail_next = 0
        self.received: list[str] = []
        # Recipient address -> the SMTP reply its RCPT TO gets (e.g. "550 5.1.1 No such user").
        self.refuse: dict[str, str] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_next > 0:
            self.fail_next -= 1
            return "451 4.3.0 Mail server busy, try again later"
        self.received.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    handler = FlakyHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = False
    yield handler
    controller.stop()
