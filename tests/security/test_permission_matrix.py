"""Every member URL and API endpoint x (anonymous, owner, another member, upline, each staff group).

The URL list comes from the resolver: a new URL that is not in ``MATRIX`` fails
``test_every_url_of_the_site_is_in_the_matrix``. Each row requests the owner's objects (her refund,
her card, her email-change link, her downline member) and expects an exact status per role; besides
the status, no one but the owner (and the staff who work her refund) gets a page that shows her
private contact data, and the owner's data is unchanged after everyone else has tried.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Account, PendingEmailChange, SavedCard
from tests.security.conftest import (
    EMAIL_TOKEN,
    OWNER_EMAIL,
    OWNER_PHONE,
    OWNER_STREET,
    ROLES,
    Company,
)

pytestmark = pytest.mark.django_db

LOGIN = "login"  # expected "redirect to the login page"
MEMBERS = ("owner", "other", "upline")
STAFF = ("customer_service", "returns", "finance", "leads_ops")
REFUND_STAFF = ("customer_service", "returns", "finance")


@dataclass(frozen=True)
class Row:
    method: str
    path: Callable[[Company], str]
    expected: dict[str, int | str]
    data: Callable[[Company], dict] = field(default=lambda c: {})
    # Roles other than the owner allowed to get a page showing the owner's private data.
    may_see_owner: tuple[str, ...] = ()


def roles(anonymous, members, staff, **overrides) -> dict[str, int | str]:
    table: dict[str, int | str] = {"anonymous": anonymous}
    table.update(dict.fromkeys(MEMBERS, members))
    table.update(dict.fromkeys(STAFF, staff))
    table.update(overrides)
    return table


def fixed(path: str) -> Callable[[Company], str]:
    return lambda c: path


def page(members=200, staff=403, method="GET", data=lambda c: {}, **overrides) -> Row:
    """A member_view page: login first, the member's own account, staff without one get a 403 page."""
    return Row(method, None, roles(LOGIN, members, staff, **overrides), data)  # type: ignore[arg-type]


def api(members=200, staff=404, method="GET", data=lambda c: {}, **overrides) -> Row:
    """An /api/v1/ endpoint: anonymous is refused (403: session auth first), staff have no account."""
    return Row(method, None, roles(403, members, staff, **overrides), data)  # type: ignore[arg-type]


def owner_card(c: Company) -> dict:
    return {"card": c.card.pk}


def at(path: Callable[[Company], str] | str, row: Row, may_see_owner: tuple[str, ...] = ()) -> Row:
    return Row(row.method, path if callable(path) else fixed(path), row.expected, row.data, may_see_owner)


