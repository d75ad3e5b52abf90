"""The member page's service log: one timeline, newest first, filterable, paginated; staff notes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from operations.models import ContactNote
from operations.staff.service_log import service_log
from operations.staff.services import contact_note_add
from plexus_office.platform.errors import Refused
from plexus_office.platform.models import EmailOutbox

pytestmark = pytest.mark.django_db


def kinds(page) -> list[str]:
    return [row.kind for row in page.rows]


def test_the_log_holds_transitions_emails_inbox_and_sponsor_changes(company):
    log = service_log(account=company.owner)

    assert {"transition", "email", "inbox"} <= set(kinds(log))
    titles = [row.title for row in log.rows]
    assert any(f"Refund #{company.refund.pk}: authorize (requested → authorized)" in t for t in titles)
    assert log.counts["transition"] >= 1 and log.counts["email"] >= 1


def test_a_note_stays_on_the_timeline_newest_first_with_who_and_channel(company):
    note = contact_note_add(
        account=company.owner,
        channel="phone",
        text="Asked where her label is.",
        actor=company.users["returns"],
    )
    # Emails are stamped by the wall clock, the fixture's other rows by the frozen one: be the newest.
    ContactNote.objects.filter(pk=note.pk).update(created_at=timezone.now() + timedelta(days=1))

    top = service_log(account=company.owner).rows[0]

    assert (top.kind, top.title, top.who, top.detail) == (
        "note",
        "Phone call contact",
        "staff_returns",
        "Asked where her label is.",
    )


def test_filtering_by_kind_shows_only_that_kind(company):
    log = service_log(account=company.owner, kind="email")

    assert set(kinds(log)) == {"email"}
    assert len(log.rows) == EmailOutbox.objects.filter(account=company.owner).count()


def test_pages_cut_the_timeline_without_overlap(company):
    for i in range(5):
        contact_note_add(
            account=company.owner, channel="email", text=f"note {i}", actor=company.users["finance"]
        )
    first = service_log(account=company.owner, kind="note", per_page=3)
    second = service_log(account=company.owner, kind="note", page=2, per_page=3)

    assert [r.detail for r in first.rows] + [r.detail for r in second.rows] == [
        f"note {i}" for i in (4, 3, 2, 1, 0)
    ]
    assert (first.has_next, second.has_next) == (True, False)


@pytest.mark.parametrize(
    ("channel", "text", "field"),
    [("fax", "hello", "channel"), ("phone", "   ", "text"), ("phone", "x" * 5001, "text")],
)
def test_a_bad_note_is_refused_naming_the_field_and_nothing_is_written(company, channel, text, field):
    with pytest.raises(Refused) as refusal:
        contact_note_add(
            account=company.owner, channel=channel, text=text, actor=company.users["customer_service"]
        )

    assert refusal.value.field == field
    assert ContactNote.objects.count() == 0


def test_staff_add_a_note_from_the_member_page(company):
    client = Client()
    client.force_login(company.users["customer_service"])
    url = reverse("staff:member_note_add", args=[company.owner.number])

    response = client.post(url, {"channel": "chat", "text": "Explained the refund timeline."})

    assert response.status_code == 302
    note = ContactNote.objects.get()
    assert (note.account_id, note.channel, note.created_by.username) == (
        company.owner.pk,
        "chat",
        "staff_customer_service",
    )
    page = client.get(reverse("staff:member_detail", args=[company.owner.number])).content.decode()
    assert "Explained the refund timeline." in page


def test_an_email_body_is_on_the_page_behind_a_click(company):
    email = EmailOutbox.objects.filter(account=company.owner).exclude(body_text="").first()
    client = Client()
    client.force_login(company.users["finance"])

    page = client.get(
        reverse("staff:member_detail", args=[company.owner.number]) + "?kind=email"
    ).content.decode()

    assert "<summary>Show the email</summary>" in page
    assert email.body_text.splitlines()[0] in page


def test_the_member_page_shows_cards_without_the_token(company):
    client = Client()
    client.force_login(company.users["leads_ops"])

    page = client.get(reverse("staff:member_detail", args=[company.owner.number])).content.decode()

    assert "•••• 9876" in page
    assert company.card.token not in page
