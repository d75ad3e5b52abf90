from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Account, AccountFlag, Order, PendingEmailChange, SavedCard, Subscription
from accounts.selfservice import (
    account_profile_update,
    card_add,
    card_remove,
    card_set_default,
    dropship_order_create,
    email_change_confirm,
    email_change_request,
    newsletter_set,
    subscription_card_set,
)
from accounts.services import account_cancel
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox
from tests.accounts.conftest import FULL_ADDRESS
from tests.factories import AmbassadorFactory, ProductFactory, SavedCardFactory, UserFactory

pytestmark = pytest.mark.usefixtures("_today")

CARD = {
    "number": "4242 4242 4242 4242",
    "exp_month": 12,
    "exp_year": 2029,
    "cvv": "123",
    "holder_name": "Ann Example",
    "postal_code": "85251",
}


def _profile(**overrides):
    return {
        "name": "Ann Example",
        "phone": "(480) 555-0199",
        **FULL_ADDRESS,
        "shipping_same_as_mailing": True,
        "shipping_recipient": "",
        **overrides,
    }


def test_profile_update_stores_phone_in_e164_and_copies_mailing_to_shipping(member):
    account = account_profile_update(
        account=member, actor=member.user, data=_profile(mailing_street="9 Oak Ave", mailing_unit="Unit 7")
    )
    assert (account.phone, account.shipping_street, account.shipping_unit) == (
        "+14805550199",
        "9 Oak Ave",
        "Unit 7",
    )


def test_profile_update_refuses_bad_state_zip_and_phone_and_changes_nothing(member):
    with pytest.raises(ValidationError) as exc:
        account_profile_update(
            account=member,
            actor=member.user,
            data=_profile(mailing_region="ZZ", mailing_postal_code="8525", phone="12"),
        )
    assert set(exc.value.message_dict) == {"mailing_region", "mailing_postal_code", "phone"}
    member.refresh_from_db()
    assert (member.mailing_region, member.phone) == ("AZ", "+14805550123")


def test_profile_update_is_audited_with_changed_field_names(member):
    account_profile_update(account=member, actor=member.user, data=_profile(name="Ann B. Example"))
    entry = LogEntry.objects.filter(object_pk=str(member.pk), additional_data__action="profile_update").get()
    assert set(entry.changes_dict) == {"name", "phone"}


def test_someone_else_cannot_update_the_profile(member):
    stranger = UserFactory(username="eve")
    with pytest.raises(PermissionDenied):
        account_profile_update(account=member, actor=stranger, data=_profile(name="Eve"))
    member.refresh_from_db()
    assert member.name == "Ann Example"


def test_email_change_sends_a_link_to_the_new_address_and_tells_the_old_one(member):
    email_change_request(account=member, actor=member.user, new_email="ann.new@example.com")
    assert set(EmailOutbox.objects.values_list("to_email", "event")) == {
        ("ann.new@example.com", "accounts_email_confirm"),
        ("ann@example.com", "accounts_email_change_requested"),
    }
    member.refresh_from_db()
    assert member.email == "ann@example.com"


def _token_from_outbox() -> str:
    body = EmailOutbox.objects.get(event="accounts_email_confirm").body_text
    return body.split("/account/email/confirm/")[1].split("/")[0]


def test_email_change_confirm_applies_it_and_tells_the_old_address(member):
    email_change_request(account=member, actor=member.user, new_email="ann.new@example.com")
    account = email_change_confirm(token=_token_from_outbox(), actor=member.user)
    member.user.refresh_from_db()
    assert (account.email, member.user.email) == ("ann.new@example.com", "ann.new@example.com")
    assert EmailOutbox.objects.filter(event="accounts_email_changed", to_email="ann@example.com").count() == 1


def test_expired_email_link_changes_nothing(member):
    email_change_request(account=member, actor=member.user, new_email="ann.new@example.com")
    PendingEmailChange.objects.update(expires_at=clock.now() - timedelta(seconds=1))
    with pytest.raises(ValidationError, match="expired"):
        email_change_confirm(token=_token_from_outbox(), actor=member.user)
    member.refresh_from_db()
    assert member.email == "ann@example.com"


def test_email_used_by_another_live_account_gets_the_same_answer_and_cannot_be_confirmed(member):
    AmbassadorFactory(email="Taken@example.com")
    pending = email_change_request(account=member, actor=member.user, new_email="taken@example.com")
    # The same answer as for a free address: nothing tells the member whose address it is.
    assert (pending.new_email, PendingEmailChange.objects.count()) == ("taken@example.com", 1)
    with pytest.raises(ValidationError, match="now used by another account"):
        email_change_confirm(token=_token_from_outbox(), actor=member.user)
    member.refresh_from_db()
    assert member.email == "ann@example.com"


def test_confirming_clears_the_bounce_flag(member):
    member.email_bounced_at = clock.now()
    member.save()
    email_change_request(account=member, actor=member.user, new_email="ann.new@example.com")
    email_change_confirm(token=_token_from_outbox(), actor=member.user)
    assert AccountFlag.objects.filter(account=member).count() == 0


