"""Browser: a member requests a refund and opens the label; staff move one through the admin queue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from accounts.models import Account
from plexus_office import clock  # the live server runs on the real date: order today
from plexus_office.platform.gateway import get_gateway
from plexus_office.platform.roles import CUSTOMER_SERVICE, FINANCE, RETURNS
from refunds.models import Refund, RefundStatus
from refunds.services import refund_authorize, refund_request
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, UserFactory, VipCustomerFactory


def _member_with_order():
    # Reference data the migrations normally create (kept so the file also runs with --nomigrations).

    ContentType.objects.clear_cache()  # a flushed database gives content types new ids

    Account.objects.get_or_create(
        number=1,
        defaults={
            "kind": "ambassador",
            "enrolled_on": date(2010, 1, 1),
            "is_corporate": True,
            "name": "Plexus",
        },
    )
    user = UserFactory(username="vip")
    member = VipCustomerFactory(number=3001, user=user, name="Vera Vip")
    slim = ProductFactory(sku="SLIM", name="Slim Microbiome Activation", price=Decimal("89.95"), pv=60)

    gateway = get_gateway()
    card = gateway.tokenize(
        number="4242424242424242",
        exp_month=12,
        exp_year=2030,
        cvv="123",
        holder_name="Vera Vip",
        postal_code="85001",
    )
    order = OrderFactory(
        ref="O-1",
        account=member,
        ordered_on=clock.today(),
        country="US",
        charge_id=gateway.charge(token=card.token, amount=Decimal("97.90"), idempotency_key="o1").id,
    )
    OrderLineFactory(order=order, product=slim, unit_price=Decimal("89.95"), pv=60)
    return member, order, slim


def test_a_member_requests_a_refund_and_sees_the_label(page, live_server, login):
    member, order, slim = _member_with_order()
    login("vip")
    page.goto(f"{live_server.url}/refunds/?order=O-1")
    page.check("input[name=products][value=SLIM]")
    page.check("input[name=reason][value=money_back]")
    page.click("button[value=preview]")
    assert "83.95" in page.inner_text("[data-testid=quote]")
    page.click("button[value=submit]")
    assert page.inner_text("[data-testid=refund-status]") == "Requested"
    refund = Refund.objects.get()
    cs = UserFactory(username="cs-b", is_staff=True)
    cs.groups.add(Group.objects.get_or_create(name=CUSTOMER_SERVICE)[0])
    refund_authorize(refund=refund, actor=cs)
    page.reload()
    page.click("text=Open and print the return label")
    assert page.inner_text("[data-testid=ra-number]") == f"RA{refund.pk:08d}"
    assert page.inner_text("[data-testid=label-reference]").startswith("PLXR")


def test_staff_authorize_receive_and_refund_in_admin(page, live_server, login):
    member, order, slim = _member_with_order()
    refund = refund_request(
        account=member, order=order, products=[slim], reason="money_back", actor=member.user
    )
    boss = UserFactory(username="boss", is_staff=True)
    for group in (CUSTOMER_SERVICE, RETURNS, FINANCE):
        boss.groups.add(Group.objects.get_or_create(name=group)[0])
    # A lead covering all three desks; which group sees which button is covered in tests/refunds.
    boss.is_superuser = True
    boss.save(update_fields=["is_superuser"])
    login("boss", admin=True)
    change = f"{live_server.url}/admin/refunds/refund/{refund.pk}/change/"
    page.goto(change)
    page.click("button[value=authorize]")
    page.click("input[value=Apply]")  # the optional-note form of the transition
    page.wait_for_load_state("networkidle")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.AUTHORIZED
    page.goto(change)
    page.click("button[value=receive]")
    page.fill("input[name=ra_number]", refund.ra_number)
    page.click("input[value=Apply]")
    page.wait_for_load_state("networkidle")
    refund.refresh_from_db()
    assert (refund.status, refund.deduction) == (RefundStatus.RECEIVED, Decimal("6.00"))
    page.goto(change)
    page.click("button[value=refund]")
    page.wait_for_load_state("networkidle")
    refund.refresh_from_db()
    assert (refund.status, refund.amount, bool(refund.gateway_refund_id)) == (
        RefundStatus.REFUNDED,
        Decimal("83.95"),
        True,
    )
    assert date.today() >= refund.refunded_on