MATRIX: dict[str, Row] = {
    # --- Account Services pages ----------------------------------------------------------------
    "": at("/", page()),
    "login/": at("/login/", Row("GET", None, roles(200, 302, 302), lambda c: {})),  # type: ignore[arg-type]
    "logout/": at("/logout/", Row("POST", None, roles(302, 302, 302))),  # type: ignore[arg-type]
    # The language switcher: anyone may choose a language (cookie; a member's is also saved).
    "language/": at("/language/", Row("POST", None, roles(302, 302, 302))),  # type: ignore[arg-type]
    "password/reset/": at("/password/reset/", Row("GET", None, roles(200, 200, 200))),  # type: ignore[arg-type]
    "password/reset/sent/": at("/password/reset/sent/", Row("GET", None, roles(200, 200, 200))),  # type: ignore[arg-type]
    # Someone else's uid with a made-up token: the "invalid link" page for everyone.
    "password/reset/<uidb64>/<token>/": at(
        lambda c: f"/password/reset/{urlsafe_base64_encode(force_bytes(c.owner.user_id))}/x-y/",
        Row("GET", None, roles(200, 200, 200)),  # type: ignore[arg-type]
    ),
    "password/reset/done/": at("/password/reset/done/", Row("GET", None, roles(200, 200, 200))),  # type: ignore[arg-type]
    "password/change/": at("/password/change/", Row("GET", None, roles(LOGIN, 200, 200))),  # type: ignore[arg-type]
    "password/change/done/": at("/password/change/done/", Row("GET", None, roles(LOGIN, 200, 200))),  # type: ignore[arg-type]
    "inbox/": at("/inbox/", page()),
    "inbox/read/": at("/inbox/read/", page(members=302, method="POST")),
    "account/personal/": at("/account/personal/", page()),
    "account/personal/current/": at("/account/personal/current/", page(members=302, method="POST")),
    "account/email/": at(
        "/account/email/",
        page(members=302, method="POST", data=lambda c: {"new_email": "someone.new@example.com"}),
    ),
    # The owner's confirmation link opened by someone else: 403, the owner's email unchanged.
    "account/email/confirm/<str:token>/": at(
        f"/account/email/confirm/{EMAIL_TOKEN}/", page(members=403, method="POST", owner=302)
    ),
    "account/cards/": at("/account/cards/", page()),
    "account/cards/add/": at(
        "/account/cards/add/",
        page(
            members=302,
            method="POST",
            data=lambda c: {
                "number": "5555555555554444",
                "exp_month": 11,
                "exp_year": 2031,
                "cvv": "321",
                "holder_name": "Card Holder",
                "postal_code": "85001",
            },
        ),
    ),
    # The owner's card id posted by someone else: the service refuses (redirect with a message; the
    # remove page answers 400 because the owner's card pays her subscription, or is not theirs).
    "account/cards/default/": at(
        "/account/cards/default/", page(members=302, method="POST", data=owner_card)
    ),
    "account/cards/remove/": at("/account/cards/remove/", page(members=400, method="POST", data=owner_card)),
    "account/cards/subscription/": at(
        "/account/cards/subscription/", page(members=302, method="POST", data=owner_card)
    ),
    "account/dropship/": at("/account/dropship/", page()),
    "account/cancel/": at("/account/cancel/", page()),
    "tools/library/newsletter/": at("/tools/library/newsletter/", page()),
    # --- My orders, Autoship, My pay (the owner's order and statements are hers alone) -------------
    "orders/": at("/orders/", page()),
    "orders/<str:ref>/": at(lambda c: f"/orders/{c.order.ref}/", page(members=404, owner=200)),
    "autoship/": at("/autoship/", page()),
    "pay/": at("/pay/", page()),
    "pay/<int:pk>/": at("/pay/999999/", page(members=404)),
    # --- Leads, Clearing, Refunds pages ---------------------------------------------------------
    "leads/correction/": at("/leads/correction/", page(staff=200)),
    "clearing/": at("/clearing/", page(staff=200)),
    # Quinn is in the owner's and the upline's downline, nobody else's.
    "clearing/request/<int:number>/": at(
        lambda c: f"/clearing/request/{c.quinn.number}/", page(other=404, staff=403)
    ),
    "refunds/": at("/refunds/", page(staff=404)),
    "refunds/sales/": at("/refunds/sales/", page(staff=404)),
    "refunds/<int:pk>/": at(
        lambda c: f"/refunds/{c.refund.pk}/",
        page(members=404, owner=200, staff=200, leads_ops=404),
        may_see_owner=REFUND_STAFF,
    ),
    "refunds/<int:pk>/label/": at(
        lambda c: f"/refunds/{c.refund.pk}/label/",
        page(members=404, owner=200, staff=200, leads_ops=404),
        may_see_owner=REFUND_STAFF,
    ),
    # --- My team (ambassadors; staff read-only through /team/staff/) -----------------------------
    "team/": at("/team/", page()),
    "team/report/": at("/team/report/", page()),
    # The owner sits below the upline: her level opens for her and the upline, "not found" for others.
    "team/children/<int:number>/": at(
        lambda c: f"/team/children/{c.owner.number}/", page(members=404, owner=200, upline=200, staff=403)
    ),
    "team/staff/<int:number>/": at(
        lambda c: f"/team/staff/{c.owner.number}/",
        Row("GET", None, roles(302, 302, 403, customer_service=200, leads_ops=200)),  # type: ignore[arg-type]
    ),
    "team/staff/<int:number>/children/<int:child>/": at(
        lambda c: f"/team/staff/{c.owner.number}/children/{c.owner.number}/",
        Row("GET", None, roles(302, 302, 403, customer_service=200, leads_ops=200)),  # type: ignore[arg-type]
    ),
    "team/staff/<int:number>/report/": at(
        lambda c: f"/team/staff/{c.owner.number}/report/",
        Row("GET", None, roles(302, 302, 403, customer_service=200, leads_ops=200)),  # type: ignore[arg-type]
    ),
    # --- Public API description ---------------------------------------------------------------
    # --- Staff second factor and API tokens (issue 13) -------------------------------------------
    # MFA is off in tests: staff may still open the enrolment page; members go to their dashboard.
    "admin/mfa/": at("/admin/mfa/", Row("GET", None, roles(302, 302, 200))),  # type: ignore[arg-type]
    "admin/mfa/recovery/": at("/admin/mfa/recovery/", Row("GET", None, roles(302, 302, 302))),  # type: ignore[arg-type]
    "api/v1/auth/token/": at("/api/v1/auth/token/", Row("POST", None, roles(401, 200, 403))),  # type: ignore[arg-type]
    "api/v1/auth/token/revoke/": at(
        "/api/v1/auth/token/revoke/",
        Row("POST", None, roles(401, 401, 401)),  # type: ignore[arg-type]
    ),
    "api/schema/": at("/api/schema/", Row("GET", None, roles(200, 200, 200))),  # type: ignore[arg-type]
    "api/docs/": at("/api/docs/", Row("GET", None, roles(200, 200, 200))),  # type: ignore[arg-type]
    # --- /api/v1/ ------------------------------------------------------------------------------
    "api/v1/me/": at("/api/v1/me/", api()),
    "api/v1/me/email/": at(
        "/api/v1/me/email/",
        api(members=202, method="POST", data=lambda c: {"new_email": "api.new@example.com"}),
    ),
    "api/v1/me/info-current/": at("/api/v1/me/info-current/", api(method="POST")),
    "api/v1/addresses/": at("/api/v1/addresses/", api()),
    "api/v1/cards/": at("/api/v1/cards/", api()),
    "api/v1/cards/<int:pk>/": at(lambda c: f"/api/v1/cards/{c.card.pk}/", api(members=404, owner=200)),
    "api/v1/cards/<int:pk>/default/": at(
        lambda c: f"/api/v1/cards/{c.card.pk}/default/", api(members=404, owner=200, method="POST")
    ),
    "api/v1/cards/<int:pk>/subscription/": at(
        lambda c: f"/api/v1/cards/{c.card.pk}/subscription/", api(members=404, owner=200, method="POST")
    ),
    "api/v1/newsletter/": at("/api/v1/newsletter/", api()),
    "api/v1/notifications/": at("/api/v1/notifications/", api()),
    "api/v1/notifications/read/": at("/api/v1/notifications/read/", api(method="POST")),
    "api/v1/flags/": at("/api/v1/flags/", api()),
    "api/v1/downline/": at("/api/v1/downline/", api()),
    "api/v1/team/tree/": at("/api/v1/team/tree/", api()),
    "api/v1/team/tree/<int:number>/": at(
        lambda c: f"/api/v1/team/tree/{c.owner.number}/", api(members=404, owner=200, upline=200)
    ),
    "api/v1/team/report/": at("/api/v1/team/report/", api()),
    "api/v1/orders/": at("/api/v1/orders/", api()),
    "api/v1/orders/<str:ref>/": at(lambda c: f"/api/v1/orders/{c.order.ref}/", api(members=404, owner=200)),
    # Only the owner has a subscription; hers has no next charge to skip (refused, nothing changes).
    "api/v1/subscription/": at("/api/v1/subscription/", api(members=404, owner=200)),
    "api/v1/subscription/<str:action>/": at(
        "/api/v1/subscription/skip/", api(members=404, owner=400, method="POST")
    ),
    "api/v1/pay/statements/": at("/api/v1/pay/statements/", api()),
    "api/v1/pay/statements/<int:pk>/": at("/api/v1/pay/statements/999999/", api(members=404)),
    "api/v1/leads/corrections/": at("/api/v1/leads/corrections/", api()),
    "api/v1/leads/qualification/": at("/api/v1/leads/qualification/", api()),
    "api/v1/clearing/": at("/api/v1/clearing/", api()),
    "api/v1/refunds/": at("/api/v1/refunds/", api()),
    # The owner's order quoted by someone else: "you have no order" (400), its existence undisclosed.
    "api/v1/refunds/quote/": at(
        "/api/v1/refunds/quote/",
        api(
            members=400,
            owner=200,
            method="POST",
            data=lambda c: {"order": c.order.ref, "skus": ["SLIM"], "reason": "money_back"},
        ),
    ),
    # --- Enrollment (public, no login) and Membership ------------------------------------------
    "join/": at("/join/", Row("GET", None, roles(302, 302, 302))),  # type: ignore[arg-type]
    # The owner's personal enrollment link: a redirect into the wizard for everyone.
    "join/<int:number>/": at(lambda c: f"/join/{c.owner.number}/", Row("GET", None, roles(302, 302, 302))),  # type: ignore[arg-type]
    "join/step/<str:step>/": at("/join/step/kind/", Row("GET", None, roles(200, 200, 200))),  # type: ignore[arg-type]
    "join/done/": at("/join/done/", Row("GET", None, roles(302, 302, 302))),  # type: ignore[arg-type]
    "api/v1/enrollments/": at("/api/v1/enrollments/", Row("POST", None, roles(400, 400, 400))),  # type: ignore[arg-type]
    "account/membership/": at("/account/membership/", page()),
    "account/membership/pay/": at("/account/membership/pay/", page(members=302, method="POST")),
    "account/membership/upgrade/": at("/account/membership/upgrade/", page(members=302, method="POST")),
}


