import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import Account
from operations.scenario import _wipe_member_data
from operations.seed.company import SEEDED_MODELS, write_company
from operations.seed.logins import seed_logins
from operations.seed.plan import build_plan
from operations.seed.rows import wipe_seeded_gateway_data
from plexus_office import clock
from plexus_office.commands import parse_as_of


class Command(BaseCommand):
    help = (
        "Generate a realistic demo company of N accounts (ranks, subscriptions with cards, 18 months of "
        'orders, fees, orphans under "2", inactive members, qualified leaders). Deterministic per --seed.'
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=2000, help="how many member accounts (>= 50)")
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed: the same seed gives the same data"
        )
        parser.add_argument("--as-of", dest="as_of", help="the day the data is relative to (default today)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when members already exist")
        parser.add_argument("--replace", action="store_true", help="delete all member data first (small N)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
        parser.add_argument("--json", action="store_true", help="print the counts as one JSON document")

    def handle(self, *args, accounts: int, seed: int, as_of: str | None, **options):
        if accounts < 50:
            raise CommandError(f"--accounts: at least 50, got {accounts}")
        day = clock.today(parse_as_of(as_of))
        members = Account.objects.filter(is_corporate=False)
        if members.exists():
            if options["if_empty"]:
                self.stdout.write(
                    f"seed_demo: {members.count()} member accounts already exist; nothing done."
                )
                return
            if not options["replace"]:
                raise CommandError(
                    "--replace: member accounts already exist; pass --replace to delete them "
                    "first, or --if-empty to keep them"
                )
        started = time.monotonic()
        plan = build_plan(n=accounts, seed=seed, as_of=day)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # Check each chunk's foreign keys as it lands rather than queueing millions of
                # deferred checks until commit (the writers flush referenced tables first).
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            if options["replace"]:
                _wipe_member_data()
                wipe_seeded_gateway_data()
            # Row counts per table, plus the run's "seconds" (a float) added below.
            counts: dict[str, float] = dict(write_company(plan, progress=not options["no_progress"]))
            logins = seed_logins(plan=plan)
        if connection.vendor == "postgresql":
            # Fresh planner statistics (and admin's estimated counts); the bulk-loaded tables were
            # analyzed inside the seed, as soon as each was written.
            loaded = {model._meta.db_table for model in SEEDED_MODELS}
            rest = [name for name in connection.introspection.table_names() if name not in loaded]
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {', '.join(connection.ops.quote_name(name) for name in rest)}")
                # The genealogy's counts are index-only scans of the path index; until a VACUUM sets
                # the visibility map each entry visits the heap (a 117k downline: 173 ms, 15 ms after).
                # Autovacuum would get there later; ~1 s at 1M accounts.
                if not connection.in_atomic_block:  # VACUUM cannot run in a caller's transaction
                    cursor.execute(f"VACUUM {connection.ops.quote_name(Account._meta.db_table)}")
        counts["seconds"] = round(time.monotonic() - started, 1)
        if options["json"]:
            self.stdout.write(
                json.dumps({"as_of": day.isoformat(), "seed": seed, "counts": counts, "logins": logins})
            )
            return
        summary = ", ".join(
            f"{value:,} {name.replace('_', ' ')}" for name, value in counts.items() if name != "seconds"
        )
        self.stdout.write(f"seed_demo: {summary} in {counts['seconds']}s (seed {seed}, as of {day}).")
        for login in logins:
            self.stdout.write(f"  login {login['username']} / {login['password']}: {login['role']}")
