"""Self-service API: thin callers of the same services and selectors as the web pages.

Every view works on ``request.user``'s own account only; a card id of another member is 404.
Service ``ValidationError``s become 400 with field errors; nothing here can answer 500 on bad input.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api import serializers as s
from accounts.flags import open_flags
from accounts.genealogy import downline_page
from accounts.members import member_or_404
from accounts.models import Account, SavedCard, Subscription, SubscriptionStatus
from accounts.selfservice import (
    account_info_confirm,
    account_profile_update,
    card_add,
    card_remove,
    card_set_default,
    email_change_request,
    newsletter_set,
    subscription_card_set,
)
from accounts.validation import ADDRESS_PARTS
from accounts.views.common import signed_in_user
from plexus_office.platform.selectors import inbox_page, inbox_unread_count
from plexus_office.platform.services import inbox_mark_read


def _account(request: Request) -> Account:
    return member_or_404(request)


def _run(fn, **kwargs):
    """Call a service; its field errors become a 400 response body."""
    try:
        return fn(**kwargs)
    except DjangoValidationError as exc:
        raise ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        ) from None


def _profile_data(account: Account) -> dict:
    data = {
        f"{prefix}{part}": getattr(account, f"{prefix}{part}")
        for prefix in ("mailing_", "shipping_")
        for part in ADDRESS_PARTS
    }
    data.update(name=account.name, phone=account.phone, shipping_recipient=account.shipping_recipient)
    return data


def _addresses(account: Account) -> dict:
    out: dict = {"shipping_recipient": account.shipping_recipient, "shipping_same_as_mailing": False}
    for key in ("mailing", "shipping"):
        out[key] = {part: getattr(account, f"{key}_{part}") for part in ADDRESS_PARTS}
    return out


class MeView(APIView):
    @extend_schema(responses=s.MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.MeSerializer(_account(request)).data)

    @extend_schema(request=s.MeUpdateSerializer, responses=s.MeSerializer)
    def patch(self, request: Request) -> Response:
        account = _account(request)
        body = s.MeUpdateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = {**_profile_data(account), **body.validated_data}
        # The service checks the whole profile: a saved address that is incomplete is reported too.
        updated = _run(account_profile_update, account=account, actor=request.user, data=data)
        return Response(s.MeSerializer(updated).data)


class AddressesView(APIView):
    @extend_schema(responses=s.AddressesSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.AddressesSerializer(_addresses(_account(request))).data)

    @extend_schema(request=s.AddressesSerializer, responses=s.AddressesSerializer)
    def put(self, request: Request) -> Response:
        account = _account(request)
        body = s.AddressesSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        if not v.get("shipping_same_as_mailing") and "shipping" not in v:
            raise ValidationError(
                {"shipping": ["Give the shipping address or set shipping_same_as_mailing."]}
            )
        data = _profile_data(account)
        data.update({f"mailing_{k}": val for k, val in v["mailing"].items()})
        data.update({f"shipping_{k}": val for k, val in v.get("shipping", {}).items()})
        data["shipping_same_as_mailing"] = v.get("shipping_same_as_mailing", False)
        data["shipping_recipient"] = v.get("shipping_recipient", "")
        try:
            updated = account_profile_update(account=account, actor=signed_in_user(request), data=data)
        except DjangoValidationError as exc:
            # Report "mailing_city" as {"mailing": {"city": ...}} like the request was shaped.
            nested: dict = {}
            for field, messages in exc.message_dict.items():
                group, _, part = field.partition("_")
                if group in ("mailing", "shipping") and part in ADDRESS_PARTS:
                    nested.setdefault(group, {})[part] = messages
                else:
                    nested[field] = messages
            raise ValidationError(nested) from None
        return Response(s.AddressesSerializer(_addresses(updated)).data)


class EmailChangeView(APIView):
    @extend_schema(
        request=s.EmailChangeSerializer,
        responses={202: s.EmailChangeSerializer},
        description="Sends a confirmation link to the new address; the email changes when it is opened.",
    )
    def post(self, request: Request) -> Response:
        body = s.EmailChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _run(
            email_change_request,
            account=_account(request),
            actor=request.user,
            new_email=body.validated_data["new_email"],
        )
        return Response(body.validated_data, status=status.HTTP_202_ACCEPTED)


class InfoCurrentView(APIView):
    @extend_schema(request=None, responses=s.MeSerializer, description='"My information is current".')
    def post(self, request: Request) -> Response:
        return Response(
            s.MeSerializer(_run(account_info_confirm, account=_account(request), actor=request.user)).data
        )


def _subscription_card_id(account: Account) -> int | None:
    return (
        Subscription.objects.filter(
            account=account, status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED]
        )
        .values_list("card_id", flat=True)
        .first()
    )


def _card_response(account: Account, card: SavedCard, code: int = 200) -> Response:
    card.refresh_from_db()
    ctx = {"subscription_card_id": _subscription_card_id(account)}
    return Response(s.CardSerializer(card, context=ctx).data, status=code)


@method_decorator(sensitive_post_parameters("number", "cvv"), name="dispatch")
class CardListView(APIView):
    @extend_schema(responses=s.CardSerializer(many=True))
    def get(self, request: Request) -> Response:
        account = _account(request)
        cards = SavedCard.objects.filter(account=account, removed_at__isnull=True).order_by(
            "-is_default", "id"
        )
        ctx = {"subscription_card_id": _subscription_card_id(account)}
        return Response(s.CardSerializer(cards, many=True, context=ctx).data)

    @extend_schema(request=s.CardCreateSerializer, responses={201: s.CardSerializer})
    def post(self, request: Request) -> Response:
        account = _account(request)
        body = s.CardCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        v = body.validated_data
        card = _run(
            card_add,
            account=account,
            actor=request.user,
            number=v["number"],
            exp_month=v["exp_month"],
            exp_year=v["exp_year"],
            cvv=v["cvv"],
            holder_name=v["holder_name"],
            postal_code=v["postal_code"],
            make_default=v["make_default"],
        )
        return _card_response(account, card, status.HTTP_201_CREATED)


def _own_card(request: Request, pk: int) -> tuple[Account, SavedCard]:
    account = _account(request)
    card = SavedCard.objects.filter(pk=pk, account=account, removed_at__isnull=True).first()
    if card is None:
        raise Http404("No such card.")
    return account, card


class CardDetailView(APIView):
    @extend_schema(responses=s.CardSerializer)
    def get(self, request: Request, pk: int) -> Response:
        account, card = _own_card(request, pk)
        return _card_response(account, card)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        account, card = _own_card(request, pk)
        _run(card_remove, account=account, actor=request.user, card_id=card.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CardDefaultView(APIView):
    @extend_schema(request=None, responses=s.CardSerializer, description="Make this card the default.")
    def post(self, request: Request, pk: int) -> Response:
        account, card = _own_card(request, pk)
        _run(card_set_default, account=account, actor=request.user, card_id=card.pk)
        return _card_response(account, card)


class CardSubscriptionView(APIView):
    @extend_schema(
        request=None, responses=s.CardSerializer, description="Pay the subscription with this card."
    )
    def post(self, request: Request, pk: int) -> Response:
        account, card = _own_card(request, pk)
        _run(subscription_card_set, account=account, actor=request.user, card_id=card.pk)
        return _card_response(account, card)


class NewsletterView(APIView):
    def _data(self, account: Account) -> dict:
        return {"opt_in": account.newsletter_opt_in, "consent_at": account.newsletter_consent_at}

    @extend_schema(responses=s.NewsletterSerializer)
    def get(self, request: Request) -> Response:
        return Response(s.NewsletterSerializer(self._data(_account(request))).data)

    @extend_schema(request=s.NewsletterSerializer, responses=s.NewsletterSerializer)
    def put(self, request: Request) -> Response:
        body = s.NewsletterSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        account = _run(
            newsletter_set,
            account=_account(request),
            actor=request.user,
            opt_in=body.validated_data["opt_in"],
        )
        return Response(s.NewsletterSerializer(self._data(account)).data)


class NotificationListView(APIView):
    @extend_schema(parameters=[s.PageQuerySerializer], responses=s.NotificationPageSerializer)
    def get(self, request: Request) -> Response:
        account = _account(request)
        query = s.PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        entries = inbox_page(
            account=account, limit=query.validated_data["limit"], offset=query.validated_data["offset"]
        )
        rows = [
            {
                "id": e.pk,
                "event": e.event,
                "title": e.title,
                "body": e.body,
                "summary": e.summary,
                "link": e.link,
                "created_at": e.created_at,
                "read_at": e.read_at,
            }
            for e in entries
        ]
        return Response(
            s.NotificationPageSerializer(
                {"unread": inbox_unread_count(account=account), "results": rows}
            ).data
        )


class NotificationReadView(APIView):
    @extend_schema(request=s.MarkReadSerializer, responses=s.MarkReadResultSerializer)
    def post(self, request: Request) -> Response:
        body = s.MarkReadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids = body.validated_data.get("ids")
        marked = inbox_mark_read(account=_account(request), entry_ids=ids)
        return Response({"marked": marked})


class FlagListView(APIView):
    @extend_schema(responses=s.FlagSerializer(many=True))
    def get(self, request: Request) -> Response:
        flags = open_flags(account=_account(request))
        rows = [
            {
                "code": f.code,
                "label": f.label,
                "explanation": f.explanation,
                "fix_url": request.build_absolute_uri(reverse(f.fix_url_name)),
            }
            for f in flags
        ]
        return Response(s.FlagSerializer(rows, many=True).data)


class DownlineView(APIView):
    @extend_schema(
        parameters=[s.DownlineQuerySerializer],
        responses=s.DownlineRowSerializer(many=True),
        description="A page of your whole organization, by depth then account number.",
    )
    def get(self, request: Request) -> Response:
        account = _account(request)
        query = s.DownlineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        v = query.validated_data
        rows = downline_page(account_id=account.pk, limit=v["limit"], offset=v["offset"], search=v["search"])
        return Response(s.DownlineRowSerializer(rows, many=True).data)
