"""Leads in Spanish and Canadian French: the correction page, the dashboard panel, refusals, emails.

Pages are read whole by ``english_left`` (tests/english.py), only people's names allowed. Placement
emails go out in each reader's language: the lead's in the lead's, the sponsor's in the sponsor's, on
SQLite (notify_many) and on PostgreSQL (the set-based _placements_notify_sql) alike.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from accounts.models import Account
from leads.models import SponsorCorrection
from leads.services import (
    leads_assign,
    sponsor_correction_approve,
    sponsor_correction_reject,
    sponsor_correction_request,
)
from plexus_office import clock
from plexus_office.platform.models import EmailOutbox, InboxEntry
from plexus_office.platform.rendering import render_deferred_email, render_deferred_entries
from tests.english import english_left
from tests.factories import AmbassadorFactory, UserFactory
from tests.leads.builders import AS_OF, lead, qualified_sponsor

pytestmark = pytest.mark.django_db

LANGUAGES = ["es", "fr-ca"]
OTHER = {"es": "fr-ca", "fr-ca": "es"}
# The corporate account is named "Corporate Sponsor \"2\"": a name, like the people's.
NAMES = ("Sue Sponsor", "Lee Lead", "Max Meant", "Nia New", "Oli Owner", 'Corporate Sponsor "2"')


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(AS_OF):  # Tuesday 2026-03-10
        yield


@pytest.fixture
def staff():
    return UserFactory(username="cs-anna", is_staff=True, is_superuser=True)


def _signed_in(client, account: Account, language: str) -> None:
    user = UserFactory(username=f"m{account.number}")
    Account.objects.filter(pk=account.pk).update(user=user, preferred_language=language)
    client.force_login(user)


def _rendered(event_prefix: str) -> tuple[list[EmailOutbox], list[InboxEntry]]:
    """Every email and inbox entry of the Leads events, rendered as when sent and first shown."""
    emails = list(EmailOutbox.objects.filter(event__startswith=event_prefix).select_related("account"))
    for row in emails:
        render_deferred_email(row)
    entries = list(InboxEntry.objects.filter(event__startswith=event_prefix).select_related("account"))
    render_deferred_entries(entries)
    return emails, entries


def _panel(body: str) -> str:
    match = re.search(r'<section[^>]*data-testid="leads-panel".*?</section>', body, re.S)
    assert match, "no leads panel"
    return match.group(0)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_correction_page_with_past_requests_has_no_english_left(client, staff, language):
    AmbassadorFactory(number=1002, name="Max Meant")
    member = lead(5001, listed=date(2026, 3, 1), name="Lee Lead")
    first = sponsor_correction_request(account=member, sponsor_number=1002, actor=None)
    sponsor_correction_reject(correction=first, actor=staff, note="—")
    sponsor_correction_request(account=member, sponsor_number=1002, actor=None)
    _signed_in(client, member, language)

    body = client.get("/leads/correction/").content.decode()

    assert f'<html lang="{language}">' in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_correction_form_sent_empty_shows_a_translated_error_summary(client, language):
    member = lead(5001, listed=date(2026, 3, 1), name="Lee Lead")
    _signed_in(client, member, language)

    response = client.post("/leads/correction/", {"sponsor_number": ""})
    body = response.content.decode()

    assert response.status_code == 400 and "data-error-summary" in body
    assert english_left(body, allow=NAMES) == []
    assert SponsorCorrection.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "la cuenta 777 no se puede elegir como su patrocinador; confirme el número con esa persona"),
        (
            "fr-ca",
            "le compte 777 ne peut pas être choisi comme parrain; "
            "vérifiez le numéro auprès de cette personne",
        ),
    ],
)
def test_a_sponsor_that_cannot_be_chosen_is_refused_neutrally_in_the_language(client, language, expected):
    member = lead(5001, listed=date(2026, 3, 1), name="Lee Lead")
    _signed_in(client, member, language)

    response = client.post("/leads/correction/", {"sponsor_number": "777"})
    body = response.content.decode()

    assert response.status_code == 400 and expected in body
    assert english_left(body, allow=NAMES) == []
    assert SponsorCorrection.objects.count() == 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("case", ["not_placed", "open_request", "own_number", "not_a_number"])
def test_every_refusal_of_the_correction_form_is_translated(client, language, case):
    AmbassadorFactory(number=1002, name="Max Meant")
    if case == "not_placed":
        member = AmbassadorFactory(number=5001, name="Lee Lead", sponsor=AmbassadorFactory(name="Oli Owner"))
    else:
        member = lead(5001, listed=date(2026, 3, 1), name="Lee Lead")
    if case == "open_request":
        sponsor_correction_request(account=member, sponsor_number=1002, actor=None)
    _signed_in(client, member, language)
    number = {"own_number": "5001", "not_a_number": "abc"}.get(case, "1002")

    response = client.post("/leads/correction/", {"sponsor_number": number})
    body = response.content.decode()

    assert response.status_code == 400 and "data-error-summary" in body
    assert english_left(body, allow=NAMES) == []
    assert SponsorCorrection.objects.count() == (1 if case == "open_request" else 0)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "El Servicio al Cliente decidirá a más tardar el 12 de marzo de 2026."),
        ("fr-ca", "Le Service à la clientèle décidera au plus tard le 12 mars 2026."),
    ],
)
def test_a_sent_correction_request_is_confirmed_in_the_language(client, language, expected):
    AmbassadorFactory(number=1002, name="Max Meant")
    member = lead(5001, listed=date(2026, 3, 1), name="Lee Lead")
    _signed_in(client, member, language)

    response = client.post("/leads/correction/", {"sponsor_number": "1002"})

    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.endswith(expected)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_dashboard_panel_of_a_sponsor_with_leads_has_no_english_left(client, language):
    sponsor = qualified_sponsor(1001, name="Sue Sponsor")
    lead(5001, listed=date(2026, 2, 1), name="Lee Lead")
    leads_assign(as_of=AS_OF, actor=None)
    _signed_in(client, sponsor, language)

    panel = _panel(client.get("/").content.decode())

    assert "Lee Lead" in panel
    assert english_left(panel, allow=NAMES) == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("es", "rango pagado en enero de 2026: ninguno; en febrero de 2026: ninguno"),
        ("fr-ca", "rang payé en janvier 2026\u00a0: aucun; en février 2026\u00a0: aucun"),
    ],
)
def test_the_dashboard_panel_lists_what_is_missing_in_the_language(client, language, expected):
    ambassador = AmbassadorFactory(number=1001, name="Sue Sponsor")
    _signed_in(client, ambassador, language)

    panel = _panel(client.get("/").content.decode())

    assert expected in panel
    assert english_left(panel, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("placed", [False, True])
def test_the_dashboard_panel_of_a_lead_has_no_english_left(client, staff, language, placed):
    qualified_sponsor(1001, name="Sue Sponsor")
    member = lead(5001, listed=date(2026, 2, 1) if placed else date(2026, 3, 1), name="Lee Lead")
    leads_assign(as_of=AS_OF, actor=None)
    AmbassadorFactory(number=1002, name="Max Meant")
    refused = sponsor_correction_request(account=member, sponsor_number=1002, actor=None)
    sponsor_correction_reject(correction=refused, actor=staff, note="—")
    _signed_in(client, member, language)

    panel = _panel(client.get("/").content.decode())

    assert english_left(panel, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_leads_email_and_inbox_entry_is_in_its_readers_language(staff, language):
    """Lee (the lead) reads ``language``; Sue, Max and Nia read the other one."""
    other = OTHER[language]
    qualified_sponsor(1001, name="Sue Sponsor", email="sue@example.com", preferred_language=other)
    lee = lead(
        5001, listed=date(2026, 2, 1), name="Lee Lead", email="lee@example.com", preferred_language=language
    )
    leads_assign(as_of=AS_OF, actor=None)
    AmbassadorFactory(number=1002, name="Max Meant", email="max@example.com", preferred_language=other)
    nia = lead(
        5002, listed=date(2026, 3, 1), name="Nia New", email="nia@example.com", preferred_language=other
    )
    with translation.override("en"):  # staff decide in English
        sponsor_correction_approve(
            correction=sponsor_correction_request(account=lee, sponsor_number=1002, actor=None), actor=staff
        )
        sponsor_correction_reject(
            correction=sponsor_correction_request(account=nia, sponsor_number=1002, actor=None),
            actor=staff,
            note="—",
        )

    emails, entries = _rendered("leads_")

    assert sorted((e.account.number, e.event) for e in emails) == [
        (1001, "leads_correction_sponsor_lost"),
        (1001, "leads_new_leads"),
        (1002, "leads_correction_sponsor_gained"),
        (5001, "leads_correction_approved"),
        (5001, "leads_correction_submitted"),
        (5001, "leads_new_sponsor"),
        (5002, "leads_correction_rejected"),
        (5002, "leads_correction_submitted"),
    ]
    for email in emails:
        reader = language if email.account.number == 5001 else other
        assert f'lang="{reader}"' in email.body_html, email.event
        for text, html in ((email.subject, False), (email.body_text, False), (email.body_html, True)):
            assert english_left(text, allow=NAMES, html=html) == [], (email.event, text)
    assert len(entries) == len(emails)
    for entry in entries:
        assert english_left(f"{entry.title}\n{entry.body}", allow=NAMES, html=False) == [], entry.event


@pytest.mark.parametrize(
    ("lead_language", "sponsor_language", "lead_subject", "sponsor_subject"),
    [
        (
            "es",
            "fr-ca",
            "Le presentamos a su nuevo patrocinador de Plexus, Sue Sponsor",
            "2 nouveaux prospects placés dans votre lignée descendante",
        ),
        (
            "fr-ca",
            "es",
            "Voici votre nouveau parrain Plexus : Sue Sponsor",  # a subject is one line of plain spaces
            "2 nuevos prospectos asignados a su red descendente",
        ),
        (
            "en",
            "es",
            "Welcome to your new Plexus sponsor, Sue Sponsor",
            "2 nuevos prospectos asignados a su red descendente",
        ),
    ],
)
def test_placement_emails_go_out_in_the_leads_and_the_sponsors_own_languages(
    lead_language, sponsor_language, lead_subject, sponsor_subject
):
    qualified_sponsor(1001, name="Sue Sponsor", email="sue@example.com", preferred_language=sponsor_language)
    lead(
        5001,
        listed=date(2026, 2, 1),
        name="Lee Lead",
        email="lee@example.com",
        preferred_language=lead_language,
    )
    lead(
        5002,
        listed=date(2026, 2, 2),
        name="Nia New",
        email="nia@example.com",
        preferred_language=lead_language,
    )

    with translation.override("en"):  # the run starts from a command or the beat (English)
        leads_assign(as_of=AS_OF, actor=None)
    emails, entries = _rendered("leads_new_")

    subjects = {(e.account.number, e.subject) for e in emails}
    assert subjects == {(5001, lead_subject), (5002, lead_subject), (1001, sponsor_subject)}
    assert {(i.account.number, i.title) for i in entries} == subjects
