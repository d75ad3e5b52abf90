"""One refund = one return, second step: the refund's own product goes; "one refund per product"
is now enforced on the lines (separate from 0005 so PostgreSQL never alters a table with pending
deferred checks from the data step)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q


def product_from_lines(apps, schema_editor):
    Refund = apps.get_model("refunds", "Refund")
    RefundLine = apps.get_model("refunds", "RefundLine")
    for line in RefundLine.objects.order_by("refund_id", "position", "id").iterator():
        Refund.objects.filter(pk=line.refund_id, product__isnull=True).update(product_id=line.product_id)


class Migration(migrations.Migration):
    dependencies = [
        ("refunds", "0006_one_return_one_package"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="refund", name="refund_one_per_product_per_account"),
        migrations.AlterField(
            model_name="refund",
            name="product",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.product"
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, product_from_lines),
        migrations.RemoveField(model_name="refund", name="product"),
        migrations.AddConstraint(
            model_name="refundline",
            constraint=models.UniqueConstraint(
                condition=Q(counts=True), fields=("account", "product"), name="refund_line_one_per_product_per_account"
            ),
        ),
        migrations.AddConstraint(
            model_name="refundline",
            constraint=models.UniqueConstraint(fields=("refund", "product"), name="refund_line_once_per_refund"),
        ),
    ]
