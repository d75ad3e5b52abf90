"""Check email delivery end to end: writes an outbox row and sends it now (through the outbox)."""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError

from plexus_office.platform.notifications import NotificationError, notify_address
from plexus_office.platform.outbox import outbox_send


class Command(BaseCommand):
    help = "Send a test email to --to through the outbox and report the outcome."

    def add_arguments(self, parser):
        parser.add_argument("--to", required=True, help="recipient address")

    def handle(self, *args, **options):
        reference = uuid.uuid4().hex[:8]
        try:
            row = notify_address(
                email=options["to"], event="platform/test_email", context={"reference": reference}
            )
        except NotificationError as err:
            raise CommandError(str(err)) from err
        outcome, retry_in = outbox_send(outbox_id=row.pk)
        row.refresh_from_db()
        if outcome == "sent":
            self.stdout.write(f"sent to {row.to_email} (reference {reference})")
        else:
            raise CommandError(
                f"{outcome}: {row.last_error or 'not sent'} (the sweep retries in {retry_in}s)"
            )
