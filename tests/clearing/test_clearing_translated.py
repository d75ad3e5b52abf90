"""Clearing in Spanish and Canadian French: pages, form errors, refusals, emails and inbox entries.

Every page is read whole by ``english_left`` (tests/english.py), only the member names allowed. The
English words of the activity reasons stay exactly those of ``accounts.selectors`` (the operations
commands print them).
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import Account
from accounts.selectors import account_activity
from clearing.models import ClearRequest, ClearStatus
from clearing.reasons import activity_reason
from clearing.services import ClearRefused, clear_request_clear, clear_request_submit
from plexus_office.platform.models import EmailOutbox, InboxEntry
from plexus_office.platform.rendering import render_event
from tests.english import english_left
from tests.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ["es", "fr-ca"]
NAMES = ("Ann Upline", "Bob Active", "Cal Quiet", "Dee Boundary", "Eve Lapsed", "Fay Child", "Gus Grandchild")


def _section(body: str, testid: str) -> str:
    match = re.search(rf'<section[^>]*data-testid="{testid}".*?</section>', body, re.S)
    assert match, f"no {testid} section"
    return match.group(0)


@pytest.fixture
def ann_in(client, tree, today):
    """Ann signed in, her language saved on her account (no cookie: the account's language is used)."""

    def sign_in(language: str):
        Account.objects.filter(pk=tree.ann.pk).update(preferred_language=language)
        tree.ann.refresh_from_db()
        client.force_login(tree.ann.user)
        return client

    return sign_in


@pytest.fixture
def history(tree, staff, today):
    """Ann's requests in every state: cal cleared, eve rejected automatically (she ordered), gus open."""

    def build(language: str) -> None:
        Account.objects.filter(pk=tree.ann.pk).update(preferred_language=language)
        tree.ann.refresh_from_db()
        cleared = clear_request_submit(requester=tree.ann, member=tree.cal, actor=None)
        clear_request_clear(request=cleared, actor=staff)
        rejected = clear_request_submit(requester=tree.ann, member=tree.eve, actor=None)
        OrderFactory(account=tree.eve, ordered_on=date(2026, 3, 9))
        clear_request_clear(request=rejected, actor=staff)
        clear_request_submit(requester=tree.ann, member=tree.gus, actor=None)

    return build


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_search_page_with_every_kind_of_member_and_request_has_no_english_left(ann_in, history, language):
    history(language)
    body = ann_in(language).get(reverse("clearing:home")).content.decode()

    assert f'<html lang="{language}">' in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_automatic_rejection_note_is_written_in_the_requesters_language(tree, history, language):
    history(language)

    note = ClearRequest.objects.get(member=tree.eve).decision_note

    expected = {"es": "No se depuró: la cuenta", "fr-ca": "Retrait non effectué"}[language]
    assert note.startswith(expected) and english_left(note, html=False) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_search_with_a_bad_page_number_shows_a_translated_error_summary(ann_in, language):
    response = ann_in(language).get(reverse("clearing:home"), {"q": "x", "page": "0"})
    body = response.content.decode()

    assert response.status_code == 400
    assert "data-error-summary" in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_search_matching_no_one_has_no_english_left(ann_in, language):
    body = ann_in(language).get(reverse("clearing:home"), {"q": "Nobody"}).content.decode()

    assert "Nobody" in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_customer_reads_why_clearing_is_not_for_them_in_their_language(client, tree, language):
    user = UserFactory(username="cal")
    Account.objects.filter(pk=tree.cal.pk).update(user=user, preferred_language=language)
    client.force_login(user)

    body = client.get(reverse("clearing:home")).content.decode()

    assert 'data-testid="clearing-not-allowed"' in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("member", ["cal", "dee", "eve", "ida"])
def test_the_request_form_of_each_kind_of_member_has_no_english_left(ann_in, tree, language, member):
    number = getattr(tree, member).number

    body = ann_in(language).get(reverse("clearing:request", args=[number])).content.decode()

    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_request_form_without_confirmation_shows_the_error_in_the_language(ann_in, tree, language):
    response = ann_in(language).post(reverse("clearing:request", args=[tree.cal.number]), {"reason": "x"})
    body = response.content.decode()

    assert response.status_code == 400
    expected = {"es": "Confirmación: marque la casilla", "fr-ca": "Confirmation\u00a0: cochez la case"}[
        language
    ]
    assert expected in body and "data-error-summary" in body
    assert english_left(body, allow=NAMES) == []
    assert ClearRequest.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_refused_request_shows_the_rule_and_the_dates_in_the_language(ann_in, tree, language):
    response = ann_in(language).post(reverse("clearing:request", args=[tree.dee.number]), {"confirm": "on"})
    body = response.content.decode()

    assert response.status_code == 400
    # Dee ordered on 2025-03-10: active on the boundary of the 12 months.
    expected = {
        "es": "La cuenta %d está activa al 10 de marzo de 2026: hizo un pedido el 10 de marzo de 2025",
        "fr-ca": "Le compte %d est actif en date du 10 mars 2026\u00a0: commande passée le 10 mars 2025",
    }[language] % tree.dee.number
    assert expected in body
    assert english_left(body, allow=NAMES) == []
    assert ClearRequest.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_request_already_open_is_refused_in_the_language(ann_in, tree, language):
    clear_request_submit(requester=tree.ann, member=tree.cal, actor=None)

    response = ann_in(language).post(reverse("clearing:request", args=[tree.cal.number]), {"confirm": "on"})

    assert response.status_code == 400
    assert english_left(response.content.decode(), allow=NAMES) == []
    assert ClearRequest.objects.count() == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_sent_request_is_confirmed_in_the_language(ann_in, tree, language):
    client = ann_in(language)

    response = client.post(reverse("clearing:request", args=[tree.cal.number]), {"confirm": "on"})

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert english_left(message, allow=NAMES, html=False) == []
    assert {"es": "11 de marzo de 2026", "fr-ca": "11 mars 2026"}[language] in message


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_panel_has_no_english_left(ann_in, history, language):
    history(language)

    panel = _section(ann_in(language).get(reverse("dashboard")).content.decode(), "clearing-panel")

    assert english_left(panel, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_clearing_email_and_inbox_entry_is_in_the_recipients_language(tree, history, language):
    # The cleared member reads the other language; staff work in English: each email follows its reader.
    other = {"es": "fr-ca", "fr-ca": "es"}[language]
    Account.objects.filter(pk=tree.cal.pk).update(preferred_language=other)
    with translation.override("en"):
        history(language)

    emails = EmailOutbox.objects.filter(event__startswith="clearing_")
    entries = InboxEntry.objects.filter(event__startswith="clearing_")

    assert sorted(emails.values_list("event", flat=True)) == [
        "clearing_cleared",
        "clearing_member_cleared",
        "clearing_rejected",
        "clearing_submitted",
        "clearing_submitted",
        "clearing_submitted",
    ]
    for email in emails:
        assert f'lang="{other if email.event == "clearing_member_cleared" else language}"' in email.body_html
        for text, html in ((email.subject, False), (email.body_text, False), (email.body_html, True)):
            assert english_left(text, allow=NAMES, html=html) == [], (email.event, text)
    for entry in entries:
        assert english_left(f"{entry.title}\n{entry.body}", allow=NAMES, html=False) == [], entry.event


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_cleared_email_with_a_roll_up_to_the_corporate_sponsor_is_translated(tree, language):
    ann = Account.objects.get(pk=tree.ann.pk)
    ann.preferred_language = language
    request = ClearRequest(pk=7, kind="customer", status=ClearStatus.CLEARED, decision_note="")
    member = {"number": 42, "name": "Cal Quiet", "kind": "VIP"}

    for rolled_up, sponsor in ((1, None), (3, None), (2, {"number": 1, "name": "Bob Active"})):
        rendered = render_event(
            "clearing_cleared",
            {
                "recipient": ann,
                "request": request,
                "member": member,
                "rolled_up": rolled_up,
                "sponsor": sponsor,
            },
        )
        assert english_left(rendered.text, allow=NAMES, html=False) == []
        assert english_left(rendered.html, allow=NAMES) == []


@pytest.mark.parametrize("member", ["ann", "bob", "cal", "dee", "eve", "fay", "hal", "ida", "out"])
def test_the_activity_reason_in_english_is_the_verdicts_own(tree, today, member):
    account = getattr(tree, member)
    verdict = account_activity(account=account)

    with translation.override("en"):
        assert activity_reason(kind=account.kind, verdict=verdict) == verdict.reason


def test_the_refusal_of_the_operations_command_stays_english_with_iso_dates(tree, today):
    with translation.override(settings.LANGUAGE_CODE), pytest.raises(ClearRefused) as caught:
        clear_request_submit(requester=tree.ann, member=tree.dee, actor=None, as_of=today)

    assert caught.value.message.startswith(
        f"Account {tree.dee.number} is active as of 2026-03-10: ordered on 2025-03-10, within 12 months"
    )


def test_the_detector_finds_the_english_of_the_english_page(ann_in, history):
    history("en")
    body = ann_in("en").get(reverse("clearing:home")).content.decode()

    assert "Waiting for Customer Service" in english_left(body, allow=NAMES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_api_answers_an_unknown_and_an_outside_member_alike_in_the_language(tree, today, language):
    api = APIClient()
    api.force_authenticate(tree.ann.user)
    api.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    unknown = api.post("/api/v1/clearing/", {"member": 999999}, format="json").json()
    outside = api.post("/api/v1/clearing/", {"member": tree.out.number}, format="json").json()

    assert unknown["code"] == outside["code"] == "not_in_downline"
    assert unknown["detail"] == outside["detail"].replace(str(tree.out.number), "999999")
    assert english_left(unknown["detail"], html=False) == []
