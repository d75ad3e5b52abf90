"""``POST /api/v1/enrollments/``: the public enrollment form as an API (anonymous, throttled per IP)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from accounts.enrollment.services import (
    EnrollmentRequest,
    OrderLineInput,
    enrollment_card_tokenize,
    enrollment_finished,
    enrollment_quote,
    enrollment_submit,
    enrollment_validate,
)
from accounts.models import Account, EnrollmentChannel, Product
from accounts.validation import COUNTRIES
from plexus_office.platform.errors import Refused


class EnrollmentThrottle(SimpleRateThrottle):
    """Per client IP, shared by the form's last step and the API (``ENROLLMENT_THROTTLE_RATE``)."""

    scope = "enrollment"

    def get_rate(self) -> str:
        return settings.ENROLLMENT_THROTTLE_RATE

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    qty = serializers.IntegerField(min_value=1, max_value=10)


class EnrollmentCardSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=23, write_only=True)
    exp_month = serializers.IntegerField(min_value=1, max_value=12)
    exp_year = serializers.IntegerField(min_value=2000, max_value=2100)
    cvv = serializers.CharField(max_length=4, write_only=True)
    holder_name = serializers.CharField(max_length=200)
    postal_code = serializers.CharField(max_length=20)


def _address_fields(prefix: str, *, required: bool) -> dict[str, serializers.Field]:
    return {
        f"{prefix}street": serializers.CharField(max_length=200, required=required, allow_blank=not required),
        f"{prefix}unit": serializers.CharField(max_length=50, required=False, allow_blank=True, default=""),
        f"{prefix}city": serializers.CharField(max_length=100, required=required, allow_blank=not required),
        f"{prefix}region": serializers.CharField(
            max_length=100, required=False, allow_blank=True, default="", help_text="US/CA: two-letter code."
        ),
        f"{prefix}postal_code": serializers.CharField(
            max_length=20, required=required, allow_blank=not required
        ),
        f"{prefix}country": serializers.ChoiceField(choices=COUNTRIES, required=False, default="US"),
    }


class EnrollmentCreateSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField(
        min_length=16,
        max_length=64,
        help_text="One per enrollment: a retry with the same key returns the first account, charged once.",
    )
    kind = serializers.ChoiceField(choices=["vip_customer", "ambassador"])
    sponsor = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**53,
        help_text='Blank: Corporate Sponsor "2".',
    )
    name = serializers.CharField(max_length=200)
    email = serializers.CharField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    locals().update(_address_fields("mailing_", required=True))
    shipping_same_as_mailing = serializers.BooleanField(default=True)
    shipping_recipient = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    locals().update(_address_fields("shipping_", required=False))
    lines = serializers.ListField(child=LineSerializer(), required=False, default=list, max_length=20)
    subscribe = serializers.BooleanField(default=False, help_text="VIP: repeat the first order monthly.")
    card = EnrollmentCardSerializer()


class EnrollmentResultSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    sponsor = serializers.IntegerField(allow_null=True)
    listed_under_2_on = serializers.DateField(allow_null=True)
    enrolled_on = serializers.DateField()
    membership_fee_due_on = serializers.DateField(allow_null=True)
    charged = serializers.DecimalField(max_digits=10, decimal_places=2)
    order = serializers.CharField(allow_null=True)


class RefusalSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(allow_null=True)


def result_of(account: Account) -> dict[str, Any]:
    enrollment = account.enrollments.order_by("created_at").first()
    order = account.orders.order_by("created_at").values_list("ref", flat=True).first()
    return {
        "number": account.number,
        "kind": account.kind,
        "status": account.status,
        "sponsor": account.sponsor.number if account.sponsor else None,
        "listed_under_2_on": account.listed_under_2_on,
        "enrolled_on": account.enrolled_on,
        "membership_fee_due_on": account.membership_fee_due_on,
        "charged": enrollment.amount if enrollment else "0.00",
        "order": order,
    }


def _request_from(v: dict[str, Any]) -> EnrollmentRequest:
    products = Product.objects.in_bulk([line["sku"] for line in v["lines"]], field_name="sku")
    unknown = [line["sku"] for line in v["lines"] if line["sku"] not in products]
    if unknown:
        raise DjangoValidationError({"lines": f"lines: no product {unknown[0]!r} in the catalog"})
    address = {k: v[k] for k in v if k.startswith(("mailing_", "shipping_"))}
    return EnrollmentRequest(
        kind=v["kind"],
        sponsor_number=v.get("sponsor"),
        name=v["name"],
        email=v["email"],
        password=v["password"],
        phone=v["phone"],
        address=address,
        lines=[OrderLineInput(product=products[line["sku"]], qty=line["qty"]) for line in v["lines"]],
        subscribe=v["subscribe"],
    )


@method_decorator(sensitive_post_parameters(), name="dispatch")
class EnrollmentCreateView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [EnrollmentThrottle]

    @extend_schema(
        request=EnrollmentCreateSerializer,
        responses={
            201: EnrollmentResultSerializer,
            200: OpenApiResponse(
                EnrollmentResultSerializer, description="Same idempotency key: the first answer."
            ),
            400: OpenApiResponse(description="Bad input (field errors) or a refusal {code, detail, field}."),
            409: OpenApiResponse(RefusalSerializer, description="The same enrollment is being completed."),
            429: OpenApiResponse(description="Too many enrollments from this address; retry later."),
        },
        description=(
            "Enroll a VIP Customer or Brand Ambassador: account, login (username = account number), card on "
            "file, first order and subscription, one charge. Refusals: email_in_use, sponsor_not_found, "
            "sponsor_not_eligible, card_declined, gateway_timeout, card_error."
        ),
        auth=[],
    )
    def post(self, request: Request) -> Response:
        body = EnrollmentCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data

        done = enrollment_finished(v["idempotency_key"])
        if done is not None:
            return Response(EnrollmentResultSerializer(result_of(done)).data, status=status.HTTP_200_OK)
        try:
            enrollment = _request_from(v)
            enrollment_validate(enrollment)  # all input errors before the card is tokenized
            enrollment_quote(kind=enrollment.kind, lines=enrollment.lines)
            try:
                token = enrollment_card_tokenize(**v["card"])
            except DjangoValidationError as exc:
                return Response({"card": exc.message_dict}, status=status.HTTP_400_BAD_REQUEST)
            account = enrollment_submit(
                key=v["idempotency_key"],
                request=enrollment,
                card=token,
                card_holder=v["card"]["holder_name"],
                card_postal_code=v["card"]["postal_code"],
                channel=EnrollmentChannel.API,
            )
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
            return Response(detail, status=status.HTTP_400_BAD_REQUEST)
        except Refused as refusal:
            code = (
                status.HTTP_409_CONFLICT
                if refusal.code == "enrollment_in_progress"
                else status.HTTP_400_BAD_REQUEST
            )
            return Response(refusal.as_dict(), status=code)
        return Response(EnrollmentResultSerializer(result_of(account)).data, status=status.HTTP_201_CREATED)
