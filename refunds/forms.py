"""The Request Refund Form: pick an order, its product(s), the condition and the return method."""

from __future__ import annotations

from typing import cast

from django import forms

from accounts.models import Order, Product
from refunds.models import RefundReason, ReturnMethod


class RefundRequestForm(forms.Form):
    order = forms.ChoiceField(label="Order", error_messages={"required": "Order: pick the order to refund."})
    products = forms.MultipleChoiceField(
        label="Product(s)",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Product(s): pick at least one product of the order."},
    )
    reason = forms.ChoiceField(
        label="Qualifying condition",
        choices=RefundReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Qualifying condition: pick one."},
    )
    return_method = forms.ChoiceField(
        label="Return shipping",
        choices=ReturnMethod.choices,
        initial=ReturnMethod.PREPAID_LABEL,
        widget=forms.RadioSelect,
    )

    def __init__(
        self,
        *args,
        orders: list[Order],
        selected: Order | None = None,
        initial_skus: list[str] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.orders = {o.ref: o for o in orders}
        cast(forms.ChoiceField, self.fields["order"]).choices = [("", "— pick an order —")] + [
            (
                o.ref,
                f"{o.ref} of {o.ordered_on:%Y-%m-%d}"
                + (f" ({o.account.name or o.account.number})" if hasattr(o, "_show_buyer") else ""),
            )
            for o in orders
        ]
        chosen = selected or self.orders.get(str(self.data.get("order", "")))
        if chosen is not None:
            self.fields["order"].initial = chosen.ref
            cast(forms.ChoiceField, self.fields["products"]).choices = [
                (
                    line.product.sku,
                    f"{line.product.name} ({line.product.sku}) × {line.qty} at {line.unit_price}",
                )
                for line in chosen.lines.all()
            ]
            skus = {line.product.sku for line in chosen.lines.all()}
            self.fields["products"].initial = [sku for sku in initial_skus or [] if sku in skus]
        self.chosen = chosen

    def chosen_products(self) -> list[Product]:
        """The picked products, in the order's line order (the quote lists them that way)."""
        picked = set(self.cleaned_data["products"])
        found: dict[str, Product] = {}
        for line in self.cleaned_data["order"].lines.all():
            if line.product.sku in picked:
                found.setdefault(line.product.sku, line.product)
        return list(found.values())

    def clean_order(self) -> Order:
        ref = self.cleaned_data["order"]
        if ref not in self.orders:
            raise forms.ValidationError("Order: pick one of your orders.")
        return self.orders[ref]
