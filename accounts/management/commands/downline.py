"""``manage.py downline NUMBER [--as-of DATE] [--depth N] [--json]`` (scenarios.md, command 7)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.commands import get_account
from accounts.history import downline_on, status_on
from plexus_office import clock
from plexus_office.commands import dumps, parse_as_of


def parse_depth(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        depth = int(value.strip())
    except ValueError:
        raise CommandError(f"--depth: expected a whole number >= 1, got {value!r}") from None
    if depth < 1:
        raise CommandError(f"--depth: expected a whole number >= 1, got {value!r}")
    return depth


class Command(BaseCommand):
    help = "The organization below a member as it stood at the end of a day (every level unless --depth)."

    def add_arguments(self, parser):
        parser.add_argument("number")
        parser.add_argument("--as-of", dest="as_of", help="The day (YYYY-MM-DD); default today.")
        parser.add_argument("--depth", help="Levels to show (1 = directly sponsored); default all.")
        parser.add_argument("--json", action="store_true", help="Print one JSON document.")

    def handle(self, *args, number: str, as_of: str | None, depth: str | None, **options):
        day = clock.today(parse_as_of(as_of))
        max_depth = parse_depth(depth)
        account = get_account(number, field="NUMBER")
        members = downline_on(account=account, day=day, max_depth=max_depth)
        document = {
            "number": account.number,
            "as_of": day.isoformat(),
            "status": status_on(account, day),
            "depth": max_depth,
            "count": len(members),
            "members": [member.as_dict() for member in members],
        }
        if options["json"]:
            self.stdout.write(dumps(document))
            return
        self.stdout.write(
            f"Account {account.number} ({document['status']}) as of {document['as_of']}: "
            f"{document['count']} member(s) below" + (f" within {max_depth} level(s)" if max_depth else "")
        )
        for member in members:
            self.stdout.write(
                f"{'  ' * member.level}{member.number} {member.name} ({member.kind}, {member.status}), "
                f"level {member.level}, sponsor {member.sponsor_number}"
            )
