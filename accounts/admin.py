"""Django admin for the domain model.

Big tables (accounts, sponsorships, orders, lines, cards, subscriptions, ledgers) use the estimated
paginator and no full-result count, so a changelist never runs ``count(*)`` over millions of rows.
Account foreign keys use autocomplete (searching number, name, email). Card tokens are never shown
whole. Sponsor changes go through ``accounts.services.sponsor_change`` (so the sponsor is read-only
here: editing it in a form would skip the history and the loop check).
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

# Self-service models (flags, pending email changes) register their admin there.
from accounts import admin_selfservice  # noqa: F401
from accounts.flags import FlagListFilter
from accounts.models import (
    Account,
    CommissionEntry,
    MembershipFeePayment,
    Order,
    OrderLine,
    PaidRank,
    PerkCredit,
    Product,
    SavedCard,
    Sponsorship,
    Subscription,
)
from plexus_office.admin_paginator import EstimatedCountAdminMixin

ACCOUNT_SEARCH = ("number", "name", "email")
MEMBER_SEARCH = ("account__number", "account__name", "account__email")


def masked_token(token: str) -> str:
    """Enough of a gateway token to match it in the gateway's dashboard, never the whole secret."""
    return f"{token[:8]}…{token[-4:]}" if len(token) > 14 else "…"


class SponsorshipInline(admin.TabularInline):
    model = Sponsorship
    fk_name = "account"
    extra = 0
    can_delete = False
    fields = ("sponsor", "valid_from", "valid_to", "reason", "end_reason", "personal", "created_by")
    readonly_fields = fields
    ordering = ("-valid_from", "-id")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("number", "name", "kind", "status", "sponsor", "title_rank", "country", "enrolled_on")
    list_filter = ["kind", "status", "title_rank", "country", "personally_enrolled"]
    search_fields = ("=number", "name", "email")
    list_select_related = ("sponsor",)
    autocomplete_fields = ("user",)
    readonly_fields = (
        "number",
        "status",
        "sponsor",
        "personally_enrolled",
        "listed_under_2_on",
        "is_corporate",
        "created_at",
        "cancelled_at",
        "cancel_reason",
        "email_bounced_at",
        "team_links",
    )
    inlines = [SponsorshipInline]

    @admin.display(description="Organization")
    def team_links(self, obj: Account) -> str:
        """Read-only tree and report of the member's organization, with an as-of control."""
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">Team tree</a> · <a href="{}">Downline report</a>',
            reverse("team:staff_tree", args=[obj.number]),
            reverse("team:staff_report", args=[obj.number]),
        )

    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "kind",
                    "status",
                    "is_corporate",
                    "user",
                    "name",
                    "email",
                    "phone",
                    "country",
                )
            },
        ),
        (
            "Genealogy",
            {"fields": ("sponsor", "personally_enrolled", "enrolled_on", "listed_under_2_on", "team_links")},
        ),
        ("Ranks and fees", {"fields": ("title_rank", "membership_fee_due_on", "last_lead_batch_on")}),
        (
            "Mailing address",
            {
                "fields": (
                    "mailing_street",
                    "mailing_unit",
                    "mailing_city",
                    "mailing_region",
                    "mailing_postal_code",
                    "mailing_country",
                )
            },
        ),
        (
            "Shipping address",
            {
                "fields": (
                    "shipping_recipient",
                    "shipping_street",
                    "shipping_unit",
                    "shipping_city",
                    "shipping_region",
                    "shipping_postal_code",
                    "shipping_country",
                )
            },
        ),
        (
            "Preferences and history",
            {
                "fields": (
                    "newsletter_opt_in",
                    "newsletter_consent_at",
                    "info_reviewed_at",
                    "email_bounced_at",
                    "created_at",
                    "cancelled_at",
                    "cancel_reason",
                )
            },
        ),
    )

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), FlagListFilter]

    def get_search_results(self, request, queryset, search_term):
        # "=number" needs a whole number: a name search must not fail on the integer column.
        if search_term.strip().isdigit():
            return queryset.filter(number=int(search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)


@admin.register(Sponsorship)
class SponsorshipAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("account", "sponsor", "valid_from", "valid_to", "reason", "end_reason", "personal")
    list_filter = ("reason", "end_reason", "personal")
    search_fields = ("account__number", "account__name", "account__email", "sponsor__number")
    list_select_related = ("account", "sponsor")
    raw_id_fields = ("account", "sponsor", "created_by")
    readonly_fields = (
        "account",
        "sponsor",
        "valid_from",
        "valid_to",
        "reason",
        "end_reason",
        "personal",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request):
        return False  # history rows are written by sponsor_change only


@admin.register(PaidRank)
class PaidRankAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("account", "month", "rank")
    list_filter = ("rank", "month")
    search_fields = MEMBER_SEARCH
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "price", "pv")
    search_fields = ("sku", "name")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    fields = ("product", "qty", "unit_price", "pv")
    autocomplete_fields = ("product",)


