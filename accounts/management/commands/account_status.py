from django.core.management.base import BaseCommand

from accounts.commands import get_account
from accounts.selectors import account_status
from plexus_office.commands import dumps, parse_as_of


class Command(BaseCommand):
    help = "Show an account's activity, clearability, Leads-program qualification and commission status."

    def add_arguments(self, parser):
        parser.add_argument("number")
        parser.add_argument("--as-of", dest="as_of")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, number: str, as_of: str | None, **options):
        day = parse_as_of(as_of)
        account = get_account(number, field="NUMBER")
        status = account_status(account=account, as_of=day)
        if options["json"]:
            self.stdout.write(dumps(status))
            return
        self.stdout.write(
            f"Account {status['number']} ({status['kind']}, {status['status']}), "
            f"sponsor {status['sponsor']}, as of {status['as_of']}"
        )
        self.stdout.write(
            f"  activity: {status['activity']} ({status['activity_facts']['reason']}); "
            f"clearable: {status['clearable']}"
        )
        lead = status["lead_sponsor"]
        self.stdout.write(f"  Leads program: {'qualified' if lead['qualified'] else 'not qualified'}")
        for rule, ok in lead["rules"].items():
            self.stdout.write(f"    [{'x' if ok else ' '}] {rule}: {lead['explanations'][rule]}")
        self.stdout.write(
            f"  commission qualified: {status['commission_qualified']}"
            + (
                f" (missing: {'; '.join(status['commission_missing'])})"
                if status["commission_missing"]
                else ""
            )
        )
