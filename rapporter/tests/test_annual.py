"""The H2 report's annual supervision section (tables A–F), the key figures over the years, what
changed since the previous half-year, and the charts shared by page and PDF."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from conftest import make_user
from kvalitet.models import Attendance, Complaint, HoursRecord, ProgressReport
from kvalitet.periods import HalfYear
from leverandoer.access import Role
from leverandoer.models import Provider
from leverandoer.tests import factories as provider_factories
from rapporter import compile as compiler
from rapporter import services, summary
from rapporter.models import Publication, ScenarioOverride
from tilsyn.models import Assessment, Inspection
from tilsyn.tests import factories as supervision_factories

pytestmark = pytest.mark.django_db
H2 = HalfYear(2024, 2)


def _hours(offer, ordered, delivered, *, on: date, ref: str) -> None:
    HoursRecord.objects.create(
        offer=offer,
        order_ref=ref,
        period_start=on.replace(day=1),
        period_end=on,
        ordered_hours=Decimal(ordered),
        delivered_hours=Decimal(delivered),
    )


def _reports(offer, *, due: date, submitted: int, on_time: int, missing: int, prefix: str) -> None:
    n = 0
    for count, submitted_on in ((on_time, due), (submitted - on_time, date(due.year, due.month, 28)), (missing, None)):
        for _i in range(count):
            n += 1
            ProgressReport.objects.create(
                offer=offer, citizen_ref=f"{prefix}-{n}", due_date=due, submitted_date=submitted_on
            )


@pytest.fixture
def year_2024(personas):
    manager = personas["contract_manager"]
    external = provider_factories.provider(ref="LEV-0200", name="Jobvejen A/S", cvr="10150817")
    provider_factories.agreement(provider=external, starts_on=date(2023, 3, 1), ends_on=date(2026, 2, 28))
    provider_factories.agreement(provider=external, starts_on=date(2024, 6, 1), ends_on=date(2027, 5, 31))
    offer = provider_factories.offer(provider=external)
    provider_factories.offer(provider=external, active=False)
    visit = supervision_factories.submitted(
        performer=manager,
        provider=external,
        performed_on=date(2024, 9, 10),
        announced=False,
        findings=(("premises", "yellow"), ("attendance", "red")),
    )
    Assessment.objects.create(
        inspection=visit,
        proposed_scenario=3,
        proposal_rule="red",
        proposal_explanation="rød",
        scenario=3,
        confirmed_by=manager,
    )
    supervision_factories.submitted(
        performer=manager,
        provider=external,
        performed_on=date(2024, 3, 1),
        method=Inspection.Method.DATA_CHECK,
        findings=(("hours_documented", "green"),),
    )
    # Not performed, outside the year: neither counts.
    supervision_factories.inspection(performer=manager, provider=external, planned_on=date(2024, 11, 1))
    supervision_factories.submitted(performer=manager, provider=external, performed_on=date(2023, 12, 31))
    # Hours and reports: 2023 and 2024 for the trend.
    _hours(offer, "1000", "996", on=date(2024, 4, 30), ref="H-1")
    _hours(offer, "200", "190", on=date(2023, 5, 31), ref="H-2")
    _reports(offer, due=date(2024, 5, 1), submitted=24, on_time=20, missing=1, prefix="A")
    _reports(offer, due=date(2023, 5, 1), submitted=9, on_time=9, missing=1, prefix="B")
    for n, correct in enumerate([True, True, True, False]):
        Attendance.objects.create(
            offer=offer, citizen_ref=f"C-{n}", month=date(2024, 2, 1), registered_correctly=correct
        )

    suf = provider_factories.provider(
        ref="LEV-0300", name="Værkstedet Sjælør", kind=Provider.Kind.INTERNAL, administration="SUF"
    )
    _hours(provider_factories.offer(provider=suf), "100", "100", on=date(2024, 3, 31), ref="S-1")
    idle = provider_factories.provider(ref="LEV-0301", name="Ledigt Center", kind=Provider.Kind.INTERNAL)
    provider_factories.offer(provider=idle)  # no data and no supervision in the year: not listed
    centre = provider_factories.provider(
        ref="LEV-0400", name="Jobcenter Nord", kind=Provider.Kind.INTERNAL, administration="BIF"
    )
    supervision_factories.submitted(
        performer=manager,
        provider=centre,
        performed_on=date(2024, 10, 2),
        method=Inspection.Method.CASE_REVIEW,
        findings=(("legislation", "green"),),
    )
    for n in range(12):  # twelve offers: the ten with the most ordered hours are reviewed
        centre_offer = provider_factories.offer(provider=centre)
        _hours(centre_offer, str(100 + n), str(100 + n - (n % 2)), on=date(2024, 6, 30), ref=f"E-{n}")
    return {"external": external, "suf": suf, "centre": centre}


def test_the_h2_report_holds_the_annual_tables_with_hand_computed_figures(year_2024):
    data = compiler.build(period=H2)
    annual = data["annual"]
    assert annual["year"] == 2024

    (row_a,) = annual["external"]
    assert row_a == {
        "provider_ref": "LEV-0200",
        "name": "Jobvejen A/S",
        "kind": "external",
        "cvr": "10150817",
        "offers": 1,
        "agreement_from": "2023-03-01",
        "agreement_to": "2027-05-31",
        "supervisions": {"visit": 1, "data": 1, "case_review": 0},
        "worst_rating": "red",
        "scenario": 3,
    }
    assert annual["internal"] == [
        {
            "provider_ref": "LEV-0400",
            "name": "Jobcenter Nord",
            "offers": 12,
            "worst_rating": "green",
            "administration": "BIF",
            "supervisions": 1,
        },
        {
            "provider_ref": "LEV-0300",
            "name": "Værkstedet Sjælør",
            "offers": 1,
            "worst_rating": None,
            "administration": "SUF",
            "supervisions": 0,
        },
    ]
    assert annual["visits"] == [
        {
            "provider_ref": "LEV-0200",
            "name": "Jobvejen A/S",
            "date": "2024-09-10",
            "kind": "annual_base",
            "announced": False,
            "worst_rating": "red",
        }
    ]
    assert annual["data_checks"] == [
        {
            "provider_ref": "LEV-0200",
            "name": "Jobvejen A/S",
            "checks": 1,
            "hours_delivered_pct": 99.6,  # 996 of 1000
            "progress_reports_submitted_pct": 96.0,  # 24 of 25
            "progress_reports_on_time_pct": 80.0,  # 20 of 25
            "attendance_registered_pct": 75.0,  # 3 of 4
            "progress_reports_due": 25,
            "attendance_registrations": 4,
        }
    ]
    # Ten largest of ordered 100..111: 102..111 = 1065 ordered; delivered one less for odd n (5 of them).
    assert annual["centres"] == [
        {
            "provider_ref": "LEV-0400",
            "name": "Jobcenter Nord",
            "offers_reviewed": 10,
            "ordered_hours": 1065.0,
            "delivered_hours": 1060.0,
            "difference_hours": -5.0,
        }
    ]
    # Table F: external providers only, every year in the data.
    assert annual["key_figures"] == [
        {
            "year": 2023,
            "partial": False,
            "hours_delivered_pct": 95.0,
            "progress_reports_submitted_pct": 90.0,
            "progress_reports_on_time_pct": 90.0,
            "progress_reports_due": 10,
        },
        {
            "year": 2024,
            "partial": False,
            "hours_delivered_pct": 99.6,
            "progress_reports_submitted_pct": 96.0,
            "progress_reports_on_time_pct": 80.0,
            "progress_reports_due": 25,
        },
    ]
    # The summary's trend counts every provider, the centre's twelve offers too:
    # (996 + 1260 + 100) / (1000 + 1266 + 100) = 99.58 %.
    assert [row["year"] for row in data["trend"]] == [2023, 2024]
    assert data["trend"][1]["hours_delivered_pct"] == 99.6


def test_only_the_h2_report_has_the_annual_section_and_an_h1_trend_is_partial(year_2024):
    data = compiler.build(period=HalfYear(2024, 1))
    assert "annual" not in data
    assert data["trend"][-1]["year"] == 2024
    assert data["trend"][-1]["partial"] is True


def test_the_annual_compile_query_count_does_not_grow_with_providers(django_assert_max_num_queries, personas):
    def add(n: int) -> None:
        for _i in range(n):
            offer = provider_factories.offer()
            provider_factories.agreement(provider=offer.provider)
            _hours(offer, "10", "9", on=date(2024, 8, 31), ref=f"Q-{offer.pk}")
            supervision_factories.submitted(
                performer=personas["contract_manager"], provider=offer.provider, performed_on=date(2024, 9, 1)
            )

    add(3)
    with django_assert_max_num_queries(60) as small:
        compiler.build(period=H2)
    add(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = compiler.build(period=H2)
    assert len(data["annual"]["external"]) == 30


def test_changes_compare_with_what_was_decided_in_the_previous_half_year(personas):
    manager = personas["contract_manager"]
    stays = provider_factories.provider(ref="LEV-0500", name="Bliver ApS")
    leaves = provider_factories.provider(ref="LEV-0501", name="Forsvinder ApS")
    for provider in (stays, leaves):
        provider_factories.agreement(provider=provider, starts_on=date(2024, 1, 1), ends_on=date(2024, 6, 30))
    provider_factories.agreement(provider=stays, starts_on=date(2024, 7, 1), ends_on=date(2025, 12, 31))
    first = services.compile_now(period=HalfYear(2024, 1), by=manager)
    assert first.data["changes"] == {"previous": None, "undecided": "2023-H2"}
    ScenarioOverride.objects.create(
        report=first, provider_ref="LEV-0500", scenario=2, justification="Dialog i gang", changed_by=manager
    )
    # Only the published version decides the half-year; a draft is never compared with.
    assert services.compile_now(period=H2, by=manager).data["changes"] == {"previous": None, "undecided": "2024-H1"}
    Publication.objects.create(
        report=first, approved_by=make_user("mads", Role.CONTRACT_MANAGER), published_at=timezone.now()
    )
    newcomer = provider_factories.provider(ref="LEV-0502", name="Ny ApS")
    provider_factories.agreement(provider=newcomer, starts_on=date(2024, 7, 1), ends_on=date(2025, 12, 31))
    for n in range(3):  # three upheld complaints: red complaints track, scenario 3
        Complaint.objects.create(
            ref=f"K-{n}",
            provider=stays,
            kind="formality",
            received_on=date(2024, 8, 5),
            decision="upheld",
            decided_on=date(2024, 9, 1),
        )
    second = services.compile_now(period=H2, by=manager)
    changes = second.data["changes"]
    assert changes["previous"] == {"period": "2024-H1", "version": 1, "published": True}
    assert changes["before"] == {"LEV-0500": 2, "LEV-0501": None}  # LEV-0500 as decided there: the override
    rows = services.effective_rows(second)
    assert summary.scenario_changes(second.data, rows) == [
        {"provider_ref": "LEV-0500", "name": "Bliver ApS", "before": 2, "after": 3, "direction": "worse"}
    ]
    # An override in this version counts: the change follows the decided scenario, and so do the counts.
    services.scenario_decide(report=second, provider_ref="LEV-0500", scenario=2, justification="Samme", by=manager)
    rows = services.effective_rows(second)
    assert summary.scenario_changes(second.data, rows) == []
    assert summary.scenario_counts(rows) == {"1": 0, "2": 1, "3": 0, "4": 0, "none": 1}
    assert changes["new"] == ["Ny ApS"]
    assert changes["gone"] == ["Forsvinder ApS"]


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_page_and_the_pdf_share_the_charts_and_show_the_annual_section(client, personas, year_2024):
    report = services.compile_now(period=H2, by=personas["contract_manager"])
    second = make_user("mads", Role.CONTRACT_MANAGER)
    services.report_approve(report=report, by=second)
    services.report_publish(report=report, by=second)
    client.force_login(personas["secretariat"])
    page = client.get(report.get_absolute_url()).content.decode()
    for chart_id in ("chart-colours", "chart-trend", "chart-annual-trend"):
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in page
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "style=" not in svg
    assert "<script" not in svg
    for number in re.findall(r' (?:x|y|width|height|cx|cy)="([^"]+)"', svg):
        float(number)  # coordinates are never localised (no 12,5)
    assert "Jobvejen A/S" in page
    assert "99,6\u00a0%" in page

    response = client.get(reverse("rapporter:report_pdf", args=[report.period, report.version]))
    text = _pdf_text(b"".join(response.streaming_content))
    assert "Jobvejen A/S" in text
    assert "Jobcenter Nord" in text
    assert "99,6" in text  # Table D and F, Danish form
    assert "2023" in text
    assert "2.024" not in text


def test_every_table_of_the_h2_pdf_exports_as_csv(cm_client, personas, year_2024):
    report = services.compile_now(period=H2, by=personas["contract_manager"])
    page = cm_client.get(report.get_absolute_url()).content.decode()
    for table in ("annual_a", "annual_b", "annual_c", "annual_d", "annual_e", "annual_f", "trend", "changes"):
        url = reverse("rapporter:report_export_csv", args=[report.period, report.version, table])
        assert url in page
        response = cm_client.get(url)
        assert response.status_code == 200
    text = b"".join(
        cm_client.get(
            reverse("rapporter:report_export_csv", args=[report.period, report.version, "annual_d"])
        ).streaming_content
    ).decode("utf-8-sig")
    # Attendance over 4 registrations is a small number: withheld in the export, with its footnote.
    assert text.splitlines()[1] == "LEV-0200;Jobvejen A/S;1;99,6;96,0;80,0;<5"
    assert list(csv.reader(text.splitlines()[-1:], delimiter=";")) == [
        ["<5: beregnet på færre end 5 borgere, besvarelser eller rapporter; tallet offentliggøres ikke."]
    ]
    h1 = services.compile_now(period=HalfYear(2024, 1), by=personas["contract_manager"])
    assert (
        cm_client.get(reverse("rapporter:report_export_csv", args=[h1.period, h1.version, "annual_a"])).status_code
        == 404
    )
