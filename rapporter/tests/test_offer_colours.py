"""Offers coloured on the pages (issue 13, item 4): live, provisional colours on the provider and
offer pages, computed by the compile's own scorecards; the offer's colours in the newest published
report; the report page's offers per provider; the PDF's yellow and red offers per comparable
group; the "Tilbud" table. Versions compiled before offers were coloured still render."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from conftest import client_for
from kvalitet.models import Outcome
from kvalitet.periods import HalfYear
from leverandoer.tests import factories as provider_factories
from rapporter import exports, live, services
from rapporter.tests.test_versions import _publish, old_version  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

H1 = HalfYear(2025, 1)
WEAK_EFFECT = "Tilbud O-WEAK: 20,0 % ude af offentlig forsørgelse (n = 100; 90 %-interval"  # the interval follows
WEAK_GROUP = "mod 50,0 % for de 3 øvrige tilbud i den sammenlignelige gruppe (3 leverandører, n = 300)"


def outcomes(offer, *, off: int, n: int, follow_up_on: date = date(2025, 3, 1)) -> None:
    Outcome.objects.bulk_create(
        Outcome(
            offer=offer,
            citizen_ref=f"B-{offer.ref}-{number}",
            course_start=date(2024, 6, 1),
            course_end=date(2024, 9, 1),
            months_after=6,
            follow_up_on=follow_up_on,
            off_public_support=number < off,
        )
        for number in range(n)
    )


@pytest.fixture
def today(monkeypatch):
    """The live half-year is fixed: 15 May 2025 lies in 2025-H1."""
    monkeypatch.setattr(live.timezone, "localdate", lambda: date(2025, 5, 15))


@pytest.fixture
def weak():
    """An offer red on effect: 20 of 100 off public support, against 50 % for its group's three
    other offers (of three other providers)."""
    provider = provider_factories.provider(ref="LEV-0300", name="Svag ApS")
    provider_factories.agreement(provider=provider)
    offer = provider_factories.offer(ref="O-WEAK", name="Svagt forløb", provider=provider)
    outcomes(offer, off=20, n=100)
    for number in range(3):
        peer = provider_factories.offer(ref=f"O-PEER-{number}", name=f"Stærkt forløb {number}")
        outcomes(peer, off=50, n=100)
    return offer


# --- The provider page: live, provisional -----------------------------------------------------


def test_the_provider_page_shows_live_provisional_colours_with_reasons(cm_client, today, weak):
    text = cm_client.get(weak.provider.get_absolute_url()).content.decode()
    assert "Farver, 1. halvår 2025" in text
    assert "Foreløbig, ikke godkendt: 1. halvår 2025" in text
    assert "Effekt: <strong>Rød</strong>" in text
    assert "Klager: <strong>Grøn</strong>" in text
    assert "Foreslået scenarie: 3" in text
    assert "Rød: effekt." in text
    # Per offer: its five colours in words, with reasons.
    assert (
        "Svagt forløb (O-WEAK): klager grøn, brugerundersøgelser ingen farve, sagsbehandling ingen farve, "
        "effekt rød, tilsyn ingen farve"
    ) in text
    assert WEAK_EFFECT in text
    assert WEAK_GROUP in text
    assert "Måles for leverandøren, ikke pr. tilbud: Klager: 0, heraf med medhold: 0; grøn op til 0." in text


def test_the_live_colours_are_the_compiles(personas, today, weak):
    """The same scorecards: the live panel and a compiled version of the half-year agree."""
    report = services.compile_now(period=H1, by=personas["contract_manager"])
    row = next(row for row in report.data["providers"] if row["provider_ref"] == "LEV-0300")
    panel = live.provider_colours(provider=weak.provider)
    assert [entry["colour"] for entry in panel["tracks"]] == [row["tracks"][t]["colour"] for t in row["tracks"]]
    assert panel["scenario"] == row["proposed_scenario"] == 3
    compiled = row["offers"][0]["tracks"]
    assert [entry["colour"] for entry in panel["offers"][0]["tracks"]] == [compiled[t]["colour"] for t in compiled]


@pytest.mark.parametrize("persona", ["inspector_a", "secretariat", "caseworker", "anonymous"])
def test_only_the_staff_see_the_live_colours(client, personas, today, weak, persona):
    response = client_for(client, personas[persona]).get(weak.provider.get_absolute_url())
    assert response.status_code in (302, 403)
    assert "Foreløbig, ikke godkendt" not in response.content.decode()


@pytest.mark.parametrize("others", [2, 20])
def test_the_live_colours_query_count_does_not_grow_with_providers(
    cm_client, django_assert_max_num_queries, today, others
):
    provider = provider_factories.provider()
    for _n in range(3):
        outcomes(provider_factories.offer(provider=provider), off=3, n=10)
    for _n in range(others):
        other = provider_factories.provider()
        for _m in range(2):
            outcomes(provider_factories.offer(provider=other), off=5, n=10)
    # The page's own 21 and 29 for the live colours: 50 at 2 and at 20 other providers alike.
    with django_assert_max_num_queries(51):
        assert cm_client.get(provider.get_absolute_url()).status_code == 200


# --- The offer page: live, and as published ---------------------------------------------------


def test_the_offer_page_shows_its_live_and_its_published_colours(cm_client, personas, monkeypatch, weak):
    manager = personas["contract_manager"]
    _publish(services.compile_now(period=H1, by=manager))
    services.compile_now(period=H1, by=manager)  # version 2, a draft: decides nothing
    monkeypatch.setattr(live.timezone, "localdate", lambda: date(2025, 9, 15))  # 2025-H2: no data yet
    text = cm_client.get(weak.get_absolute_url()).content.decode()
    assert "Tilbuddets farver" in text
    assert "Foreløbig, ikke godkendt: 2. halvår 2025" in text
    assert "Effekt: <strong>Ingen farve</strong>" in text
    assert "I den offentliggjorte kvalitetsrapport 2025-H1, version 1" in text
    assert "Effekt: <strong>Rød</strong>" in text
    assert WEAK_EFFECT in text


def test_an_offer_never_published_says_so(cm_client, today, weak):
    text = cm_client.get(weak.get_absolute_url()).content.decode()
    assert "Ingen offentliggjort kvalitetsrapport har endnu farver for dette tilbud." in text
    assert "Effekt: <strong>Rød</strong>" in text  # live


# --- The report: its page, the PDF, the tables -------------------------------------------------


def _pdf_words(response) -> str:
    content = b"".join(response.streaming_content)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_the_report_page_lists_every_providers_offers_with_colours(client, personas, weak):
    report = services.compile_now(period=H1, by=personas["contract_manager"])
    _publish(report)
    for persona in ("contract_manager", "secretariat"):
        text = client_for(client, personas[persona]).get(report.get_absolute_url()).content.decode()
        assert "Tilbud pr. leverandør" in text
        assert "Svag ApS (LEV-0300): 1 tilbud" in text
        assert "Tilbud hos Svag ApS × spor" in text
        assert WEAK_EFFECT in text


def test_the_pdf_lists_the_yellow_and_red_offers_per_comparable_group(cm_client, personas, weak):
    report = services.compile_now(period=H1, by=personas["contract_manager"])
    words = _pdf_words(cm_client.get(reverse("rapporter:report_pdf", args=[report.period, report.version])))
    assert "Tilbud med gule eller røde farver" in words
    assert "Mentorforløb – Jobparate ledige" in words
    assert "Svagt forløb (O-WEAK) – Svag ApS (LEV-0300)" in words
    assert "Effekt (rød): " + WEAK_EFFECT in words
    assert "Stærkt forløb 0 (O-PEER-0)" not in words  # green everywhere: not listed


def test_the_offers_table_has_every_offers_five_colours(cm_client, personas, weak):
    report = services.compile_now(period=H1, by=personas["contract_manager"])
    args = [report.period, report.version, "offers"]
    response = cm_client.get(reverse("rapporter:report_export_csv", args=args))
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Reference;Leverandør;Tilbudsreference;Tilbud;Tilbudstype;Målgruppe;Henvisning;"
        "klager;Begrundelse: klager;brugerundersøgelser;Begrundelse: brugerundersøgelser;"
        "sagsbehandling;Begrundelse: sagsbehandling;effekt;Begrundelse: effekt;tilsyn;Begrundelse: tilsyn"
    )
    assert len(lines) == 5  # the weak offer and its three peers' offers
    weak_row = next(row for row in csv.reader(lines, delimiter=";") if row[2] == "O-WEAK")
    assert weak_row[:7] == [
        "LEV-0300",
        "Svag ApS",
        "O-WEAK",
        "Svagt forløb",
        "Mentorforløb",
        "Jobparate ledige",
        "Åben",
    ]
    assert weak_row[13] == "Rød"
    assert weak_row[14].startswith(WEAK_EFFECT)


def test_a_version_without_offers_renders_without_the_offers_sections(cm_client, old_version):  # noqa: F811
    args = [old_version.period, old_version.version]
    page = cm_client.get(old_version.get_absolute_url())
    assert page.status_code == 200
    assert "Tilbud pr. leverandør" not in page.content.decode()
    assert "Tilbud med gule eller røde farver" not in _pdf_words(
        cm_client.get(reverse("rapporter:report_pdf", args=args))
    )
    assert exports.tables(old_version)["offers"][1:] == []
