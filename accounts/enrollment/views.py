"""The public enrollment wizard (``/join/``, ``/join/<number>/``): no login, one step per page.

What the enrollee typed lives in their session between steps (never the card number or CVV: the
card step tokenizes at the gateway and keeps brand, last four and token; never the password: its
hash). The last step calls ``enrollment_submit`` with the session's idempotency key, so a double
submit or a reload gives one account and one charge.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters

from accounts.enrollment.api import EnrollmentThrottle
from accounts.enrollment.forms import DetailsForm, EnrollmentCardForm, KindForm, SponsorForm
from accounts.enrollment.rules import email_in_use
from accounts.enrollment.services import (
    EnrollmentRequest,
    OrderLineInput,
    clean_profile,
    enrollment_card_tokenize,
    enrollment_finished,
    enrollment_quote,
    enrollment_sponsor,
    enrollment_submit,
    membership_fee,
)
from accounts.forms import apply_errors
from accounts.models import CORPORATE_SPONSOR_NUMBER, Account, EnrollmentChannel, Product
from accounts.validation import US_STATES
from plexus_office import clock
from plexus_office.platform.errors import Refused
from plexus_office.platform.gateway import CardToken

SESSION = "enrollment"
DONE = "enrollment_done"
STEPS = ["kind", "sponsor", "details", "products", "card", "review"]
STEP_LABELS = {
    "kind": _("Membership"),
    "sponsor": _("Sponsor"),
    "details": _("Your details"),
    "products": _("Products"),
    "card": _("Payment"),
    "review": _("Review"),
}


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(SESSION)
    if not state:
        state = {"key": secrets.token_urlsafe(24)}
        request.session[SESSION] = state
    return state


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[SESSION] = state
    request.session.modified = True


def _first_missing(state: dict[str, Any]) -> str | None:
    needs = {
        "kind": "kind",
        "sponsor": "sponsor_confirmed",
        "details": "details",
        "products": "products",
        "card": "card",
    }
    for step, key in needs.items():
        if key not in state:
            return step
    return None


def _render(request: HttpRequest, step: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    state = _state(request)
    sponsor = None
    if state.get("sponsor_number") and state.get("sponsor_number") != CORPORATE_SPONSOR_NUMBER:
        sponsor = Account.objects.filter(number=state["sponsor_number"]).first()
    base = {
        "step": step,
        "steps": [(s, STEP_LABELS[s]) for s in STEPS],
        "state": state,
        "sponsor": sponsor,
        "kind_label": dict(KindForm.base_fields["kind"].choices).get(state.get("kind", ""), ""),  # type: ignore[attr-defined]
    }
    return render(request, f"enrollment/{step}.html", {**base, **context}, status=status)


def _guard(request: HttpRequest, step: str) -> HttpResponse | None:
    """Steps go in order: a later step asked for too early sends the enrollee to the first missing one."""
    missing = _first_missing(_state(request))
    if missing is not None and STEPS.index(missing) < STEPS.index(step):
        return redirect("enrollment:step", step=missing)
    return None


def start(request: HttpRequest, number: int | None = None) -> HttpResponse:
    """``/join/`` starts afresh; ``/join/<number>/`` is an ambassador's personal enrollment link."""
    request.session.pop(SESSION, None)
    state = _state(request)
    if number is not None:
        try:
            sponsor = enrollment_sponsor(number)
        except Refused:
            state["link_problem"] = number
        else:
            state["sponsor_number"] = sponsor.number
            state["from_link"] = True
    _save(request, state)
    return redirect("enrollment:step", step="kind")


def step(request: HttpRequest, step: str) -> HttpResponse:
    handlers = {
        "kind": _kind,
        "sponsor": _sponsor,
        "details": _details,
        "products": _products,
        "card": _card,
        "review": _review,
    }
    handler = handlers.get(step)
    if handler is None:
        return redirect("enrollment:step", step="kind")
    guarded = _guard(request, step)
    return guarded or handler(request)