def test_card_add_keeps_only_token_brand_last4_and_becomes_default(member):
    card = card_add(account=member, actor=member.user, **CARD)
    assert (card.brand, card.last4, card.exp_month, card.exp_year, card.is_default) == (
        "Visa",
        "4242",
        12,
        2029,
        True,
    )
    assert card.token.startswith("tok_")


def test_card_with_bad_luhn_is_refused_before_the_gateway(member, monkeypatch):
    monkeypatch.setattr("accounts.selfservice.cards.get_gateway", lambda: pytest.fail("gateway called"))
    with pytest.raises(ValidationError) as exc:
        card_add(account=member, actor=member.user, **{**CARD, "number": "4242424242424241"})
    assert list(exc.value.message_dict) == ["number"]
    assert SavedCard.objects.count() == 0


def test_expired_card_is_refused_before_the_gateway(member, monkeypatch):
    monkeypatch.setattr("accounts.selfservice.cards.get_gateway", lambda: pytest.fail("gateway called"))
    with pytest.raises(ValidationError) as exc:
        card_add(account=member, actor=member.user, **{**CARD, "exp_month": 2, "exp_year": 2026})
    assert exc.value.message_dict == {"exp_year": ["This card expired (02/2026)."]}


def test_declined_card_is_reported_on_the_number_field(member):
    with pytest.raises(ValidationError) as exc:
        card_add(account=member, actor=member.user, **{**CARD, "number": "4000000000000002"})
    assert list(exc.value.message_dict) == ["number"]
    assert SavedCard.objects.count() == 0


def test_subscription_card_cannot_be_removed_until_replaced(subscribed):
    sub_card = subscribed.subscription.card
    other = card_add(account=subscribed, actor=subscribed.user, **CARD)
    with pytest.raises(ValidationError):
        card_remove(account=subscribed, actor=subscribed.user, card_id=sub_card.pk)
    sub_card.refresh_from_db()
    assert sub_card.removed_at is None
    subscription_card_set(account=subscribed, actor=subscribed.user, card_id=other.pk)
    removed = card_remove(account=subscribed, actor=subscribed.user, card_id=sub_card.pk)
    assert removed.removed_at is not None
    assert SavedCard.objects.get(pk=other.pk).is_default is True


def test_set_default_moves_the_default(subscribed):
    other = card_add(account=subscribed, actor=subscribed.user, **CARD)
    card_set_default(account=subscribed, actor=subscribed.user, card_id=other.pk)
    assert list(
        SavedCard.objects.filter(account=subscribed, is_default=True).values_list("pk", flat=True)
    ) == [other.pk]


def test_another_members_card_is_not_found(member):
    foreign = SavedCardFactory(account=AmbassadorFactory())
    with pytest.raises(ValidationError):
        card_set_default(account=member, actor=member.user, card_id=foreign.pk)


def test_newsletter_keeps_consent_and_time(member):
    account = newsletter_set(account=member, actor=member.user, opt_in=True)
    assert (account.newsletter_opt_in, account.newsletter_consent_at) == (True, clock.now())


def test_dropship_creates_a_charged_order_without_touching_the_saved_address(subscribed):
    card = card_add(account=subscribed, actor=subscribed.user, **CARD, make_default=True)
    product = ProductFactory(sku="SLIM", price="89.95")
    order = dropship_order_create(
        account=subscribed,
        actor=subscribed.user,
        product=product,
        qty=1,
        ship_to_name="Bea Friend",
        address={
            "ship_to_street": "5 Elm St",
            "ship_to_city": "Mesa",
            "ship_to_region": "AZ",
            "ship_to_postal_code": "85201",
            "ship_to_country": "US",
        },
    )
    subscribed.refresh_from_db()
    assert (order.ship_to_name, order.ship_to_address) == ("Bea Friend", "5 Elm St\nMesa, AZ 85201\nUS")
    assert (order.card_id, order.charge_id[:3]) == (card.pk, "ch_")
    assert subscribed.shipping_street == "1 Main St"


def test_dropship_with_bad_zip_creates_no_order(subscribed):
    product = ProductFactory(sku="SLIM")
    with pytest.raises(ValidationError) as exc:
        dropship_order_create(
            account=subscribed,
            actor=subscribed.user,
            product=product,
            qty=1,
            ship_to_name="B",
            address={
                "ship_to_street": "5 Elm",
                "ship_to_city": "Mesa",
                "ship_to_region": "AZ",
                "ship_to_postal_code": "ABC",
                "ship_to_country": "US",
            },
        )
    assert list(exc.value.message_dict) == ["ship_to_postal_code"]
    assert Order.objects.count() == 0


def test_holder_cancels_membership_and_subscription_ends(subscribed):
    account_cancel(account=subscribed, actor=subscribed.user, reason="moving")
    subscribed.refresh_from_db()
    assert (subscribed.status, subscribed.cancel_reason) == ("cancelled", "moving")
    assert Subscription.objects.get(account=subscribed).status == "cancelled"


def test_staff_cannot_cancel_for_the_holder(subscribed):
    staff = UserFactory(username="cs", is_staff=True, is_superuser=True)
    with pytest.raises(PermissionDenied):
        account_cancel(account=subscribed, actor=staff, reason="asked by phone")
    assert Account.objects.get(pk=subscribed.pk).status == "active"
