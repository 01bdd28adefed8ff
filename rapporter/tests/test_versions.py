"""Reports that say what they do not know (issue 13, item 7): changes against the previous
half-year's decision only, missing data never an improvement, provisional versions of a half-year
that has not ended, discarded versions, and versions compiled before all this still rendering."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import client_for, make_user
from kvalitet.models import Complaint
from kvalitet.periods import HalfYear
from kvalitet.scoring import TRACKS
from leverandoer.access import Role
from leverandoer.tests import factories as provider_factories
from rapporter import compile as compiler
from rapporter import exports, selectors, services, summary
from rapporter.models import Discard, Publication, QualityReport, ReportRun, ScenarioOverride

pytestmark = pytest.mark.django_db

H1, H2 = HalfYear(2025, 1), HalfYear(2025, 2)
UNDECIDED = "Forrige halvår (2025-H1) er ikke afgjort: ingen offentliggjort version."


def _text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def _pdf_words(response) -> str:
    content = b"".join(response.streaming_content)
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def _red_complaints(provider, received_on: date) -> None:
    for n in range(3):
        Complaint.objects.create(
            ref=f"K-{provider.ref}-{received_on:%Y%m}-{n}",
            provider=provider,
            kind="formality",
            received_on=received_on,
            decision="upheld",
            decided_on=received_on.replace(day=25),
        )


def _publish(report: QualityReport) -> Publication:
    approver = make_user(f"godkender-{report.pk}", Role.CONTRACT_MANAGER)
    return Publication.objects.create(
        report=report, approved_by=approver, published_by=approver, published_at=timezone.now()
    )


@pytest.fixture
def second_manager():
    return make_user("mads", Role.CONTRACT_MANAGER)


@pytest.fixture
def quiet_provider():
    """Red on complaints in 2025-H1, no data at all in 2025-H2 (its agreement keeps it in scope)."""
    provider = provider_factories.provider(ref="LEV-0700", name="Stille ApS")
    provider_factories.agreement(provider=provider, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    _red_complaints(provider, date(2025, 2, 5))
    return provider


# --- 1. Changes since the previous half-year use its decision only ---------------------------


def test_a_draft_of_the_previous_half_year_is_never_compared_with(cm_client, personas, quiet_provider):
    services.compile_now(period=H1, by=personas["contract_manager"])  # a draft: decides nothing
    report = services.compile_now(period=H2, by=personas["contract_manager"])
    assert report.data["changes"] == {"previous": None, "undecided": "2025-H1"}
    assert UNDECIDED in cm_client.get(report.get_absolute_url()).content.decode()
    assert UNDECIDED in _pdf_words(cm_client.get(reverse("rapporter:report_pdf", args=[report.period, 1])))
    changes_csv = _text(cm_client.get(reverse("rapporter:report_export_csv", args=[report.period, 1, "changes"])))
    assert changes_csv.splitlines()[1] == f"{UNDECIDED};;;;"


def test_changes_compare_with_the_published_version_as_decided_not_a_newer_draft(personas, quiet_provider):
    manager = personas["contract_manager"]
    published = services.compile_now(period=H1, by=manager)
    ScenarioOverride.objects.create(
        report=published, provider_ref="LEV-0700", scenario=2, justification="Dialog", changed_by=manager
    )
    _publish(published)
    services.compile_now(period=H1, by=manager)  # version 2, a newer draft
    changes = services.compile_now(period=H2, by=manager).data["changes"]
    assert changes["previous"] == {"period": "2025-H1", "version": 1, "published": True}
    assert changes["before"] == {"LEV-0700": 2}  # the override, as decided there


# --- 2. Missing data is never an improvement --------------------------------------------------


@pytest.mark.parametrize(
    ("was", "now", "move"),
    [
        ("red", "none", "no_data_now"),
        ("green", None, "no_data_now"),
        ("none", "yellow", "new_data"),
        ("red", "green", "better"),
        ("yellow", "red", "worse"),
        ("green", "green", None),
        ("none", "none", None),
    ],
)
def test_a_colour_move(was, now, move):
    assert compiler._colour_move(was, now) == move


def test_a_provider_whose_data_stopped_is_no_data_now_not_better(cm_client, personas, quiet_provider):
    manager = personas["contract_manager"]
    _publish(services.compile_now(period=H1, by=manager))
    report = services.compile_now(period=H2, by=manager)
    colours = report.data["changes"]["colours"]
    assert colours["complaints"] == {"better": 0, "worse": 0, "no_data_now": 1, "new_data": 0}
    rows = services.effective_rows(report)
    assert summary.scenario_changes(report.data, rows) == [
        {"provider_ref": "LEV-0700", "name": "Stille ApS", "before": 3, "after": None, "direction": "no_data_now"}
    ]
    page = cm_client.get(report.get_absolute_url()).content.decode()
    assert "<td>ingen data nu</td>" in page
    assert '<th scope="col">Ingen data nu</th>' in page
    assert exports.tables(report)["changes"][1] == ["LEV-0700", "Stille ApS", 3, None, "ingen data nu"]
    assert exports.tables(report)["colour_changes"][1] == ["klager", 0, 0, 1, 0]


def test_a_provider_with_data_for_the_first_time_is_new_data(personas):
    provider = provider_factories.provider(ref="LEV-0701", name="Ny data ApS")
    provider_factories.agreement(provider=provider, starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
    _publish(services.compile_now(period=H1, by=personas["contract_manager"]))
    _red_complaints(provider, date(2025, 8, 5))
    report = services.compile_now(period=H2, by=personas["contract_manager"])
    assert report.data["changes"]["colours"]["complaints"]["new_data"] == 1
    change = summary.scenario_changes(report.data, services.effective_rows(report))[0]
    assert (change["before"], change["after"], change["direction"]) == (None, 3, "new_data")


# --- 3. A half-year that has not ended gives a provisional version ----------------------------


@pytest.fixture
def december_2026(monkeypatch):
    monkeypatch.setattr(services.timezone, "localdate", lambda: date(2026, 12, 20))


@pytest.mark.parametrize(
    ("today", "provisional"), [(date(2026, 12, 31), True), (date(2027, 1, 1), False), (date(2026, 7, 1), True)]
)
def test_a_half_year_is_provisional_until_its_last_day_has_passed(monkeypatch, today, provisional):
    monkeypatch.setattr(services.timezone, "localdate", lambda: today)
    assert services.is_provisional(HalfYear(2026, 2)) is provisional


def test_compiling_a_half_year_that_has_not_ended_warns_and_marks_the_version(
    cm_client, december_2026, django_capture_on_commit_callbacks
):
    page = cm_client.get(reverse("rapporter:report_list")).content.decode()
    assert "Det igangværende halvår (2026-H2) slutter 31. december 2026" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(reverse("rapporter:report_list"), {"period": "2026-H2"}, follow=True)
    page = response.content.decode()
    assert (
        "2026-H2 er ikke slut (slutter 31. december 2026): versionen er foreløbig, og dens tal kan stadig ændre sig."
        in page
    )
    report = QualityReport.objects.get(period="2026-H2")
    assert report.data["provisional"] is True
    detail = cm_client.get(report.get_absolute_url()).content.decode()
    assert "<strong>Foreløbig</strong>: halvåret var ikke slut, da versionen blev kompileret." in detail
    listing = cm_client.get(reverse("rapporter:report_list")).content.decode()
    assert '<span class="badge text-bg-warning">Foreløbig</span>' in listing
    home = cm_client.get("/").content.decode()
    assert "kladde · foreløbig" in home

    pdf = cm_client.get(reverse("rapporter:report_pdf", args=["2026-H2", 1]))
    assert "kvalitetsrapport-2026-H2-v1-foreloebig.pdf" in pdf["Content-Disposition"]
    words = _pdf_words(pdf)
    assert "FORELØBIG · KLADDE" in words
    assert "Kladde · Foreløbig" in words
    assert "Foreløbig: halvåret var ikke slut, da versionen blev kompileret. Tallene kan stadig ændre sig." in words
    xlsx = cm_client.get(reverse("rapporter:report_export_xlsx", args=["2026-H2", 1]))
    about = list(load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))["Om versionen"].values)
    assert about[0][:4] == ("Halvår", "Version", "Status", "Foreløbig")
    assert about[1][:4] == ("2026-H2", 1, "Kladde", "Foreløbig")


def test_a_half_year_that_has_ended_is_not_provisional(cm_client, december_2026, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(reverse("rapporter:report_list"), {"period": "2026-H1"}, follow=True)
    assert "er ikke slut" not in response.content.decode()
    report = QualityReport.objects.get(period="2026-H1")
    assert report.data["provisional"] is False
    page = cm_client.get(report.get_absolute_url()).content.decode()
    assert "Foreløbig" not in page


def test_the_command_warns_and_says_provisional(december_2026):
    out, err = io.StringIO(), io.StringIO()
    call_command("compile_quality_report", "2026-H2", stdout=out, stderr=err)
    assert err.getvalue().strip() == (
        "Advarsel: 2026-H2 er ikke slut (slutter 31.12.2026): versionen bliver foreløbig, og dens tal kan stadig ændre sig."
    )
    assert out.getvalue().strip().startswith("2026-H2 version 1: 0 leverandører (ingen data for halvåret) (foreløbig)")


def test_publishing_a_provisional_version_needs_a_second_tick(client, personas, second_manager, december_2026):
    report = services.compile_now(period=HalfYear(2026, 2), by=personas["contract_manager"])
    services.report_approve(report=report, by=second_manager)
    client_for(client, second_manager)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'name="confirm_provisional"' in page
    publish = reverse("rapporter:report_publish", args=[report.period, report.version])
    refused = client.post(publish, {"confirm": "1"}, follow=True).content.decode()
    assert (
        "Versionen er foreløbig: halvåret var ikke slut, da den blev kompileret. Sæt kryds for at bekræfte, at "
        "udvalget får en foreløbig version, eller kompilér igen, når halvåret er slut."
    ) in refused
    assert Publication.objects.get(report=report).published_at is None
    client.post(publish, {"confirm": "1", "confirm_provisional": "1"})
    assert Publication.objects.get(report=report).published_at is not None


# --- 4. A contract manager discards an unapproved version -------------------------------------


@pytest.fixture
def draft(personas, quiet_provider):
    return services.compile_now(period=H1, by=personas["contract_manager"])


def test_a_contract_manager_discards_a_draft_with_a_reason(cm_client, personas, draft):
    discard = reverse("rapporter:report_discard", args=[draft.period, draft.version])
    response = cm_client.post(discard, {"reason": "  Kompileret før klagerne var indlæst  "}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("rapporter:report_list")
    assert "Version 1 af 2025-H1 er kasseret." in response.content.decode()
    record = Discard.objects.get(report=draft)
    assert (record.reason, record.discarded_by) == ("Kompileret før klagerne var indlæst", personas["contract_manager"])
    # No longer listed anywhere, and no longer waiting on the start page.
    assert list(response.context["reports"]) == []
    assert draft.get_absolute_url() not in cm_client.get("/").content.decode()
    # Its page still answers the staff, marked as discarded, with nothing to do in it.
    page = cm_client.get(draft.get_absolute_url()).content.decode()
    assert '<span class="badge text-bg-danger">Kasseret</span>' in page
    assert "Begrundelse: Kompileret før klagerne var indlæst" in page
    assert "report_approve" not in page
    assert reverse("rapporter:report_approve", args=["2025-H1", 1]) not in page
    for name in ("report_pdf", "report_export_xlsx", "report_review"):
        assert cm_client.get(reverse(f"rapporter:{name}", args=["2025-H1", 1])).status_code == 404
    for name in ("report_approve", "report_publish", "report_discard"):
        assert cm_client.post(reverse(f"rapporter:{name}", args=["2025-H1", 1]), {"confirm": "1"}).status_code == 404
    # The next compile draws a new number: a discarded version keeps its own.
    assert services.compile_now(period=H1, by=personas["contract_manager"]).version == 2


def test_a_discarded_version_cannot_be_approved_changed_or_published(personas, draft, second_manager):
    services.report_discard(report=draft, reason="Forkert", by=personas["contract_manager"])
    message = "Versionen er kasseret: den kan ikke længere godkendes, ændres eller offentliggøres."
    with pytest.raises(ValidationError) as approve:
        services.report_approve(report=draft, by=second_manager)
    with pytest.raises(ValidationError) as decide:
        services.scenario_decide(
            report=draft, provider_ref="LEV-0700", scenario=4, justification="x", by=second_manager
        )
    with pytest.raises(ValidationError) as again:
        services.report_discard(report=draft, reason="Igen", by=second_manager)
    assert approve.value.messages == decide.value.messages == [message]
    assert again.value.messages == ["Versionen er allerede kasseret."]
    assert not Publication.objects.exists()
    assert not ScenarioOverride.objects.exists()
    assert Discard.objects.get().reason == "Forkert"


def test_discarding_needs_a_reason(cm_client, draft):
    discard = reverse("rapporter:report_discard", args=[draft.period, draft.version])
    response = cm_client.post(discard, {"reason": "   "}, follow=True)
    assert response.redirect_chain[-1][0] == draft.get_absolute_url()
    assert "Skriv, hvorfor versionen kasseres." in response.content.decode()
    assert not Discard.objects.exists()


def test_an_approved_or_published_version_cannot_be_discarded(cm_client, draft, second_manager):
    services.report_approve(report=draft, by=second_manager)
    discard = reverse("rapporter:report_discard", args=[draft.period, draft.version])
    response = cm_client.post(discard, {"reason": "For sent"}, follow=True)
    assert "En godkendt eller offentliggjort version kan ikke kasseres." in response.content.decode()
    services.report_publish(report=draft, by=second_manager)
    with pytest.raises(ValidationError) as published:
        services.report_discard(report=draft, reason="For sent", by=second_manager)
    assert published.value.messages == ["En godkendt eller offentliggjort version kan ikke kasseres."]
    assert not Discard.objects.exists()


def test_only_a_contract_manager_may_discard(client, personas, draft):
    for persona in ("administrator", "secretariat", "inspector_a", "caseworker"):
        if personas.get(persona) is None:
            continue
        client_for(client, personas[persona])
        url = reverse("rapporter:report_discard", args=[draft.period, draft.version])
        assert client.post(url, {"reason": "x"}).status_code == 403
    assert not Discard.objects.exists()


def test_a_discarded_version_never_counts_as_previous(personas, quiet_provider):
    """A discarded version is never published; even a corrupt row beside a publication is ignored."""
    manager = personas["contract_manager"]
    published = services.compile_now(period=H1, by=manager)
    _publish(published)
    Discard.objects.create(report=published, reason="Rettet i databasen", discarded_by=manager)
    assert selectors.published_version("2025-H1") is None
    assert services.compile_now(period=H2, by=manager).data["changes"]["undecided"] == "2025-H1"


# --- 5. Versions compiled before this change still render -------------------------------------


def _old_track(colour: str, reason: str, figures: dict) -> dict:
    return {"colour": colour, "reason": reason, "figures": figures}


OLD_DATA = {
    "period": "2024-H2",
    "providers": [
        {
            "provider_ref": "LEV-0900",
            "name": "Gammel ApS",
            "kind": "external",
            "tracks": {
                **{track: _old_track("none", "no_data", {}) for track in TRACKS},
                "complaints": _old_track("red", "upheld_red", {"upheld": 3, "total": 3, "yellow": 1}),
                "effect": _old_track(
                    "red",
                    "effect_gap",
                    {"offer": "Tilbud A", "rate": 20.0, "group_rate": 45.5, "gap": -25.5, "green": 5, "yellow": 10},
                ),
            },
            "proposed_scenario": 4,
            "scenario": 4,
            "scenario_reason": "red_again",
            "scenario_tracks": ["complaints", "effect"],
            "measures": ["referral_stop"],
        },
        {
            "provider_ref": "LEV-0901",
            "name": "Hævet ApS",
            "kind": "internal",
            "tracks": {track: _old_track("green", "no_data", {}) for track in TRACKS},
            "proposed_scenario": 3,
            "scenario": 3,
            "scenario_reason": "confirmed_on_inspection",
            "scenario_tracks": [],
            "measures": [],
        },
    ],
    "benchmarks": [
        {
            "offer_type": "Virksomhedspraktik",
            "target_group": "Jobparate",
            "offers": 2,
            "survey_mean": None,
            "survey_answers": 0,
            "hours_delivered_pct": 99.5,
            "progress_reports_on_time_pct": None,
            "outcome_rate_pct": 30.0,
        }
    ],
    "standing_out": ["LEV-0900", "LEV-0901"],
    "key_figures": {
        "hours_delivered_pct": 99.5,
        "progress_reports_submitted_pct": 96.0,
        "progress_reports_on_time_pct": 90.0,
        "supervisions_by_method": {"visit": 1, "data": 2, "case_review": 0},
        "providers_by_scenario": {"1": 0, "2": 0, "3": 1, "4": 1},
    },
    "trend": [
        {
            "year": 2024,
            "partial": False,
            "hours_delivered_pct": 99.5,
            "progress_reports_submitted_pct": 96.0,
            "progress_reports_on_time_pct": 90.0,
        }
    ],
    "changes": {
        "previous": {"period": "2024-H1", "version": 3, "published": False},
        "before": {"LEV-0900": 3, "LEV-0901": 3},
        "colours": {track: {"better": 1 if track == "effect" else 0, "worse": 0} for track in TRACKS},
        "new": [],
        "gone": ["Væk ApS"],
    },
}


@pytest.fixture
def old_version():
    return QualityReport.objects.create(period="2024-H2", version=1, sha256=compiler.digest(OLD_DATA), data=OLD_DATA)


def test_a_version_compiled_before_this_change_still_renders(cm_client, old_version):
    page = cm_client.get(old_version.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rød igen som i forrige halvår: klager, effekt." in text
    assert "Hævet til det scenarie, der blev bekræftet ved et tilsyn i halvåret." in text
    assert "Foreløbig" not in text
    assert "–: versionen blev kompileret, før manglende data blev talt for sig." in text
    args = [old_version.period, old_version.version]
    assert cm_client.get(reverse("rapporter:report_pdf", args=args)).status_code == 200
    assert cm_client.get(reverse("rapporter:report_export_xlsx", args=args)).status_code == 200
    for table in exports.table_names(old_version):
        assert cm_client.get(reverse("rapporter:report_export_csv", args=[*args, table])).status_code == 200
    assert exports.tables(old_version)["colour_changes"][4] == ["effekt", 1, 0, None, None]


def test_an_old_version_is_listed_without_the_provisional_mark(cm_client, old_version):
    reports = list(cm_client.get(reverse("rapporter:report_list")).context["reports"])
    assert [(report.version, bool(report.provisional)) for report in reports] == [(1, False)]
    assert ReportRun.objects.count() == 0
