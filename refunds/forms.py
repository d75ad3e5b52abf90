"""The Request Refund Form: pick an order, its product(s), the condition and the return method."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Order, Product
from refunds.models import RefundReason, ReturnMethod
from refunds.wording import day, money


def _order_choice(order: Order, *, show_buyer: bool) -> str:
    text = gettext("%(order)s of %(date)s") % {"order": order.ref, "date": day(order.ordered_on)}
    if show_buyer:
        text += f" ({order.account.name or order.account.number})"
    return text


class RefundRequestForm(forms.Form):
    order = forms.ChoiceField(
        label=_("Order"), error_messages={"required": _("Order: pick the order to refund.")}
    )
    products = forms.MultipleChoiceField(
        label=_("Product(s)"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Product(s): pick at least one product of the order.")},
    )
    reason = forms.ChoiceField(
        label=_("Qualifying condition"),
        choices=RefundReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Qualifying condition: pick one.")},
    )
    return_method = forms.ChoiceField(
        label=_("Return shipping"),
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
        cast(forms.ChoiceField, self.fields["order"]).choices = [("", gettext("— pick an order —"))] + [
            (o.ref, _order_choice(o, show_buyer=hasattr(o, "_show_buyer"))) for o in orders
        ]
        chosen = selected or self.orders.get(str(self.data.get("order", "")))
        if chosen is not None:
            self.fields["order"].initial = chosen.ref
            cast(forms.ChoiceField, self.fields["products"]).choices = [
                (
                    line.product.sku,
                    gettext("%(product)s (%(sku)s) × %(qty)s at %(price)s")
                    % {
                        "product": line.product.name,
                        "sku": line.product.sku,
                        "qty": line.qty,
                        "price": money(line.unit_price),
                    },
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
            raise forms.ValidationError(gettext("Order: pick one of your orders."))
        return self.orders[ref]
