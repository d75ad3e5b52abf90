import json

from django.core.management.base import BaseCommand, CommandError

from operations.scenario import ScenarioError, load, read_scenario, validate


class Command(BaseCommand):
    help = "Replace all member data with a scenario file's (scenarios.md). Atomic; staff users stay."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="print the counts as one JSON document")

    def handle(self, *args, path: str, **options):
        try:
            data = validate(read_scenario(path))
        except ScenarioError as exc:
            raise CommandError(str(exc)) from None
        counts = load(data)
        as_of = data["as_of"].isoformat() if data["as_of"] else None
        if options["json"]:
            self.stdout.write(json.dumps({"loaded": counts, "as_of": as_of}))
        else:
            self.stdout.write(
                f"Loaded {counts['accounts']} accounts, {counts['orders']} orders, "
                f"{counts['products']} products, "
                f"{counts['refunds']} refunds (scenario as of {as_of})."
            )
