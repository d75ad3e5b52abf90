"""factory-boy factories for the domain model. Dates default relative to a fixed day, not today."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from accounts.models import (
    Account,
    AccountKind,
    MembershipFeePayment,
    Order,
    OrderLine,
    PaidRank,
    Product,
    Rank,
    SavedCard,
    SponsorChangeReason,
    Sponsorship,
    Subscription,
)
from plexus_office.platform.gateway import get_gateway

TODAY = date(2026, 3, 10)


def corporate_root() -> Account:
    return Account.objects.get(number=1)


def corporate_sponsor() -> Account:
    return Account.objects.get(number=2)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pass-word-123")


class StaffUserFactory(UserFactory):
    """A staff user in the named groups: ``StaffUserFactory(username="cs", groups=[CUSTOMER_SERVICE])``."""

    is_staff = True

    @factory.post_generation
    def groups(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))


def paid_charge(amount: Decimal, key: str, *, holder_name: str = "Vera Vip") -> str:
    """A sandbox charge of ``amount`` on the test Visa (what an order's original payment looks like)."""
    gateway = get_gateway()
    card = gateway.tokenize(
        number="4242424242424242",
        exp_month=12,
        exp_year=2030,
        cvv="123",
        holder_name=holder_name,
        postal_code="85001",
    )
    return gateway.charge(token=card.token, amount=amount, idempotency_key=key).id


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: 10000 + n)
    kind = AccountKind.AMBASSADOR
    enrolled_on = date(2024, 1, 1)
    name = factory.Sequence(lambda n: f"Member {n}")
    email = factory.LazyAttribute(lambda a: f"member{a.number}@example.com")
    country = "US"
    sponsor = factory.LazyFunction(corporate_root)
    membership_fee_due_on = factory.LazyAttribute(
        lambda a: date(2027, 1, 1) if a.kind == AccountKind.AMBASSADOR else None
    )

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):  # noqa: N805 - factory-boy hook
        if create and obj.sponsor_id:
            Sponsorship.objects.create(
                account=obj,
                sponsor_id=obj.sponsor_id,
                valid_from=obj.enrolled_on,
                reason=SponsorChangeReason.ENROLLMENT
                if obj.personally_enrolled
                else SponsorChangeReason.LEAD_PLACEMENT,
                personal=obj.personally_enrolled,
            )


class AmbassadorFactory(AccountFactory):
    kind = AccountKind.AMBASSADOR
    title_rank = Rank.BRAND_AMBASSADOR


class VipCustomerFactory(AccountFactory):
    kind = AccountKind.VIP_CUSTOMER


class RetailCustomerFactory(AccountFactory):
    kind = AccountKind.RETAIL_CUSTOMER


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU{n}")
    name = factory.LazyAttribute(lambda p: f"Product {p.sku}")
    price = Decimal("89.95")
    pv = 60


class SavedCardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedCard

    account = factory.SubFactory(AccountFactory)
    token = factory.Sequence(lambda n: f"tok_test_{n:08d}")
    brand = "Visa"
    last4 = "4242"
    exp_month = 12
    exp_year = 2030
    holder_name = factory.LazyAttribute(lambda c: c.account.name)
    billing_postal_code = "85251"


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    account = factory.SubFactory(AccountFactory)
    status = "active"
    pv = 100
    started_on = date(2024, 1, 1)


class PaidRankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaidRank

    account = factory.SubFactory(AmbassadorFactory)
    month = date(2026, 1, 1)
    rank = Rank.SENIOR_GOLD


_ORDER_CHARGES = itertools.count(1)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    ref = factory.Sequence(lambda n: f"O-{n:06d}")
    account = factory.SubFactory(AccountFactory)
    ordered_on = date(2026, 2, 1)
    country = "US"
    shipping = Decimal("7.95")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # Orders are paid: an original charge reference is on file (tests that pay refunds make a real one).
        kwargs.setdefault("charge_id", f"ch_factory_{next(_ORDER_CHARGES):06d}")
        return kwargs


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    product = factory.SubFactory(ProductFactory)
    qty = 1
    unit_price = factory.LazyAttribute(lambda line: line.product.price)
    pv = factory.LazyAttribute(lambda line: line.product.pv)


class MembershipFeePaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipFeePayment

    account = factory.SubFactory(AmbassadorFactory)
    paid_on = date(2025, 6, 1)
    amount = Decimal("29.95")
    covers_until = date(2026, 6, 1)
