"""The language switcher: the page changes, the choice is saved on the account and used for emails."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Account
from plexus_office.platform.models import EmailOutbox
from plexus_office.platform.notifications import notify
from tests.factories import AmbassadorFactory, UserFactory


@pytest.mark.django_db
def test_switching_language_saves_it_and_the_next_email_uses_it(client):
    user = UserFactory(username="switcher")
    account = AmbassadorFactory(user=user)
    assert account.preferred_language == "en"
    client.force_login(user)
    response = client.post(reverse("set_language"), {"language": "fr-ca", "next": "/inbox/"})
    assert (response.status_code, response["Location"]) == (302, "/inbox/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr-ca"
    account.refresh_from_db()
    assert account.preferred_language == "fr-ca"
    assert "Boîte de réception" in client.get("/inbox/").content.decode()

    notify(
        recipient=account,
        event="accounts_membership_cancelled",
        context={"account": account, "reason": ""},
    )
    email = EmailOutbox.objects.get(account=account)
    assert email.subject == "Votre adhésion Plexus a été annulée"


@pytest.mark.django_db
def test_an_unknown_language_is_ignored(client):
    user = UserFactory(username="switcher2")
    account = AmbassadorFactory(user=user, preferred_language="es")
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert Account.objects.get(pk=account.pk).preferred_language == "es"


@pytest.mark.django_db
def test_anonymous_switch_sets_only_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/login/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert "Inicie sesión" in client.get("/login/").content.decode()
