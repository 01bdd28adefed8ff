"""A published half-year sets Table 1 in motion: the scenarios decided there open or raise follow-up
cases, scenario 4 stops referrals in the publishing transaction (before the PDF is rendered), and a
red survey colour opens or joins a case. The snapshot carries each provider's open case."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from conftest import client_for, make_user
from kvalitet.models import Complaint, SurveyResponse
from kvalitet.periods import HalfYear
from leverandoer.access import Role
from leverandoer.models import Provider
from leverandoer.tests import factories as provider_factories
from rapporter import services
from rapporter.models import Publication
from rapporter.pdf import render_pdf
from tilsyn import services as supervision
from tilsyn.models import CaseEvent, FollowUpCase, Measure

pytestmark = pytest.mark.django_db
H1 = HalfYear(2025, 1)


def _red_complaints(provider, n: int = 3) -> None:
    for number in range(n):
        Complaint.objects.create(
            ref=f"K-{provider.ref}-{number}",
            provider=provider,
            kind="formality",
            received_on=date(2025, 1, 5),
            decision="upheld",
            decided_on=date(2025, 2, 1),
        )


@pytest.fixture
def approver():
    return make_user("mads", Role.CONTRACT_MANAGER)


@pytest.fixture
def red(personas):
    provider = provider_factories.provider(ref="LEV-0100", name="Rød ApS")
    _red_complaints(provider)
    return provider


def _publish(report, approver):
    services.report_approve(report=report, by=approver)
    return services.report_publish(report=report, by=approver)


def _words(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def test_scenario_4_decided_in_a_published_report_stops_referrals_at_once_and_shows_in_report_and_pdf(
    client, personas, red, approver
):
    manager = personas["contract_manager"]
    report = services.compile_now(period=H1, by=manager)
    services.scenario_decide(report=report, provider_ref=red.ref, scenario=4, justification="Gentaget", by=manager)
    services.report_approve(report=report, by=approver)
    client_for(client, approver)
    response = client.post(
        reverse("rapporter:report_publish", args=[report.period, report.version]), {"confirm": "1"}, follow=True
    )
    red.refresh_from_db()
    assert red.referral_status == "stopped"
    case = FollowUpCase.objects.get(provider=red)
    assert (case.scenario, case.source, case.status) == (4, "half_year", "awaiting_plan")
    assert case.ref in red.referral_reason
    assert "kvalitetsrapporten 2025-H1" in red.referral_reason
    assert case.measures.get(kind="referral_stop").done_on is not None
    page = " ".join(response.content.decode().split())
    assert f"LEV-0100: Opfølgningssag {case.ref} er oprettet (scenarie 4). Henvisninger til Rød ApS er stoppet." in page
    effect = Publication.objects.get().effects["LEV-0100"]
    assert effect["case"] == {"ref": case.ref, "scenario": 4}
    assert effect["referral_status"] == "stopped"
    assert effect["changes"][:2] == [
        f"Opfølgningssag {case.ref} er oprettet (scenarie 4).",
        "Henvisninger til Rød ApS er stoppet.",
    ]
    assert effect["changes"][2].startswith("Der kræves en handleplan senest ")
    # The snapshot is as compiled (open, no case); the published rows carry what publication set in motion.
    report.refresh_from_db()
    assert report.data["providers"][0]["referral_status"] == "open"
    assert report.data["providers"][0]["case"] is None
    row = services.effective_rows(report)[0]
    assert (row["referral_status"], row["case"]) == ("stopped", {"ref": case.ref, "scenario": 4})
    # The secretariat's page, the PDF and the export show the stop and the case beside the scenario.
    client_for(client, personas["secretariat"])
    secretariat_page = " ".join(client.get(report.get_absolute_url()).content.decode().split())
    assert "Henvisning: Stoppet" in secretariat_page
    assert f"Opfølgningssag {case.ref}" in secretariat_page
    words = _words(render_pdf(report))
    assert "Henvisning: Stoppet" in words
    assert f"Opfølgningssag {case.ref}" in words
    client_for(client, manager)
    csv_response = client.get(reverse("rapporter:report_export_csv", args=[report.period, report.version, "matrix"]))
    rows = list(csv.reader(io.StringIO(b"".join(csv_response.streaming_content).decode("utf-8-sig")), delimiter=";"))
    assert rows[1][rows[0].index("Henvisning")] == "Stoppet"
    assert rows[1][rows[0].index("Opfølgningssag")] == case.ref


def test_a_decided_scenario_raises_the_open_case_instead_of_starting_another(personas, red, approver):
    manager = personas["contract_manager"]
    existing = supervision.case_open_other(
        provider=red, knowledge_source="Pressen", justification="Artikel", scenario=None, case_number="", by=manager
    ).case
    report = services.compile_now(period=H1, by=manager)
    assert report.data["providers"][0]["case"] == {"ref": existing.ref, "scenario": None}
    _publish(report, approver)
    assert FollowUpCase.objects.count() == 1
    existing.refresh_from_db()
    assert existing.scenario == 3
    assert list(existing.events.values_list("source", "reference", "scenario")) == [
        ("other", "Pressen", None),
        ("half_year", "2025-H1", 3),
    ]
    # Published again in a new version, the half-year sets nothing in motion twice.
    again = services.compile_now(period=H1, by=manager)
    measures = Measure.objects.count()
    publication = _publish(again, approver)
    assert Measure.objects.count() == measures
    assert CaseEvent.objects.count() == 2
    assert publication.effects["LEV-0100"]["changes"] == [
        f"Indgår allerede i opfølgningssag {existing.ref}; intet nyt sættes i gang."
    ]


def test_a_red_survey_in_a_published_half_year_opens_a_case_with_a_dialogue(personas, approver):
    offer = provider_factories.offer()
    for _ in range(6):
        SurveyResponse.objects.create(offer=offer, answered_on=date(2025, 2, 1), score=1)
    manager = personas["contract_manager"]
    report = services.compile_now(period=H1, by=manager)
    row = report.data["providers"][0]
    assert row["tracks"]["user_surveys"]["colour"] == "red"
    # The manager decides scenario 1 for the half-year: the red survey still opens a case.
    services.scenario_decide(
        report=report, provider_ref=offer.provider.ref, scenario=1, justification="Få besvarelser", by=manager
    )
    _publish(report, approver)
    case = FollowUpCase.objects.get()
    assert (case.provider, case.source, case.scenario) == (offer.provider, "survey", None)
    assert list(case.measures.values_list("kind", flat=True)) == ["dialogue_meeting"]
    assert list(case.events.values_list("source", "reference")) == [("survey", "2025-H1")]
    assert offer.provider.referral_status == "open"


def test_an_own_centre_decided_4_in_a_half_year_is_not_stopped_and_gets_no_contractual_measure(personas, approver):
    centre = provider_factories.provider(name="Jobcenter Syd", kind=Provider.Kind.INTERNAL, administration="SUF")
    _red_complaints(centre)
    manager = personas["contract_manager"]
    report = services.compile_now(period=H1, by=manager)
    row = report.data["providers"][0]
    assert row["proposed_scenario"] == 3
    assert not set(row["measures"]) & Measure.CONTRACTUAL  # frozen in the snapshot too
    services.scenario_decide(report=report, provider_ref=centre.ref, scenario=4, justification="Grov", by=manager)
    _publish(report, approver)
    centre.refresh_from_db()
    assert centre.referral_status == "open"
    case = FollowUpCase.objects.get(provider=centre)
    assert case.scenario == 4
    assert not set(case.measures.values_list("kind", flat=True)) & Measure.CONTRACTUAL
    words = _words(render_pdf(report))
    assert "Stop af henvisning" not in words
    assert "Misligholdelsessag" not in words


def test_scenario_1_and_2_in_the_report_and_no_red_survey_open_no_case_for_1(personas, approver):
    provider_factories.offer()
    report = services.compile_now(period=H1, by=personas["contract_manager"])
    _publish(report, approver)
    assert not FollowUpCase.objects.exists()
    assert Publication.objects.get().effects == {}


def test_scenario_3_from_a_half_year_lets_the_manager_choose_the_offers_to_restrict(client, personas, red, approver):
    kept = provider_factories.offer(provider=red, name="Mentor")
    # An id past 999: the checkbox value must not be written with a Danish thousands separator.
    restricted = provider_factories.offer(provider=red, name="Afklaring", pk=12345)
    _publish(services.compile_now(period=H1, by=personas["contract_manager"]), approver)
    case = FollowUpCase.objects.get(provider=red)
    strategy = case.measures.get(kind="referral_strategy")
    assert strategy.done_on is None  # decided in the report: the offers are chosen on the case
    client_for(client, personas["contract_manager"])
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'name="offers" value="12345"' in page
    client.post(reverse("tilsyn:measure_done", args=[strategy.pk]), {"note": "", "offers": [restricted.pk, "x"]})
    for offer in (kept, restricted, red):
        offer.refresh_from_db()
    assert (restricted.referral_status, kept.referral_status, red.referral_status) == ("restricted", "open", "open")
    strategy.refresh_from_db()
    assert strategy.done_on is not None
    assert list(strategy.offers.all()) == [restricted]


def test_offers_of_a_provider_stopped_at_publication_read_as_stopped(personas, red, approver):
    provider_factories.offer(provider=red, name="Mentor")
    manager = personas["contract_manager"]
    report = services.compile_now(period=H1, by=manager)
    services.scenario_decide(report=report, provider_ref=red.ref, scenario=4, justification="Gentaget", by=manager)
    _publish(report, approver)
    [row] = services.effective_rows(report)
    assert [offer["referral_status"] for offer in row["offers"]] == ["stopped"]
    assert report.data["providers"][0]["offers"][0]["referral_status"] == "open"  # the snapshot as compiled
