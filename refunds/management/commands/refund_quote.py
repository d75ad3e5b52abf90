"""``manage.py refund_quote --account N --order REF --sku SKU --reason ...`` (scenarios.md).

What a refund request would give, from the same eligibility service the form and the API use;
files nothing.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.commands import get_account
from plexus_office import clock
from plexus_office.commands import dumps, parse_as_of
from refunds.models import RefundReason, ReturnMethod
from refunds.selectors import refund_quote_by_reference


class Command(BaseCommand):
    help = "Quote a refund request (eligibility, amount, deduction, deadlines) without filing it."

    def add_arguments(self, parser):
        parser.add_argument("--account", required=True, help="The account number asking.")
        parser.add_argument("--order", required=True, help="The order reference.")
        parser.add_argument(
            "--sku",
            required=True,
            action="append",
            dest="skus",
            help="A product's SKU; repeat it for several products returned in one package.",
        )
        parser.add_argument("--reason", required=True, choices=RefundReason.values)
        parser.add_argument(
            "--return-method",
            dest="return_method",
            default=ReturnMethod.PREPAID_LABEL,
            choices=ReturnMethod.values,
        )
        parser.add_argument("--as-of", dest="as_of", help="The business day (YYYY-MM-DD); default today.")
        parser.add_argument("--json", action="store_true", help="Print one JSON document.")

    def handle(self, *args, **options):
        day = parse_as_of(options["as_of"])
        skus = [sku.strip() for sku in options["skus"]]
        if any(not sku for sku in skus):
            raise CommandError("--sku: a SKU cannot be empty")
        repeated = sorted({sku for sku in skus if skus.count(sku) > 1})
        if repeated:
            raise CommandError(f"--sku: {', '.join(repeated)} given more than once (name each product once)")
        account = get_account(options["account"], field="--account")
        with clock.frozen_at(day):
            quote = refund_quote_by_reference(
                account=account,
                order_ref=options["order"],
                skus=skus,
                reason=options["reason"],
                return_method=options["return_method"],
                as_of=day,
            )
        document = {
            "account": account.number,
            "order": options["order"],
            "sku": skus[0] if len(skus) == 1 else skus,
            "skus": skus,
            **quote.as_dict(),
        }
        if options["json"]:
            self.stdout.write(dumps(document))
            return
        verdict = "eligible" if quote.eligible else f"refused ({quote.refusal})"
        self.stdout.write(f"Account {account.number}, order {options['order']}, {', '.join(skus)}: {verdict}")
        self.stdout.write(f"  amount {document['amount']}, deduction {document['deduction']}")
        for line in quote.lines:
            state = "eligible" if line.eligible else f"refused ({line.refusal})"
            self.stdout.write(f"  {line.sku}: {state}")
        self.stdout.write(f"  {quote.message}")
