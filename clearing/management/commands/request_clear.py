"""``manage.py request_clear --requester N --member M [--as-of DATE] [--json]`` (scenarios.md)."""

from django.core.management.base import BaseCommand

from accounts.commands import get_account
from clearing.services import ClearRefused, clear_request_submit
from plexus_office import clock
from plexus_office.commands import dumps, parse_as_of


class Command(BaseCommand):
    help = "File a Customer or Ambassador Clear Request as the requester would in the browser."

    def add_arguments(self, parser):
        parser.add_argument("--requester", required=True, help="account number of the upline ambassador")
        parser.add_argument("--member", required=True, help="account number of the member to clear")
        parser.add_argument("--as-of", dest="as_of", help="the business day (YYYY-MM-DD); default today")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, requester: str, member: str, as_of: str | None, **options):
        day = parse_as_of(as_of)
        requester_account = get_account(requester, field="--requester")
        member_account = get_account(member, field="--member")
        with clock.frozen_at(day):
            try:
                request = clear_request_submit(
                    requester=requester_account, member=member_account, reason="", actor=None, as_of=day
                )
            except ClearRefused as refusal:
                document = {"accepted": False, "refusal": refusal.code, "message": refusal.message}
            else:
                document = {
                    "accepted": True,
                    "request": request.pk,
                    "kind": request.kind,
                    "due_on": request.due_on.isoformat(),
                }
        if options["json"]:
            self.stdout.write(dumps(document))
        elif document["accepted"]:
            self.stdout.write(
                f"Accepted: request {document['request']} ({request.get_kind_display()}), "
                f"due {document['due_on']}"
            )
        else:
            self.stdout.write(f"Refused ({document['refusal']}): {document['message']}")