@admin.register(Order)
class OrderAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = (
        "ref",
        "account",
        "ordered_on",
        "country",
        "fulfillment",
        "picked_up",
        "subscription_order",
        "shipping",
    )
    list_filter = ("fulfillment", "subscription_order", "picked_up", "country")
    search_fields = ("=ref", *MEMBER_SEARCH)
    list_select_related = ("account",)
    autocomplete_fields = ("account", "sold_by")
    raw_id_fields = ("card",)
    date_hierarchy = "ordered_on"
    inlines = [OrderLineInline]

    def get_date_hierarchy_drilldown(self, lookup_params, date_lookup_params):
        return []  # the drill-down would scan every order for its year/month list


@admin.register(Subscription)
class SubscriptionAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("account", "status", "pv", "card", "started_on", "ended_on")
    list_filter = ("status",)
    search_fields = MEMBER_SEARCH
    list_select_related = ("account", "card")
    autocomplete_fields = ("account",)
    raw_id_fields = ("card",)


@admin.register(MembershipFeePayment)
class MembershipFeePaymentAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("account", "paid_on", "amount", "covers_until")
    search_fields = MEMBER_SEARCH
    list_select_related = ("account",)
    autocomplete_fields = ("account",)


@admin.register(SavedCard)
class SavedCardAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("account", "brand", "last4", "expiry", "is_default", "removed_at", "token_hint")
    list_filter = ("brand", "is_default")
    search_fields = (*MEMBER_SEARCH, "=last4")
    list_select_related = ("account",)
    autocomplete_fields = ("account",)
    # The token is a credential at the gateway: shown masked, never editable, never in full.
    exclude = ("token",)
    readonly_fields = ("token_hint", "created_at")

    @admin.display(description="expiry")
    def expiry(self, card: SavedCard) -> str:
        return f"{card.exp_month:02d}/{card.exp_year}"

    @admin.display(description="token")
    def token_hint(self, card: SavedCard) -> str:
        return masked_token(card.token)

    def has_add_permission(self, request):
        return False  # cards are added through the gateway (Manage Cards), never typed in


@admin.register(CommissionEntry)
class CommissionEntryAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("earner", "kind", "amount", "status", "earned_on", "paid_on", "order")
    list_filter = ("kind", "status")
    search_fields = ("earner__number", "earner__name", "earner__email", "=order__ref")
    list_select_related = ("earner", "order")
    autocomplete_fields = ("earner",)
    raw_id_fields = ("order", "reverses")


@admin.register(PerkCredit)
class PerkCreditAdmin(EstimatedCountAdminMixin, admin.ModelAdmin):
    list_display = ("account", "amount", "created_on", "order", "note")
    search_fields = (*MEMBER_SEARCH, "=order__ref")
    list_select_related = ("account", "order")
    autocomplete_fields = ("account",)
    raw_id_fields = ("order",)


# Modules that register their own admin pages: enrollment; autoship charges, shipments, pay.
from accounts import admin_billing, admin_enrollment  # noqa: E402,F401,I001
