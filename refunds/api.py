"""Self-service refunds API: quote, request, and my refunds (``/api/v1/refunds/``)."""

from __future__ import annotations

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


class RefundSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.ref")
    sku = serializers.CharField(source="product.sku")
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
        raise RefundRefused("order", f"you have no order {data['order']!r}", field="order")
    skus = {s.strip() for s in data["skus"]}
    products = list(Product.objects.filter(sku__in=skus))
    missing = sorted(skus - {p.sku for p in products})
    if missing:
        raise RefundRefused("skus", f"unknown SKU(s): {', '.join(missing)}", field="skus")
    return order, products


class QuoteView(MemberAPIMixin, APIView):
    """POST {order, skus, reason, return_method}: what the refund would be, per product; files nothing."""

    serializer_class = RequestSerializer

    @extend_schema(
        request=RequestSerializer,
        responses=inline_serializer(
            "RefundQuotes",
            {
                "order": serializers.CharField(),
                "quotes": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def post(self, request):
        account = self.member()
        serializer = RequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order, products = _resolve(account, serializer.validated_data)
        quotes = [
            {
                "sku": p.sku,
                **refund_quote(
                    account=account,
                    order=order,
                    product=p,
                    reason=serializer.validated_data["reason"],
                    return_method=serializer.validated_data["return_method"],
                ).as_dict(),
            }
            for p in products
        ]
        return Response({"order": order.ref, "quotes": quotes})


class RefundListCreate(MemberAPIMixin, APIView):
    """GET: my refunds. POST {order, skus, reason, return_method}: file the request (all or nothing)."""

    serializer_class = RequestSerializer

    @extend_schema(responses=inline_serializer("RefundList", {"results": RefundSerializer(many=True)}))
    def get(self, request):
        account = self.member()
        return Response({"results": RefundSerializer(refunds_of(account=account)[:200], many=True).data})

    @extend_schema(
        request=RequestSerializer,
        responses={201: inline_serializer("RefundsMade", {"results": RefundSerializer(many=True)})},
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
        return Response({"results": RefundSerializer(made, many=True).data}, status=status.HTTP_201_CREATED)
