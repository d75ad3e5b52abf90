"""One refund = one return: its products become lines; "one refund per product" moves to the lines.

Every existing refund gets one line (its product, the order's quantity and paid price of it); lines of
rejected or expired refunds no longer count; received and refunded ones were received whole.
"""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

CLOSED = ("rejected", "expired")


def lines_from_refunds(apps, schema_editor):
    Refund = apps.get_model("refunds", "Refund")
    RefundLine = apps.get_model("refunds", "RefundLine")
    OrderLine = apps.get_model("accounts", "OrderLine")
    batch = []
    for refund in Refund.objects.only("id", "account_id", "order_id", "product_id", "gross", "pv", "status").iterator(
        chunk_size=2000
    ):
        order_lines = list(
            OrderLine.objects.filter(order_id=refund.order_id, product_id=refund.product_id).only(
                "qty", "unit_price", "pv"
            )
        )
        gross = refund.gross or sum((line.unit_price * line.qty for line in order_lines), Decimal("0.00"))
        batch.append(
            RefundLine(
                refund_id=refund.id,
                account_id=refund.account_id,
                product_id=refund.product_id,
                position=0,
                qty=sum(line.qty for line in order_lines) or 1,
                gross=gross,
                pv=refund.pv or sum(line.pv * line.qty for line in order_lines),
                counts=refund.status not in CLOSED,
                received=True if refund.status in ("received", "refunded") else None,
            )
        )
        if len(batch) >= 2000:
            RefundLine.objects.bulk_create(batch)
            batch = []
    RefundLine.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_fewer_account_indexes"),
        ("refunds", "0005_refund_status_due_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="RefundLine",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="The order the member listed them in."),
                ),
                ("qty", models.PositiveIntegerField(default=1)),
                (
                    "gross",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0.00"), help_text="Lines' paid price.", max_digits=10
                    ),
                ),
                ("pv", models.PositiveIntegerField(default=0)),
                ("counts", models.BooleanField(default=True)),
                (
                    "received",
                    models.BooleanField(
                        blank=True,
                        help_text="In the package (yes), missing from it (no), not yet received.",
                        null=True,
                    ),
                ),
                (
                    "account",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="accounts.account"
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.product"
                    ),
                ),
                (
                    "refund",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="lines", to="refunds.refund"
                    ),
                ),
            ],
            options={"ordering": ["refund_id", "position", "id"]},
        ),
        migrations.RunPython(lines_from_refunds, migrations.RunPython.noop),
    ]
