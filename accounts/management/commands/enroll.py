"""``manage.py enroll`` (scenarios.md command 6): enroll as the public form would, minus card and order."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.enrollment.services import member_enroll
from accounts.models import EnrollmentChannel
from plexus_office.commands import dumps, parse_as_of
from plexus_office.platform.errors import Refused


def _number(value: str | None, field: str) -> int | None:
    if value is None:
        return None
    try:
        number = int(value)
    except ValueError:
        raise CommandError(f"{field}: not an account number: {value!r}") from None
    if number < 1:
        raise CommandError(f"{field}: not an account number: {value!r}")
    return number


class Command(BaseCommand):
    help = (
        "Enroll a new VIP Customer or Brand Ambassador (operations import): without --sponsor the member "
        'goes under Corporate Sponsor "2" as a lead. Refusals: number_taken, email_in_use, '
        "sponsor_not_found, sponsor_not_eligible."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=["vip_customer", "ambassador"])
        parser.add_argument("--name", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--country", default="US")
        parser.add_argument("--sponsor")
        parser.add_argument("--number")
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        day = parse_as_of(options["as_of"])
        sponsor = _number(options["sponsor"], "--sponsor")
        number = _number(options["number"], "--number")
        try:
            account = member_enroll(
                kind=options["kind"],
                name=options["name"],
                email=options["email"],
                country=options["country"],
                sponsor_number=sponsor,
                number=number,
                as_of=day,
                actor=None,
                channel=EnrollmentChannel.OPERATIONS,
            )
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise CommandError(
                messages[0] if messages[0].startswith(f"{field}:") else f"{field}: {messages[0]}"
            ) from None
        except Refused as refusal:
            if options["json"]:
                self.stdout.write(
                    dumps({"enrolled": False, "refusal": refusal.code, "detail": refusal.message})
                )
            else:
                self.stdout.write(f"Not enrolled ({refusal.code}): {refusal.message}")
            return
        result = {
            "enrolled": True,
            "number": account.number,
            "kind": account.kind,
            "sponsor": account.sponsor.number if account.sponsor else None,
            "listed_under_2_on": account.listed_under_2_on.isoformat() if account.listed_under_2_on else None,
            "status": account.status,
            "enrolled_on": account.enrolled_on.isoformat(),
            "membership_fee_due_on": account.membership_fee_due_on.isoformat()
            if account.membership_fee_due_on
            else None,
        }
        if options["json"]:
            self.stdout.write(dumps(result))
            return
        self.stdout.write(
            f"Enrolled {account.number} ({account.get_kind_display()}) under {result['sponsor']}"
            + (f", listed under 2 on {result['listed_under_2_on']}" if result["listed_under_2_on"] else "")
        )
