"""Inbox entries are short HTML summaries in the recipient's language with relative links: from the
event's ``<event>.inbox.html`` when it has one, else the first paragraph of the email's text."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import override_settings

from plexus_office.platform.models import InboxEntry
from plexus_office.platform.notifications import notify, notify_many, notify_many_sql
from plexus_office.platform.selectors import inbox_page
from tests.factories import AccountFactory, AmbassadorFactory, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = '<img src=x onerror="alert(1)">'


def _pay_statement_item(recipient):
    context = {
        "period_on": "2026-02-01",
        "earnings": "1234.50",
        "reversals": "0.00",
        "carried_in": "0.00",
        "net_paid": "1234.50",
        "carried_forward": "0.00",
    }
    return {"recipient": recipient, "event": "accounts_pay_statement", "context": context, "link": "/pay/7/"}


def test_an_entry_is_a_summary_with_a_relative_link_in_the_recipients_language():
    member = AmbassadorFactory(preferred_language="es", name="Ana")
    entry = notify(
        recipient=member,
        event="accounts_membership_fee_reminder",
        context={"account": member, "due_on": date(2026, 4, 1), "fee": "99.00"},
        link="/account/membership/",
    ).inbox

    assert entry.summary == (
        "<p>Su cuota de membresía vence el 1 de abril de 2026. "
        '<a href="/account/membership/">Renovar en línea</a></p>'
    )
    assert "Su cuota de membresía de Plexus vence" in entry.title


def test_a_hostile_name_is_escaped_in_the_summary():
    sponsor = AmbassadorFactory()
    newcomer = AmbassadorFactory(name=HOSTILE)

    entry = notify(
        recipient=sponsor,
        event="accounts_enrollment_sponsor",
        context={"account": newcomer, "sponsor": sponsor},
        link="/",
    ).inbox

    assert HOSTILE not in entry.summary
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in entry.summary


def test_an_entry_written_in_bulk_gets_its_summary_on_first_display_in_the_recipients_language():
    member = AmbassadorFactory(preferred_language="fr-ca")
    notify_many(items=[_pay_statement_item(member)])

    [entry] = inbox_page(account=member)

    expected = (
        "<p>Votre relevé de commissions de février 2026 est prêt : 1\xa0234,50 versés. "
        '<a href="/pay/7/">Voir le relevé</a></p>'
    )
    assert (entry.summary, InboxEntry.objects.get(pk=entry.pk).summary) == (expected, expected)


@pytest.fixture
def event_without_summary(tmp_path, settings):
    """An event with only a subject and a text email (how another area's event looks before it adds
    its own summary template)."""
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "zz_plain.subject.txt").write_text("Plain notice")
    (emails / "zz_plain.txt").write_text(
        '{% extends "emails/base.txt" %}{% block content %}{{ who }} asked for it <b>now</b>: '
        "{{ site_url }}/leads/7/\n\nA second paragraph.{% endblock %}"
    )
    templates = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    with override_settings(TEMPLATES=templates):
        yield "zz_plain"


def test_without_a_summary_template_the_first_paragraph_of_the_text_is_shown_escaped(event_without_summary):
    member = AccountFactory(name="Lee")

    entry = notify(
        recipient=member, event=event_without_summary, context={"who": HOSTILE}, link="/leads/7/"
    ).inbox

    assert entry.summary == (
        "<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt; asked for it &lt;b&gt;now&lt;/b&gt;: /leads/7/</p>"
    )


def test_the_inbox_page_shows_summaries_and_an_old_entry_as_escaped_text(client):
    user = UserFactory(username="inbox")
    member = AmbassadorFactory(user=user, preferred_language="en")
    notify_many(items=[_pay_statement_item(member)])
    InboxEntry.objects.create(account=member, event="old", title="Old notice", body=f"Hi {HOSTILE}", link="")
    client.force_login(user)

    page = client.get("/inbox/").content.decode()

    assert (
        '<div class="inbox-summary"><p>Your commission statement for February 2026 is ready: 1234.50 paid.'
        in page
    )
    assert "127.0.0.1" not in page
    assert HOSTILE not in page and "Hi &lt;img src=x" in page


@pytest.mark.postgres
def test_entries_written_by_sql_get_their_summary_on_first_display():
    member = AmbassadorFactory(preferred_language="es", email="ana@example.com")
    items_sql = (
        "SELECT %s::bigint AS account_id, %s::text AS email, %s::text AS name, %s::text AS event, "
        "%s::jsonb AS context, %s::text AS link"
    )
    context = '{"period_on": "2026-02-01", "earnings": "10.00", "reversals": "0.00", "carried_in": "0.00", "net_paid": "10.00", "carried_forward": "0.00"}'  # noqa: E501
    params = [member.pk, member.email, member.name, "accounts_pay_statement", context, "/pay/7/"]

    assert notify_many_sql(items_sql=items_sql, params=params, events={"accounts_pay_statement"}) == 1
    assert connection.vendor == "postgresql"

    [entry] = inbox_page(account=member)
    assert entry.summary == (
        "<p>Su estado de comisiones de febrero de 2026 está listo: se pagaron 10,00. "
        '<a href="/pay/7/">Ver el estado de cuenta</a></p>'
    )
