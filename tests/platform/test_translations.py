"""The translation catalogues are complete, and the translated pages and emails hold no English left."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

from plexus_office.platform.rendering import render_event
from tests.english import english_left
from tests.factories import AmbassadorFactory, UserFactory

CATALOGUES = sorted(po for path in settings.LOCALE_PATHS for po in Path(path).glob("*/LC_MESSAGES/django.po"))


def test_every_non_english_language_has_a_catalogue():
    locales = {path.parent.parent.name for path in CATALOGUES}
    assert locales == {"es", "fr_CA"}


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: f"{p.parent.parent.parent.name}-{p.parent.parent.name}")
def test_catalogue_has_no_untranslated_or_fuzzy_entry(po_path):
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    assert not catalog.fuzzy, f"{po_path}: the header is marked fuzzy"
    problems = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert not problems, f"{po_path}:\n" + "\n".join(problems)


# English sentences of the pages covered so far; none may remain in es or fr-CA.
LOGIN_ENGLISH = ["Sign in to your Back Office", "Forgot your password?", "Skip to content", ">Sign in<"]
MEMBER_ENGLISH = [
    "Virtual Office",
    "Account Services",
    "Personal Information",
    "Manage Cards",
    "Ship an order to someone else",
    "Cancel my membership",
    "Email Newsletter Signup",
    ">Log out<",
    ">Inbox",
    "No notifications",
    "Skip to content",
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr-ca"])
def test_login_page_has_no_english_left(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(reverse("login")).content.decode()
    assert f'<html lang="{language}">' in body
    assert [s for s in LOGIN_ENGLISH if s in body] == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr-ca"])
def test_member_layout_and_inbox_have_no_english_left(client, language):
    user = UserFactory(username="lang")
    AmbassadorFactory(user=user, preferred_language=language)
    client.force_login(user)  # no cookie: the language saved on the account is used
    body = client.get(reverse("account_inbox")).content.decode()
    assert f'<html lang="{language}">' in body
    assert [s for s in MEMBER_ENGLISH if s in body] == []


DASHBOARD_ENGLISH = [
    "Welcome back",
    "Your account",
    "Account number",
    "Commission qualified",
    "Your information is up to date",
    "My information is current",
    "No notifications yet",
    "Open the inbox",
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr-ca"])
def test_dashboard_has_no_english_left_in_the_account_panels(client, language):
    user = UserFactory(username="dash")
    AmbassadorFactory(user=user)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(reverse("dashboard")).content.decode()
    assert [s for s in DASHBOARD_ENGLISH + MEMBER_ENGLISH if s in body] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [("es", "Su membresía de Plexus fue cancelada"), ("fr-ca", "Votre adhésion Plexus a été annulée")],
)
def test_email_is_written_in_the_recipient_language(language, expected):
    recipient = AmbassadorFactory(preferred_language=language, name="Zoé")
    rendered = render_event(
        "accounts_membership_cancelled", {"recipient": recipient, "account": recipient, "reason": ""}
    )
    assert rendered.subject == expected
    for english in ("Hello", "was cancelled", "You are welcome back", "You receive this email"):
        assert english not in rendered.text and english not in rendered.html
    assert f'lang="{language}"' in rendered.html


PAGE_ENGLISH = {
    "account_personal": [
        "Mailing address",
        "Shipping address",
        "Save personal information",
        "Apartment / unit",
        "State / province",
        "Send confirmation link",
        "Last reviewed",
        "Change my password",
        "Stored in international format",
    ],
    "account_cards": ["No cards on file", "Add a card", "Card number", "Security code", "payment processor"],
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr-ca"])
@pytest.mark.parametrize("page", sorted(PAGE_ENGLISH))
def test_account_pages_have_no_english_left(client, language, page):
    user = UserFactory(username="pages")
    AmbassadorFactory(user=user, preferred_language=language)
    client.force_login(user)
    body = client.get(reverse(page)).content.decode()
    assert [s for s in PAGE_ENGLISH[page] + MEMBER_ENGLISH if s in body] == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr-ca"])
def test_login_page_reads_without_english_words(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    body = client.get(reverse("login")).content.decode()
    assert english_left(body, allow=("English",)) == []
