"""API shapes of Account Services. Card number and CVV are write-only and never serialized back."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Account, SavedCard
from accounts.selectors import commission_qualification
from accounts.validation import COUNTRIES


class MeSerializer(serializers.ModelSerializer):
    sponsor = serializers.IntegerField(source="sponsor.number", read_only=True, allow_null=True)
    commission_qualified = serializers.SerializerMethodField()
    commission_missing = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = [
            "number",
            "kind",
            "status",
            "name",
            "email",
            "phone",
            "sponsor",
            "newsletter_opt_in",
            "newsletter_consent_at",
            "info_reviewed_at",
            "commission_qualified",
            "commission_missing",
        ]
        read_only_fields = [f for f in fields if f not in ("name", "phone")]

    def _qualification(self, obj: Account):
        if not hasattr(self, "_cq"):
            self._cq = commission_qualification(account=obj)
        return self._cq

    def get_commission_qualified(self, obj: Account) -> bool:
        return self._qualification(obj).qualified

    def get_commission_missing(self, obj: Account) -> list[str]:
        return self._qualification(obj).missing


class MeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField(max_length=200, allow_blank=True)
    unit = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    city = serializers.CharField(max_length=100, allow_blank=True)
    region = serializers.CharField(max_length=100, allow_blank=True, help_text="US/CA: two-letter code.")
    postal_code = serializers.CharField(max_length=20, allow_blank=True)
    country = serializers.ChoiceField(choices=COUNTRIES)


class AddressesSerializer(serializers.Serializer):
    mailing = AddressSerializer()
    shipping = AddressSerializer(required=False)
    shipping_same_as_mailing = serializers.BooleanField(required=False, default=False)
    shipping_recipient = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


class EmailChangeSerializer(serializers.Serializer):
    new_email = serializers.EmailField(max_length=254)


class CardSerializer(serializers.ModelSerializer):
    pays_subscription = serializers.SerializerMethodField()

    class Meta:
        model = SavedCard
        fields = [
            "id",
            "brand",
            "last4",
            "exp_month",
            "exp_year",
            "holder_name",
            "billing_postal_code",
            "is_default",
            "pays_subscription",
        ]
        read_only_fields = fields

    def get_pays_subscription(self, obj: SavedCard) -> bool:
        return obj.pk == self.context.get("subscription_card_id")


class CardCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=23, write_only=True)
    exp_month = serializers.IntegerField(min_value=1, max_value=12)
    exp_year = serializers.IntegerField(min_value=2000, max_value=2100)
    cvv = serializers.CharField(max_length=4, write_only=True)
    holder_name = serializers.CharField(max_length=200)
    postal_code = serializers.CharField(max_length=20)
    make_default = serializers.BooleanField(required=False, default=False)


class NewsletterSerializer(serializers.Serializer):
    opt_in = serializers.BooleanField()
    consent_at = serializers.DateTimeField(read_only=True, allow_null=True)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    summary = serializers.CharField(
        allow_blank=True,
        help_text="Short HTML in the member's language, relative links; empty on old entries.",
    )
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationPageSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
    results = NotificationSerializer(many=True)


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),  # a bigint, or a 400 (not a 500)
        required=False,
        help_text="Entries to mark read; omit to mark all read.",
    )


class MarkReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    # A declared field, not Field.label: DRF's serializer metaclass moves it into ``_declared_fields``.
    label = serializers.CharField()  # type: ignore[assignment]
    explanation = serializers.CharField()
    fix_url = serializers.CharField()


class DownlineRowSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.CharField()
    depth = serializers.IntegerField()
    sponsor_number = serializers.IntegerField(allow_null=True)


class DownlineQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=200, required=False, default=50)
    offset = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False, default=0)
    search = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)


class PageQuerySerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False, default=0)