def _kind(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    form = KindForm(request.POST or None, initial={"kind": state.get("kind")})
    if request.method == "POST" and form.is_valid():
        state["kind"] = form.cleaned_data["kind"]
        state.pop("products", None)  # the fee and the offer differ by kind
        _save(request, state)
        return redirect("enrollment:step", step="sponsor")
    return _render(request, "kind", {"form": form}, status=400 if request.method == "POST" else 200)


def _sponsor(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    form = SponsorForm(request.POST or None, initial={"sponsor_number": state.get("sponsor_number")})
    candidate = None
    if request.method == "POST":
        action = request.POST.get("action", "lookup")
        if action == "none":
            state.update(sponsor_number=CORPORATE_SPONSOR_NUMBER, sponsor_confirmed=True)
            _save(request, state)
            return redirect("enrollment:step", step="details")
        if form.is_valid():
            number = form.cleaned_data["sponsor_number"]
            if number is None or number == CORPORATE_SPONSOR_NUMBER:
                form.add_error(
                    "sponsor_number",
                    gettext(
                        "Enter your sponsor's account number, or choose \u201cI don't have a sponsor\u201d."
                    ),
                )
            else:
                try:
                    candidate = enrollment_sponsor(number)
                except Refused as refusal:
                    form.add_error("sponsor_number", _sponsor_message(refusal, number))
                else:
                    if action == "confirm":
                        state.update(sponsor_number=candidate.number, sponsor_confirmed=True)
                        _save(request, state)
                        return redirect("enrollment:step", step="details")
        status = 400 if form.errors else 200
        return _render(request, "sponsor", {"form": form, "candidate": candidate}, status=status)
    if state.get("sponsor_number") and state["sponsor_number"] != CORPORATE_SPONSOR_NUMBER:
        candidate = Account.objects.filter(number=state["sponsor_number"]).first()
    return _render(request, "sponsor", {"form": form, "candidate": candidate})


def _sponsor_message(refusal: Refused, number: int) -> str:
    if refusal.code == "sponsor_not_found":
        return gettext("There is no account %(number)s. Check the number with your sponsor.") % {
            "number": number
        }
    return gettext("Account %(number)s cannot sponsor new members (only active Brand Ambassadors can).") % {
        "number": number
    }


@sensitive_post_parameters("password")
def _details(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    initial = {**state.get("details", {}), "shipping_same_as_mailing": True, "mailing_country": "US"}
    initial.update(state.get("details", {}))
    form = DetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("website"):
            # A bot filled the hidden field: nothing is kept, and it is told nothing useful.
            request.session.pop(SESSION, None)
            return HttpResponse(gettext("We could not process this enrollment."), status=400)
        email = data["email"].strip()
        try:
            profile = clean_profile(request.POST.dict(), phone=data.get("phone", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
            profile = {}
        if email_in_use(email, day=clock.today()):
            form.add_error(
                "email",
                gettext(
                    "This email address belongs to a live account. Sign in instead, or use another address."
                ),
            )
        try:
            validate_password(data["password"], user=User(username="new", email=email))
        except ValidationError as exc:
            form.add_error("password", exc.messages)
        if not form.errors:
            kept = {k: v for k, v in data.items() if k not in ("password", "website")}
            kept.update(profile)
            kept["email"] = email
            state["details"] = kept
            state["password_hash"] = make_password(data["password"])
            _save(request, state)
            return redirect("enrollment:step", step="products")
    return _render(
        request,
        "details",
        {"form": form, "us_states": US_STATES},
        status=400 if request.method == "POST" else 200,
    )


def _catalog() -> list[Product]:
    return list(Product.objects.order_by("name"))


def _lines_from(state: dict[str, Any], products: dict[int, Product]) -> list[OrderLineInput]:
    return [
        OrderLineInput(product=products[pk], qty=qty)
        for pk, qty in ((int(k), v) for k, v in state.get("products", {}).get("lines", {}).items())
        if pk in products
    ]


def _products(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    catalog = _catalog()
    chosen: dict[str, int] = dict(state.get("products", {}).get("lines", {}))
    subscribe = bool(state.get("products", {}).get("subscribe", state.get("kind") == "vip_customer"))
    errors: list[str] = []
    if request.method == "POST":
        chosen = {}
        for product in catalog:
            raw = request.POST.get(f"qty_{product.pk}", "0").strip() or "0"
            try:
                qty = int(raw)
            except ValueError:
                qty = -1
            if not 0 <= qty <= 10:
                errors.append(
                    gettext("%(product)s: choose a quantity from 0 to 10.") % {"product": product.name}
                )
            elif qty:
                chosen[str(product.pk)] = qty
        subscribe = request.POST.get("subscribe") == "on"
        if state.get("kind") == "vip_customer" and not chosen:
            errors.append(gettext("Choose at least one product for your first order."))
        if subscribe and not chosen:
            errors.append(gettext("A monthly subscription repeats your first order: choose its products."))
        if not errors:
            state["products"] = {"lines": chosen, "subscribe": subscribe}
            _save(request, state)
            return redirect("enrollment:step", step="card")
    rows = [{"product": p, "qty": chosen.get(str(p.pk), 0)} for p in catalog]
    lines = [OrderLineInput(product=p, qty=chosen[str(p.pk)]) for p in catalog if str(p.pk) in chosen]
    quote = enrollment_quote(kind=state["kind"], lines=lines)
    return _render(
        request,
        "products",
        {
            "rows": rows,
            "subscribe": subscribe,
            "errors": errors,
            "quote": quote,
            "fee": membership_fee() if state["kind"] == "ambassador" else Decimal("0.00"),
            "shipping": quote.shipping
            if lines
            else enrollment_quote(kind="vip_customer", lines=[_any(catalog)]).shipping
            if catalog
            else Decimal("0.00"),
        },
        status=400 if errors else 200,
    )


def _any(catalog: list[Product]) -> OrderLineInput:
    return OrderLineInput(product=catalog[0], qty=1)


@sensitive_post_parameters("number", "cvv")
def _card(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    holder = state.get("details", {}).get("name", "")
    postal = state.get("details", {}).get("mailing_postal_code", "")
    form = EnrollmentCardForm(
        request.POST or None,
        initial={"exp_year": clock.today().year + 1, "holder_name": holder, "postal_code": postal},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token = enrollment_card_tokenize(
                number=data["number"],
                exp_month=data["exp_month"],
                exp_year=data["exp_year"],
                cvv=data["cvv"],
                holder_name=data["holder_name"],
                postal_code=data["postal_code"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            state["card"] = {
                "token": token.token,
                "brand": token.brand,
                "last4": token.last4,
                "exp_month": token.exp_month,
                "exp_year": token.exp_year,
                "holder_name": data["holder_name"].strip(),
                "postal_code": data["postal_code"].strip().upper(),
            }
            _save(request, state)
            return redirect("enrollment:step", step="review")
    return _render(request, "card", {"form": form}, status=400 if request.method == "POST" else 200)


def _request_of(state: dict[str, Any]) -> EnrollmentRequest:
    details = state["details"]
    products = {p.pk: p for p in _catalog()}
    return EnrollmentRequest(
        kind=state["kind"],
        sponsor_number=state.get("sponsor_number"),
        name=details["name"],
        email=details["email"],
        password="",
        password_hash=state["password_hash"],
        phone=details.get("phone", ""),
        address={k: v for k, v in details.items() if k.startswith(("mailing_", "shipping_"))},
        lines=_lines_from(state, products),
        subscribe=bool(state["products"].get("subscribe")),
    )


def _review(request: HttpRequest) -> HttpResponse:
    state = _state(request)
    done = enrollment_finished(state["key"])
    if done is not None:
        return _finish(request, done)
    enrollment = _request_of(state)
    quote = enrollment_quote(kind=enrollment.kind, lines=enrollment.lines)
    if request.method == "POST":
        if not EnrollmentThrottle().allow_request(request, None):  # type: ignore[arg-type]  # reads META only
            return _render(
                request,
                "review",
                {
                    "quote": quote,
                    "lines": enrollment.lines,
                    "error": gettext("Too many enrollments from your network; try again later."),
                },
                status=429,
            )
        card = state["card"]
        token = CardToken(card["token"], card["brand"], card["last4"], card["exp_month"], card["exp_year"])
        try:
            account = enrollment_submit(
                key=state["key"],
                request=enrollment,
                card=token,
                card_holder=card["holder_name"],
                card_postal_code=card["postal_code"],
                channel=EnrollmentChannel.WEB,
            )
        except Refused as refusal:
            return _refused(request, state, refusal)
        except ValidationError as exc:
            # Something changed since its step (e.g. a product left the catalog): back to that step.
            return _render(
                request,
                "review",
                {"quote": quote, "lines": enrollment.lines, "error": " ".join(exc.messages)},
                status=400,
            )
        return _finish(request, account)
    return _render(request, "review", {"quote": quote, "lines": enrollment.lines})


def _refused(request: HttpRequest, state: dict[str, Any], refusal: Refused) -> HttpResponse:
    """Show the refusal on the step that holds the field; that step's answer is asked again."""
    if refusal.field == "card":
        state.pop("card", None)
        _save(request, state)
        form = EnrollmentCardForm(
            initial={
                "exp_year": clock.today().year + 1,
                "holder_name": state["details"].get("name", ""),
                "postal_code": state["details"].get("mailing_postal_code", ""),
            }
        )
        form.is_bound = False
        return _render(request, "card", {"form": form, "card_error": refusal.message}, status=400)
    if refusal.field == "email":
        details_form = DetailsForm(initial=state["details"])
        return _render(
            request,
            "details",
            {"form": details_form, "us_states": US_STATES, "email_error": refusal.message},
            status=400,
        )
    if refusal.field == "sponsor":
        state.pop("sponsor_confirmed", None)
        _save(request, state)
        return _render(
            request,
            "sponsor",
            {
                "form": SponsorForm(initial={"sponsor_number": state.get("sponsor_number")}),
                "sponsor_error": refusal.message,
            },
            status=400,
        )
    return _render(request, "review", {"quote": None, "lines": [], "error": refusal.message}, status=400)


def _finish(request: HttpRequest, account: Account) -> HttpResponse:
    request.session[DONE] = account.pk
    request.session.pop(SESSION, None)
    return redirect("enrollment:done")


def done(request: HttpRequest) -> HttpResponse:
    pk = request.session.get(DONE)
    account = Account.objects.select_related("sponsor").filter(pk=pk).first() if pk else None
    if account is None:
        return redirect("enrollment:start")
    sponsor = None if account.sponsor is None or account.sponsor.is_corporate else account.sponsor
    return render(request, "enrollment/done.html", {"account": account, "sponsor": sponsor})
