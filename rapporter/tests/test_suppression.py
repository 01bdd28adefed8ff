"""Small numbers are not published (issue 13, item 3): "<5" for a percentage or mean over fewer than
5 citizens, answers or reports, "–" for a comparable-group figure from fewer than 3 providers, in
the PDF, the exports and the secretariat's page; the staff see the figures with a warning."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from conftest import client_for
from rapporter import compile as compiler
from rapporter import exports, reasons, services, suppression
from rapporter.models import QualityReport
from rapporter.tests.test_publication import _pdf_text
from rapporter.tests.test_versions import OLD_DATA

SMALL_FOOTNOTE = "<5: beregnet på færre end 5 borgere, besvarelser eller rapporter; tallet offentliggøres ikke."
GROUP_FOOTNOTE = "–: sammenligningsgruppen har færre end 3 leverandører; tallet offentliggøres ikke."
COMPARISON = "Sammenligningen er undertrykt: færre end 3 leverandører i gruppen."
SURVEY_REASON = "Gennemsnitlig score <5¹ ud fra 4 besvarelser; grøn fra 4, gul fra 3,5."

EFFECT = {
    "offer": "T-1",
    "rate": 20.0,
    "n": 40,
    "interval_low": 12.1,
    "interval_high": 30.4,
    "confidence": 90,
    "group_rate": 45.5,
    "group_offers": 2,
    "group_providers": 2,
    "group_n": 60,
    "gap": -25.5,
    "green": -5,
    "yellow": -10,
    "uncertain": False,
}


def _track(colour, reason, figures):
    return {"colour": colour, "reason": reason, "figures": figures}


def _tracks():
    return {
        "complaints": _track("red", "upheld_red", {"upheld": 3, "total": 3, "general": 0, "green": 0, "yellow": 2}),
        # A rule whose minimum an administrator lowered below 5: coloured, but not published.
        "user_surveys": _track("yellow", "mean_score", {"mean": 3.6, "answers": 4, "green": 4.0, "yellow": 3.5}),
        "case_handling": _track("none", "no_data", {}),
        "effect": _track("red", "effect_interval", dict(EFFECT)),
        "supervision": _track(
            "yellow",
            "worst_sub_indicator",
            {
                "hours_delivered_pct": 96.3,
                "reports_on_time_pct": 75.0,
                "reports_due": 4,
                "parts": {"hours": "yellow", "reports": "red"},
            },
        ),
    }


DATA = {
    "period": "2025-H1",
    "providers": [
        {
            "provider_ref": "LEV-0500",
            "name": "Lille ApS",
            "kind": "external",
            "tracks": _tracks(),
            "offers": [
                {
                    "offer_ref": "T-1",
                    "name": "Tilbud 1",
                    "offer_type": "Virksomhedspraktik",
                    "target_group": "Jobparate",
                    "tracks": _tracks(),
                }
            ],
            "proposed_scenario": 3,
            "scenario": 3,
            "scenario_reason": "red",
            "scenario_tracks": ["complaints", "effect"],
            "scenario_details": {},
            "measures": [],
        }
    ],
    "benchmarks": [
        {
            "offer_type": "Virksomhedspraktik",
            "target_group": "Jobparate",
            "offers": 3,
            "providers": 3,
            "survey_mean": 4.2,
            "survey_answers": 4,
            "hours_delivered_pct": 98.1,
            "progress_reports_on_time_pct": 90.0,
            "progress_reports_due": 30,
            "outcome_rate_pct": 35.0,
            "outcome_citizens": 60,
        },
        {
            "offer_type": "Mentor",
            "target_group": "Aktivitetsparate",
            "offers": 2,
            "providers": 2,
            "survey_mean": 3.9,
            "survey_answers": 40,
            "hours_delivered_pct": 97.3,
            "progress_reports_on_time_pct": 88.0,
            "progress_reports_due": 25,
            "outcome_rate_pct": 41.5,
            "outcome_citizens": 40,
        },
    ],
    "standing_out": ["LEV-0500"],
    "key_figures": {
        "hours_delivered_pct": 99.5,
        "progress_reports_submitted_pct": 75.0,
        "progress_reports_on_time_pct": 50.0,
        "progress_reports_due": 4,
        "supervisions_by_method": {"visit": 1, "data": 0, "case_review": 0},
        "providers_by_scenario": {"1": 0, "2": 0, "3": 1, "4": 0},
    },
    "trend": [
        {
            "year": 2025,
            "partial": True,
            "hours_delivered_pct": 99.5,
            "progress_reports_submitted_pct": 75.0,
            "progress_reports_on_time_pct": 50.0,
            "progress_reports_due": 4,
        }
    ],
    "changes": {"previous": None, "undecided": "2024-H2"},
}


# Pure rules, no database.


def test_a_survey_mean_over_4_answers_is_withheld_and_its_count_is_not():
    entry, kinds = suppression.track(_tracks()["user_surveys"])
    assert kinds == {"small"}
    assert entry["colour"] == "yellow"  # the colour stays
    assert entry["figures"]["mean"] == "<5"
    assert entry["figures"]["answers"] == 4
    with translation.override("da"):
        assert reasons.track_reason(entry) == SURVEY_REASON
        assert reasons.public_track_reason(_tracks()["user_surveys"]) == SURVEY_REASON
        # The staff's reason is the figure itself.
        assert "3,6 ud fra 4 besvarelser" in reasons.track_reason(_tracks()["user_surveys"])


def test_an_effect_group_of_2_providers_withholds_the_group_rate_while_the_colour_stays():
    entry, kinds = suppression.track(_tracks()["effect"])
    assert kinds == {"group"}
    assert entry["colour"] == "red"
    assert (entry["figures"]["group_rate"], entry["figures"]["gap"]) == ("–", "–")
    assert entry["figures"]["rate"] == 20.0  # the offer's own rate over 40 citizens is published
    with translation.override("da"):
        assert reasons.track_reason(entry) == (
            "Tilbud T-1: 20,0\u00a0% ude af offentlig forsørgelse (n = 40; 90 %-interval 12,1–30,4\u00a0%) "
            "mod –² for de 2 øvrige tilbud i den sammenlignelige gruppe (2 leverandører, n = –²). Gul når "
            "intervallets øvre grænse ligger mere end 5 procentpoint under, rød når mere end 10. " + COMPARISON
        )


def test_an_effect_rate_over_few_citizens_is_withheld_with_its_interval():
    entry, kinds = suppression.track(_track("green", "effect_interval", {**EFFECT, "n": 4, "group_providers": 3}))
    assert kinds == {"small"}
    assert [entry["figures"][key] for key in ("rate", "interval_low", "interval_high", "group_rate")] == [
        "<5",
        "<5",
        "<5",
        45.5,
    ]
    with translation.override("da"):
        text = reasons.track_reason(entry)
    assert text.startswith("Tilbud T-1: <5¹ ude af offentlig forsørgelse (n = 4; 90 %-interval <5¹) mod 45,5\u00a0%")
    assert COMPARISON not in text


def test_hours_and_complaint_counts_are_never_withheld():
    tracks = _tracks()
    assert suppression.track(tracks["complaints"]) == (tracks["complaints"], set())
    entry, _kinds = suppression.track(tracks["supervision"])
    assert entry["figures"]["hours_delivered_pct"] == 96.3
    assert entry["figures"]["reports_on_time_pct"] == "<5"
    with translation.override("da"):
        assert reasons.track_reason(entry) == (
            "Det dårligste af: leverede timer 96,3 %; progressionsrapporter til tiden <5¹ (n = 4)."
        )


def test_a_case_handling_compliance_over_few_cases_hides_the_items_too():
    figures = {"compliance": 75.0, "met": 3, "assessed": 4, "cases": 2, "green": 95, "yellow": 85}
    entry, _kinds = suppression.track(_track("red", "compliance", figures))
    with translation.override("da"):
        assert reasons.track_reason(entry) == "Efterlevelse <5¹ (2 gennemgåede sager); grøn fra 95 %, gul fra 85 %."


def test_a_benchmark_of_2_providers_shows_dashes_for_its_rates_but_its_hours():
    public = suppression.public(DATA, DATA["providers"])
    small, group = public.data["benchmarks"]
    assert (small["survey_mean"], small["progress_reports_on_time_pct"], small["outcome_rate_pct"]) == (
        "<5",
        90.0,
        35.0,
    )
    assert (group["survey_mean"], group["progress_reports_on_time_pct"], group["outcome_rate_pct"]) == ("–", "–", "–")
    assert group["hours_delivered_pct"] == 97.3
    assert public.kinds["benchmarks"] == {"small", "group"}
    assert DATA["benchmarks"][0]["survey_mean"] == 4.2  # the snapshot itself never changes
    assert public.rows[0]["offers"][0]["tracks"]["effect"]["figures"]["group_rate"] == "–"


def test_a_snapshot_without_the_counts_is_shown_as_it_was():
    public = suppression.public(OLD_DATA, OLD_DATA["providers"])
    assert not public.any
    assert public.data["benchmarks"] == OLD_DATA["benchmarks"]
    assert public.rows[0]["tracks"] == OLD_DATA["providers"][0]["tracks"]


# Where people look.


@pytest.fixture
def published(personas):
    report = QualityReport.objects.create(period="2025-H1", version=1, sha256=compiler.digest(DATA), data=DATA)
    services.report_approve(report=report, by=personas["contract_manager"])
    services.report_publish(report=report, by=personas["contract_manager"])
    return report


pytestmark = pytest.mark.django_db


def _page(client, user, report) -> str:
    client_for(client, user)
    response = client.get(report.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_secretariat_page_withholds_small_numbers_with_footnotes(client, personas, published):
    page = _page(client, personas["secretariat"], published)
    assert "&lt;5¹" in page  # the benchmark's survey mean and the key figures
    assert "–²" in page
    assert SMALL_FOOTNOTE.replace("<", "&lt;") in page
    assert GROUP_FOOTNOTE in page
    assert COMPARISON in page
    assert "4,2" not in page
    assert "45,5" not in page
    assert "41,5" not in page
    assert "97,3\u00a0%" in page
    assert "99,5\u00a0%" in page
    assert "Klager: 3, heraf med medhold: 3; rød over 2." in page  # complaint counts stay
    assert "Små tal" not in page


def test_a_contract_manager_sees_the_figures_with_a_warning(client, personas, published):
    page = _page(client, personas["contract_manager"], published)
    assert '<td class="text-end">4,2</td>' in page
    assert "45,5" in page
    assert "41,5\u00a0%" in page
    assert "&lt;5¹" not in page
    assert "Små tal: nogle tal på siden bygger på færre end 5 borgere" in page
    assert "Små tal: her er tal, som PDF'en, eksporterne og sekretariatet ikke ser." in page


def test_the_pdf_withholds_small_numbers_whoever_downloads_it(client, personas, published):
    client_for(client, personas["contract_manager"])
    response = client.get(reverse("rapporter:report_pdf", args=[published.period, published.version]))
    assert response.status_code == 200
    text = " ".join(_pdf_text(b"".join(response.streaming_content)).split())
    assert "<5¹" in text
    assert "–²" in text
    assert SMALL_FOOTNOTE in text
    assert GROUP_FOOTNOTE in text
    assert COMPARISON in text  # the red effect's reason in "standing out"
    assert SURVEY_REASON in text
    assert "4,2" not in text
    assert "45,5" not in text
    assert "41,5" not in text
    assert "97,3 %" in text  # hours are not withheld


def test_the_exports_withhold_small_numbers(client, personas, published):
    client_for(client, personas["secretariat"])
    args = [published.period, published.version]
    raw = b"".join(client.get(reverse("rapporter:report_export_csv", args=[*args, "benchmarks"])).streaming_content)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Virksomhedspraktik", "Jobparate", "3", "<5", "98,1", "90,0", "35,0"]
    assert rows[2] == ["Mentor", "Aktivitetsparate", "2", "–", "97,3", "–", "–"]
    assert rows[-2:] == [[SMALL_FOOTNOTE], [GROUP_FOOTNOTE]]
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("rapporter:report_export_xlsx", args=args)).streaming_content))
    )
    sheet = [[cell.value for cell in row] for row in workbook["Benchmark"].iter_rows()]
    assert sheet[1][3] == "<5"
    assert sheet[2][6] == "–"
    assert sheet[2][4] == 97.3
    assert [SMALL_FOOTNOTE] in [row[:1] for row in sheet]
    trend = exports.tables(published)["trend"]
    assert trend[1] == ["2025*", 99.5, "<5", "<5"]
    standing_out = exports.tables(published)["standing_out"]
    assert [row[5] for row in standing_out if row[3:4] == ["brugerundersøgelser"]] == [SURVEY_REASON]


def test_an_old_snapshot_renders_for_the_secretariat_as_it_was(client, personas):
    report = QualityReport.objects.create(period="2024-H2", version=1, sha256=compiler.digest(OLD_DATA), data=OLD_DATA)
    services.report_approve(report=report, by=personas["contract_manager"])
    services.report_publish(report=report, by=personas["contract_manager"])
    page = _page(client, personas["secretariat"], report)
    assert "30,0\u00a0%" in page  # no counts in the snapshot: nothing to withhold
    assert "&lt;5" not in page
    client_for(client, personas["secretariat"])
    pdf = client.get(reverse("rapporter:report_pdf", args=[report.period, report.version]))
    assert pdf.status_code == 200
    assert "30,0 %" in " ".join(_pdf_text(b"".join(pdf.streaming_content)).split())
    assert exports.tables(report)["benchmarks"][1][-1] == 30.0


def test_a_compiled_half_year_with_4_answers_withholds_the_benchmark_mean_in_the_pdf(client, personas):
    """The real snapshot's shape: compiled, not hand-made, with the n's the compile now keeps. Three
    providers in one comparable group, 4 answers between them: the group mean is "<5"."""
    from datetime import date

    from kvalitet.models import SurveyResponse
    from kvalitet.periods import HalfYear
    from leverandoer.tests import factories as provider_factories

    for number, scores in enumerate([(4,), (5,), (4, 4)]):
        provider = provider_factories.provider(ref=f"LEV-060{number}", name=f"Få Svar {number} ApS")
        offer = provider_factories.offer(provider=provider)
        provider_factories.agreement(provider=provider)
        for score in scores:
            SurveyResponse.objects.create(offer=offer, answered_on=date(2025, 2, 1), score=score)
    report = services.compile_now(period=HalfYear(2025, 1), by=personas["contract_manager"])
    benchmark = report.data["benchmarks"][0]
    assert (benchmark["survey_mean"], benchmark["survey_answers"], benchmark["providers"]) == (4.3, 4, 3)
    assert report.data["key_figures"]["progress_reports_due"] == 0
    assert exports.tables(report)["benchmarks"][1][3] == "<5"
    client_for(client, personas["contract_manager"])
    response = client.get(reverse("rapporter:report_pdf", args=[report.period, report.version]))
    text = " ".join(_pdf_text(b"".join(response.streaming_content)).split())
    assert "<5¹" in text
    assert "4,3" not in text
    assert SMALL_FOOTNOTE in text
    assert GROUP_FOOTNOTE not in text
    page = client.get(report.get_absolute_url()).content.decode()  # the manager's page: the figure
    assert '<td class="text-end">4,3</td>' in page
