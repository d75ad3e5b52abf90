"""``/api/v1/orders/``, ``/api/v1/subscription/`` and ``/api/v1/pay/``: the same selectors and services
as the member pages, on the signed-in member's own account only."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Account, Subscription
from accounts.models_billing import Statement
from accounts.orders.selectors import PAGE_SIZE, member_order, member_orders, order_payload
from accounts.pay.selectors import statement_lines, statements_of
from accounts.subscriptions.charging import outstanding_charge
from accounts.subscriptions.selectors import autoship_summary
from accounts.subscriptions.services import (
    subscription_cancel,
    subscription_charge_day_set,
    subscription_items_set,
    subscription_pause,
    subscription_resume,
    subscription_skip_next,
)
from accounts.views.common import signed_in_user
from plexus_office.platform.errors import Refused


def _account(request: Request) -> Account:
    account = Account.objects.filter(user=signed_in_user(request)).first()
    if account is None:
        raise Http404("No member account is linked to this login.")
    return account


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise serializers.ValidationError({"page": "page: a whole number from 1."})
    return int(raw)


def _refused(refusal: Refused) -> Response:
    return Response(refusal.as_dict(), status=400)


class OrderListView(APIView):
    @extend_schema(
        summary="My orders, newest first (20 a page)",
        parameters=[OpenApiParameter("page", int, description="Page number, from 1.")],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        paginator = Paginator(member_orders(account=_account(request)), PAGE_SIZE)
        number = _page_number(request)
        if number > paginator.num_pages:
            raise Http404("No such page.")
        page = paginator.page(number)
        return Response(
            {
                "count": paginator.count,
                "page": number,
                "pages": paginator.num_pages,
                "results": [order_payload(o, detail=False) for o in page.object_list],
            }
        )


class OrderDetailView(APIView):
    @extend_schema(
        summary="One of my orders: lines, PV, shipping, payments, refunds",
        responses={200: dict},
        operation_id="v1_orders_detail",
    )
    def get(self, request: Request, ref: str) -> Response:
        order = member_order(account=_account(request), ref=ref)
        if order is None:
            raise Http404("No such order on your account.")
        return Response(order_payload(order, detail=True))


class SubscriptionSerializer(serializers.Serializer):
    items = serializers.DictField(child=serializers.IntegerField(min_value=0, max_value=10), required=False)
    charge_day = serializers.IntegerField(min_value=1, max_value=28, required=False)


class SubscriptionView(APIView):
    def _subscription(self, account: Account) -> Subscription:
        subscription = Subscription.objects.select_related("card").filter(account=account).first()
        if subscription is None:
            raise Http404("You have no monthly subscription.")
        return subscription

    def _payload(self, account: Account) -> dict:
        subscription = self._subscription(account)
        data = autoship_summary(subscription=subscription)
        owed = outstanding_charge(subscription)
        data["declined_charge"] = (
            {"month": owed.month.isoformat(), "amount": str(owed.amount), "error": owed.last_error}
            if owed
            else None
        )
        return data

    @extend_schema(
        summary="My subscription: products, PV and what it means, charge day, card", responses={200: dict}
    )
    def get(self, request: Request) -> Response:
        return Response(self._payload(_account(request)))

    @extend_schema(
        summary="Change products ({product_id: qty}, 0 removes) and/or the charge day (1-28)",
        request=SubscriptionSerializer,
        responses={200: dict},
    )
    def patch(self, request: Request) -> Response:
        account = _account(request)
        self._subscription(account)
        serializer = SubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actor = signed_in_user(request)
        try:
            if "items" in data:
                quantities = {}
                for key, qty in data["items"].items():
                    if not str(key).isdigit():
                        raise Refused(
                            "unknown_product", f"items: {key!r} is not a product id.", field="items"
                        )
                    quantities[int(key)] = qty
                subscription_items_set(account=account, actor=actor, quantities=quantities)
            if "charge_day" in data:
                subscription_charge_day_set(account=account, actor=actor, day=data["charge_day"])
        except Refused as refusal:
            return _refused(refusal)
        return Response(self._payload(account))


ACTIONS = {
    "skip": subscription_skip_next,
    "pause": subscription_pause,
    "resume": subscription_resume,
    "cancel": subscription_cancel,
}


class SubscriptionActionView(APIView):
    @extend_schema(
        summary="skip (next month), pause, resume or cancel my subscription",
        request=None,
        responses={200: dict, 400: dict},
    )
    def post(self, request: Request, action: str) -> Response:
        if action not in ACTIONS:
            raise Http404("Unknown action.")
        account = _account(request)
        SubscriptionView()._subscription(account)
        try:
            ACTIONS[action](account=account, actor=signed_in_user(request))  # type: ignore[operator]
        except Refused as refusal:
            return _refused(refusal)
        return Response(SubscriptionView()._payload(account))


class StatementListView(APIView):
    @extend_schema(summary="My commission statements, newest first", responses={200: dict})
    def get(self, request: Request) -> Response:
        rows = statements_of(account=_account(request))[:120]
        return Response({"results": [_statement(s, lines=False) for s in rows]})


class StatementDetailView(APIView):
    @extend_schema(
        operation_id="v1_pay_statements_detail", summary="One statement with its lines", responses={200: dict}
    )
    def get(self, request: Request, pk: int) -> Response:
        item = Statement.objects.filter(pk=pk, earner=_account(request)).first()
        if item is None:
            raise Http404("No such statement.")
        return Response(_statement(item, lines=True))


def _statement(s: Statement, *, lines: bool) -> dict:
    data = {
        "id": s.pk,
        "period": f"{s.period:%Y-%m}",
        "earnings": str(s.earnings),
        "reversals": str(s.reversals),
        "carried_in": str(s.carried_in),
        "net_paid": str(s.net_paid),
        "carried_forward": str(s.carried_forward),
    }
    if lines:
        data["lines"] = [
            {
                "earned_on": line.earned_on.isoformat(),
                "kind": line.kind,
                "description": line.description,
                "order_ref": line.order_ref or None,
                "amount": str(line.amount),
            }
            for line in statement_lines(statement=s)
        ]
    return data