def site_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every route of the site as written in the URLconfs (``refunds/<int:pk>/``), admin excluded."""
    out: list[str] = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/"):
                continue  # the admin is covered by the staff matrix in test_admin_matrix.py
            out.extend(site_routes(entry, route))
        elif isinstance(entry, URLPattern):
            out.append(route)
    return out


def test_every_url_of_the_site_is_in_the_matrix():
    routes = site_routes()

    assert sorted(set(routes) - set(MATRIX)) == []
    assert sorted(set(MATRIX) - set(routes)) == []


def _client_for(company: Company, role: str) -> Client:
    client = Client()
    user = company.users[role]
    if user is not None:
        client.force_login(user)
    return client


def _status(response) -> int | str:
    if response.status_code == 302 and response["Location"].startswith("/login/?next="):
        return LOGIN
    return response.status_code


def _owner_state(company: Company) -> tuple:
    owner = Account.objects.get(pk=company.owner.pk)
    cards = list(
        SavedCard.objects.filter(account=owner).order_by("id").values_list("id", "is_default", "removed_at")
    )
    pending = list(
        PendingEmailChange.objects.filter(account=owner).values_list("confirmed_at", "cancelled_at")
    )
    return (owner.email, owner.phone, owner.mailing_street, owner.info_reviewed_at, cards, pending)


@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: r or "dashboard")
def test_each_role_gets_exactly_the_expected_status_and_only_its_own_data(company, route):
    row = MATRIX[route]
    path = row.path(company)
    before = _owner_state(company)
    got: dict[str, int | str] = {}
    leaked: list[str] = []
    for role in ROLES:
        if role == "owner":
            # Nobody else changed anything of the owner's before she acts herself.
            assert _owner_state(company) == before
        client = _client_for(company, role)
        if row.method == "GET":
            response = client.get(path)
        else:
            is_api = path.startswith("/api/")
            response = (
                client.post(path, row.data(company), content_type="application/json")
                if is_api
                else (client.post(path, row.data(company)))
            )
        got[role] = _status(response)
        body = response.content.decode(errors="replace")
        if role != "owner" and role not in row.may_see_owner:
            leaked += [f"{role}: {m}" for m in (OWNER_EMAIL, OWNER_STREET, OWNER_PHONE, "9876") if m in body]

    assert got == row.expected
    assert leaked == []
