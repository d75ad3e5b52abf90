"""Browser: returns as people ship them: two products in one package, a post-office return, and
Customer Service filing for a member by picking the member, the order and the products."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType

from accounts.models import Account
from plexus_office import clock  # the live server runs on the real date: order today
from plexus_office.platform.gateway import get_gateway
from plexus_office.platform.models import EmailOutbox
from plexus_office.platform.roles import CUSTOMER_SERVICE
from refunds.models import Refund, RefundLine, RefundStatus
from refunds.services import refund_authorize
from tests.factories import OrderFactory, OrderLineFactory, ProductFactory, UserFactory, VipCustomerFactory

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "returns"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _member_with_a_two_product_order():
    ContentType.objects.clear_cache()
    Account.objects.get_or_create(
        number=1,
        defaults={
            "kind": "ambassador",
            "enrolled_on": date(2010, 1, 1),
            "is_corporate": True,
            "name": "Plexus",
        },
    )
    member = VipCustomerFactory(number=3001, user=UserFactory(username="vip"), name="Vera Vip")
    slim = ProductFactory(sku="SLIM", name="Slim Microbiome Activation", price=Decimal("89.95"), pv=60)
    active = ProductFactory(sku="ACTIVE", name="Active", price=Decimal("49.95"), pv=35)
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
        ref="O-2",
        account=member,
        ordered_on=clock.today(),
        country="US",
        shipping=Decimal("9.95"),
        charge_id=gateway.charge(token=card.token, amount=Decimal("199.80"), idempotency_key="o2").id,
    )
    OrderLineFactory(order=order, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    OrderLineFactory(order=order, product=active, qty=2, unit_price=Decimal("49.95"), pv=35)
    return member, order


def _customer_service(username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=CUSTOMER_SERVICE)[0])
    return user


def _request(page, live_server, *, method: str) -> None:
    page.goto(f"{live_server.url}/refunds/?order=O-2")
    page.check("input[name=products][value=SLIM]")
    page.check("input[name=products][value=ACTIVE]")
    page.check("input[name=reason][value=money_back]")
    page.check(f"input[name=return_method][value={method}]")
    page.click("button[value=preview]")


def test_a_two_product_return_is_one_request_one_ra_one_label_one_deduction(page, live_server, login):
    member, order = _member_with_a_two_product_order()
    login("vip")
    _request(page, live_server, method="prepaid_label")
    assert page.inner_text("[data-testid=quote-gross]") == "189.85"
    assert page.inner_text("[data-testid=quote-deduction]") == "6.00"
    assert page.inner_text("[data-testid=quote-amount]") == "183.85"
    assert page.locator("[data-testid=quote-line]").count() == 2
    _shot(page, "two-products-quote")
    page.click("button[value=submit]")
    assert page.inner_text("[data-testid=refund-status]") == "Requested"
    refund = Refund.objects.get()
    assert (RefundLine.objects.filter(refund=refund).count(), refund.deduction, refund.amount) == (
        2,
        Decimal("6.00"),
        Decimal("183.85"),
    )
    refund_authorize(refund=refund, actor=_customer_service("cs-a"))
    page.reload()
    page.click("text=Open and print the return label")
    assert page.inner_text("[data-testid=ra-number]") == f"RA{refund.pk:08d}"
    label = page.inner_text("[data-testid=return-label]")
    assert "Slim Microbiome Activation (SLIM) × 1" in label and "Active (ACTIVE) × 2" in label
    _shot(page, "two-products-label")
    assert list(
        EmailOutbox.objects.filter(account=member).order_by("id").values_list("event", flat=True)
    ) == [
        "refunds_requested",
        "refunds_authorized",
        "refunds_label",
    ]


def test_a_post_office_return_gets_mailing_instructions_and_no_label(page, live_server, login):
    member, order = _member_with_a_two_product_order()
    login("vip")
    _request(page, live_server, method="post_office")
    assert (
        page.inner_text("[data-testid=quote-deduction]"),
        page.inner_text("[data-testid=quote-amount]"),
    ) == (
        "0.00",
        "189.85",
    )
    page.click("button[value=submit]")
    refund = refund_authorize(refund=Refund.objects.get(), actor=_customer_service("cs-b"))
    page.reload()
    instructions = page.inner_text("[data-testid=mailing-instructions]")
    assert f"RA{refund.pk:08d}" in instructions and "post office" in instructions
    assert page.locator("text=Open and print the return label").count() == 0
    _shot(page, "post-office-instructions")
    assert page.goto(f"{live_server.url}/refunds/{refund.pk}/label/").status == 404
    assert (refund.label_reference, refund.deduction) == ("", Decimal("0.00"))


def test_customer_service_picks_the_member_the_order_and_the_products(page, live_server, login):
    member, order = _member_with_a_two_product_order()
    cs = _customer_service("cs-c")
    cs.set_password("pass-word-123")
    cs.save()
    login("cs-c", admin=True)
    page.goto(f"{live_server.url}/admin/refunds/refund/request-for-member/")
    page.fill("input[name=member]", "Vera")
    page.click("input[value=Find]")
    assert "Vera Vip" in page.inner_text("[data-testid=chosen-member]")
    page.select_option("select[name=order]", "O-2")
    page.click("input[value='Show its products']")
    page.check("input[name=products][value=SLIM]")
    page.check("input[name=products][value=ACTIVE]")
    page.check("input[name=reason][value=satisfaction]")
    page.click("button[value=preview]")
    assert page.inner_text("[data-testid=quote-amount]") == "183.85"
    _shot(page, "customer-service-quote")
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")
    refund = Refund.objects.get()
    assert (refund.channel, refund.requested_by, refund.status, refund.skus) == (
        "customer_service",
        cs,
        RefundStatus.REQUESTED,
        "SLIM, ACTIVE",
    )
    assert page.url.endswith(f"/admin/refunds/refund/{refund.pk}/change/")
