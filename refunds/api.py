"""Self-service refunds API: quote, request, and my refunds (``/api/v1/refunds/``)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.members import MemberAPIMixin
from accounts.models import Account, Order, Product
from refunds.models import RefundReason, ReturnMethod
from refunds.selectors import refund_quote, refunds_of
from refunds.services import RefundRefused, refund_request


class RequestSerializer(serializers.Serializer):
    order = serializers.CharField(max_length=40)
    skus = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1, max_length=50)
    reason = serializers.ChoiceField(choices=RefundReason.choices)
    return_method = serializers.ChoiceField(choices=ReturnMethod.choices, default=ReturnMethod.PREPAID_LABEL)


class RefundLineSerializer(serializers.Serializer):
    sku = serializers.CharField(source="product.sku")
    qty = serializers.IntegerField()
    gross = serializers.DecimalField(max_digits=10, decimal_places=2)
    received = serializers.BooleanField(allow_null=True)


class RefundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.ref")
    lines = RefundLineSerializer(many=True, source="lines.all")
    reason = serializers.CharField()
    status = serializers.CharField()
    requested_on = serializers.DateField()
    return_method = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    deduction = serializers.DecimalField(max_digits=10, decimal_places=2)
    return_deadline = serializers.DateField(allow_null=True)
    ra_number = serializers.CharField(allow_null=True)
    label_url = serializers.SerializerMethodField()
    refunded_on = serializers.DateField(allow_null=True)

    def get_label_url(self, obj) -> str | None:
        return f"/refunds/{obj.pk}/label/" if obj.label_reference else None


def _resolve(account: Account, data: dict) -> tuple[Order, list[Product]]:
    # Another member's order is reported as missing: its existence is not disclosed.
    order = Order.objects.filter(ref=data["order"].strip(), account=account).prefetch_related("lines").first()
    if order is None:
        raise RefundRefused(
            "order", _("you have no order %(order)s") % {"order": repr(data["order"])}, field="order"
        )
    skus = [s.strip() for s in data["skus"]]
    if len(set(skus)) != len(skus):
        raise RefundRefused(
            "duplicate_product", _("name each SKU once: the products of one return"), field="skus"
        )
    found = Product.objects.in_bulk(skus, field_name="sku")
    missing = sorted(set(skus) - set(found))
    if missing:
        unknown = _("unknown SKU(s): %(skus)s") % {"skus": ", ".join(missing)}
        raise RefundRefused("skus", unknown, field="skus")
    return order, [found[sku] for sku in skus]


class QuoteView(MemberAPIMixin, APIView):
    """POST {order, skus, reason, return_method}: what the return would be (one deduction, a line per
    product); files nothing."""

    serializer_class = RequestSerializer

    @extend_schema(
        request=RequestSerializer,
        responses=inline_serializer(
            "RefundQuote",
            {
                "order": serializers.CharField(),
                "eligible": serializers.BooleanField(),
                "refusal": serializers.CharField(allow_null=True),
                "amount": serializers.CharField(),
                "deduction": serializers.CharField(),
                "lines": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def post(self, request):
        account = self.member()
        serializer = RequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order, products = _resolve(account, serializer.validated_data)
        quote = refund_quote(
            account=account,
            order=order,
            products=products,
            reason=serializer.validated_data["reason"],
            return_method=serializer.validated_data["return_method"],
        )
        return Response({"order": order.ref, **quote.as_dict()})


class RefundListCreate(MemberAPIMixin, APIView):
    """GET: my refunds. POST {order, skus, reason, return_method}: file one return (all or nothing)."""

    serializer_class = RequestSerializer

    @extend_schema(responses=inline_serializer("RefundList", {"results": RefundSerializer(many=True)}))
    def get(self, request):
        account = self.member()
        return Response({"results": RefundSerializer(refunds_of(account=account)[:200], many=True).data})

    @extend_schema(
        request=RequestSerializer,
        responses={201: RefundSerializer},
    )
    def post(self, request):
        account = self.member()
        serializer = RequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order, products = _resolve(account, data)
        made = refund_request(
            account=account,
            order=order,
            products=products,
            reason=data["reason"],
            return_method=data["return_method"],
            actor=request.user,
        )
        return Response(RefundSerializer(made).data, status=status.HTTP_201_CREATED)
