import json

from django.core.management.base import BaseCommand

from operations.seed.logins import demo_logins
from operations.seed.prospect import seed_prospect_leader


class Command(BaseCommand):
    help = "Create (or refresh) the demo logins and print each username and password. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the logins as one JSON document")

    def handle(self, *args, **options):
        logins = demo_logins()
        logins.append(seed_prospect_leader())  # the enrollment demo's "prospect" path (README)
        if options["json"]:
            self.stdout.write(json.dumps({"logins": logins}))
            return
        self.stdout.write("Demo logins (member site /login/, staff /admin/):")
        for login in logins:
            self.stdout.write(f"  {login['username']:<11} {login['password']:<18} {login['role']}")
            if login.get("totp_secret"):
                self.stdout.write(
                    f"  {'':<11} TOTP secret (add to an authenticator app): {login['totp_secret']}"
                )
