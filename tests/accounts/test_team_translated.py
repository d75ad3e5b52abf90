"""My team in Spanish and Canadian French: the tree, a level of it, search, the downline report (with a
filter, as of a past day, with bad input) read whole by ``english_left`` (tests/english.py), only the
members' names allowed. The CSV export stays English (docs/decisions.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings

from accounts.models import Account, AccountStatus, SponsorChangeReason
from accounts.services import sponsor_change
from plexus_office import clock
from tests.english import english_left
from tests.factories import (
    TODAY,
    AmbassadorFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    SubscriptionFactory,
    UserFactory,
    VipCustomerFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["es", "fr-ca"]
NAMES = ("Ann Leader", "Ben Builder", "Cora Customer", "Dan Donor", "Eve Lead", "Gil Gone")


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen_at(TODAY):
        yield


@pytest.fixture
def team():
    """Ann > Ben > (Cora with a paused subscription, Dan, Gil cancelled); Ann > Eve (a lead placed
    with Ann); Ben and Cora ordered this month; Dan never ordered (inactive: Ann may ask to clear him)."""
    ann = AmbassadorFactory(number=1001, name="Ann Leader", user=UserFactory(username="ann"),
                            enrolled_on=date(2020, 1, 1))  # fmt: skip
    ben = AmbassadorFactory(number=2001, name="Ben Builder", sponsor=ann, enrolled_on=date(2024, 1, 1))
    cora = VipCustomerFactory(number=3001, name="Cora Customer", sponsor=ben, enrolled_on=date(2024, 6, 1))
    VipCustomerFactory(number=3002, name="Dan Donor", sponsor=ben, enrolled_on=date(2024, 6, 1))
    VipCustomerFactory(number=3003, name="Gil Gone", sponsor=ben, enrolled_on=date(2024, 6, 1),
                       status=AccountStatus.CANCELLED)  # fmt: skip
    eve = VipCustomerFactory(
        number=4001, name="Eve Lead", sponsor=Account.objects.get(number=2), enrolled_on=date(2024, 7, 1)
    )
    sponsor_change(account=eve, new_sponsor=ann, reason=SponsorChangeReason.LEAD_PLACEMENT, actor=None,
                   on=date(2024, 8, 1))  # fmt: skip
    SubscriptionFactory(account=cora, status="paused")
    slim = ProductFactory(sku="SLIM", price=Decimal("89.95"), pv=60)
    for account in (cora, ben):
        order = OrderFactory(ref=f"O-{account.number}", account=account, ordered_on=TODAY.replace(day=1))
        OrderLineFactory(order=order, product=slim, qty=1, unit_price=Decimal("89.95"), pv=60)
    return ann


@pytest.fixture
def ann_in(client, team):
    """Ann signed in, her language saved on her account (no cookie: the account's language is used)."""

    def sign_in(language: str):
        Account.objects.filter(pk=team.pk).update(preferred_language=language)
        client.force_login(team.user)
        return client

    return sign_in


def _page(client, url: str, params: dict | None = None, status: int = 200) -> str:
    response = client.get(url, params or {})
    assert response.status_code == status
    return response.content.decode()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_tree_page_has_no_english_left(ann_in, language):
    body = _page(ann_in(language), "/team/")

    assert f'<html lang="{language}">' in body
    assert 'data-testid="node-2001"' in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_level_of_the_tree_has_no_english_left(ann_in, language):
    body = _page(ann_in(language), "/team/children/2001/", {"level": "2"})

    assert ('data-testid="node-3001"' in body, 'data-testid="node-3003"' in body) == (True, True)
    expected = {"es": "suscripción: en pausa", "fr-ca": "abonnement\u00a0: suspendu"}[language]
    assert expected in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_search_with_the_path_has_no_english_left(ann_in, language):
    body = _page(ann_in(language), "/team/", {"q": "gil"})

    expected = {"es": "Gil Gone (#3003), nivel 2, cancelado", "fr-ca": "Gil Gone (n° 3003), niveau 2, annulé"}
    assert expected[language] in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_search_matching_no_one_gives_the_day_in_the_language(ann_in, language):
    body = _page(ann_in(language), "/team/", {"q": "Nobody", "as_of": "2025-03-10"})

    assert {"es": "10 de marzo de 2025", "fr-ca": "10 mars 2025"}[language] in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_with_a_filter_has_no_english_left(ann_in, language):
    body = _page(ann_in(language), "/team/report/", {"kind": "vip_customer", "activity": "inactive"})

    assert 'data-testid="row-3002"' in body and 'data-testid="row-3001"' not in body
    assert 'data-testid="clear-3002"' in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_as_of_a_past_day_has_no_english_left(ann_in, language):
    body = _page(ann_in(language), "/team/report/", {"as_of": "2024-07-15", "sort": "-name"})

    assert 'data-testid="row-2001"' in body and 'data-testid="row-4001"' not in body
    assert {"es": "15 de julio de 2024", "fr-ca": "15 juillet 2024"}[language] in body
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_report_cell_carries_its_translated_column_label(ann_in, language):
    body = _page(ann_in(language), "/team/report/")

    labels = {"es": ('data-label="Volumen de grupo"', 'data-label="Forma de ingreso"'),
              "fr-ca": ('data-label="Volume de groupe"', 'data-label="Mode d’arrivée"')}  # fmt: skip
    assert all(body.count(label) == 5 for label in labels[language])  # one per member row
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_bad_report_input_is_named_and_explained_in_the_language(ann_in, language):
    body = _page(
        ann_in(language),
        "/team/report/",
        {"as_of": "3000-01-01", "level": "x", "kind": "partner", "activity": "busy", "sort": "mood"},
        status=400,
    )

    expected = {
        "es": ["Fecha: el 1 de enero de 3000 está fuera del rango", "Nivel: se esperaba un número entero",
               "Tipo: &#x27;partner&#x27; no es un valor permitido", "Orden: la columna &#x27;mood&#x27;"],
        "fr-ca": ["Date\u00a0: le 1 janvier 3000 est hors de la plage", "Niveau\u00a0: un nombre entier",
                  "Type\u00a0: &#x27;partner&#x27; ne fait pas partie",
                  "Tri\u00a0: la colonne &#x27;mood&#x27;"],
    }[language]  # fmt: skip
    assert [text for text in expected if text not in body] == []
    assert english_left(body, allow=NAMES) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_csv_export_stays_english_in_every_language(ann_in, language):
    response = ann_in(language).get("/team/report/", {"format": "csv"})

    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert lines[0].split(",")[:5] == ["Level", "Number", "Name", "Kind", "Status"]
    assert lines[1].startswith("1,2001,Ben Builder,ambassador,active,1001,")
    assert lines[1].endswith(",personal")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_read_only_tree_has_no_english_left(client, team, language):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    body = _page(client, f"/team/staff/{team.number}/")

    assert {"es": "solo lectura", "fr-ca": "lecture seule"}[language] in body
    assert english_left(body, allow=NAMES) == []


def test_the_detector_finds_the_english_of_the_english_report(ann_in):
    body = _page(ann_in("en"), "/team/report/")

    assert "Leads placed with me" in english_left(body, allow=NAMES)
