"""The half-year compile: versions, hashes, idempotent runs, the sweeper, the command and the page."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from kvalitet.models import Complaint, HoursRecord, SurveyResponse
from kvalitet.periods import HalfYear
from leverandoer.tests import factories as provider_factories
from rapporter import compile as compiler
from rapporter import services
from rapporter.models import QualityReport, ReportRun

pytestmark = pytest.mark.django_db
H1 = HalfYear(2025, 1)


@pytest.fixture
def red_provider():
    offer = provider_factories.offer(provider=provider_factories.provider(name="Rød ApS", ref="LEV-0100"))
    for n in range(3):
        Complaint.objects.create(
            ref=f"K-{n}",
            provider=offer.provider,
            kind="formality",
            received_on=date(2025, 1, 5),
            decision="upheld",
            decided_on=date(2025, 2, 1),
        )
    HoursRecord.objects.create(
        offer=offer,
        order_ref="O-1",
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        ordered_hours=Decimal(200),
        delivered_hours=Decimal("199.2"),
    )
    return offer.provider


def test_compiling_twice_makes_two_versions_with_their_hashes(red_provider):
    first = services.compile_now(period=H1)
    second = services.compile_now(period=H1)
    assert (first.period, first.version, second.version) == ("2025-H1", 1, 2)
    assert first.sha256 == compiler.digest(first.data) == second.sha256  # same data, same hash
    row = first.data["providers"][0]
    assert (row["provider_ref"], row["tracks"]["complaints"]["colour"], row["proposed_scenario"]) == (
        "LEV-0100",
        "red",
        3,
    )
    assert first.data["standing_out"] == ["LEV-0100"]
    assert row["measures"] == ["dialogue_meeting", "guidance", "action_plan", "referral_strategy"]
    assert first.data["key_figures"] == {
        "hours_delivered_pct": 99.6,
        "progress_reports_submitted_pct": None,
        "progress_reports_on_time_pct": None,
        "progress_reports_due": 0,
        "supervisions_by_method": {"visit": 0, "data": 0, "case_review": 0},
        "providers_by_scenario": {"1": 0, "2": 0, "3": 1, "4": 0},
    }
    first.refresh_from_db()
    assert first.version == 1  # the old version stays readable


def test_a_half_year_without_data_is_a_report_that_says_so():
    report = services.compile_now(period=HalfYear(2019, 1))
    assert report.data["providers"] == []
    assert report.data["key_figures"]["providers_by_scenario"] == {"1": 0, "2": 0, "3": 0, "4": 0}


def test_a_duplicate_delivery_does_no_work_twice(red_provider):
    run = ReportRun.objects.create(period="2025-H1")
    assert services.run_compile(run_id=run.pk) is not None
    assert services.run_compile(run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts) == ("done", 100, 1)
    assert QualityReport.objects.count() == 1


def test_the_sweeper_retries_silent_runs_fails_them_after_three_tries_and_resends_forgotten_ones(red_provider):
    old = timezone.now() - timedelta(hours=1)
    stuck = ReportRun.objects.create(period="2025-H1", status="running", heartbeat_at=old, attempts=1)
    worn_out = ReportRun.objects.create(period="2025-H1", status="running", heartbeat_at=old, attempts=3)
    forgotten = ReportRun.objects.create(period="2025-H1")
    ReportRun.objects.filter(pk=forgotten.pk).update(created_at=old)
    result = services.runs_sweep()
    assert result == {"failed": 1, "retried": 1, "resent": 2}
    stuck.refresh_from_db()
    worn_out.refresh_from_db()
    forgotten.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("done", 2)  # tasks run in-process in tests
    assert stuck.error == "The worker stopped sending heartbeats; tried again."
    assert (worn_out.status, worn_out.error) == ("failed", "The worker stopped sending heartbeats.")
    assert forgotten.status == "done"
    assert not ReportRun.objects.filter(status="running").exists()
    assert QualityReport.objects.count() == 2


def test_a_worker_that_lost_its_claim_stores_nothing(red_provider):
    """The sweeper gave the run to another worker while this one was silent: when it wakes up its
    version is not stored and the run is not touched."""
    run = ReportRun.objects.create(period="2025-H1")
    claim = ReportRun.objects.filter(pk=run.pk, attempts=1)
    ReportRun.objects.filter(pk=run.pk).update(status="running", attempts=2)  # another worker's claim
    data = compiler.build(period=H1)
    assert services._store_version(period=H1, data=data, run=run, claim=claim) is None
    assert not QualityReport.objects.exists()
    assert ReportRun.objects.get(pk=run.pk).status == "running"


def test_the_command_writes_the_json_the_page_shows(red_provider, tmp_path):
    out = io.StringIO()
    path = tmp_path / "report.json"
    call_command("compile_quality_report", "2025-H1", "--json", str(path), stdout=out)
    document = json.loads(path.read_text())
    report = QualityReport.objects.get()
    assert (document["period"], document["version"], document["hash"]) == ("2025-H1", 1, report.sha256)
    assert set(document["providers"][0]["tracks"]) == {
        "complaints",
        "user_surveys",
        "case_handling",
        "effect",
        "supervision",
    }
    assert "2025-H1 version 1" in out.getvalue()


@pytest.mark.parametrize("period", ["2024-H3", "24-H1", "abc"])
def test_a_malformed_period_is_refused(period):
    with pytest.raises(CommandError, match="Ugyldigt halvår"):
        call_command("compile_quality_report", period)
    assert not QualityReport.objects.exists()


def test_the_pdf_fetches_nothing_but_static_files():
    from weasyprint.urls import URLFetchingError

    from rapporter.pdf import static_only_fetcher

    for url in ("https://example.org/x.png", "file:///etc/passwd", "static:../../etc/passwd"):
        with pytest.raises(URLFetchingError):
            static_only_fetcher(url)


def test_a_contract_manager_compiles_in_the_browser_and_reads_a_red_cell(
    cm_client, red_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(reverse("rapporter:report_list"), {"period": "2025-H1"})
    run = ReportRun.objects.get()
    report = QualityReport.objects.get()
    assert response["Location"] == run.get_absolute_url()  # the test's transaction defers the compile
    page = cm_client.get(run.get_absolute_url()).content.decode()
    assert report.get_absolute_url() in page
    matrix = cm_client.get(report.get_absolute_url()).content.decode()
    assert "Klager: 3, heraf med medhold: 3; rød over 2." in matrix
    assert "Rød: klager." in matrix
    refused = cm_client.post(reverse("rapporter:report_list"), {"period": "2025-H3"})
    assert refused.context["form"].errors["period"]


@pytest.mark.parametrize("providers", [3, 30])
def test_the_compile_query_count_does_not_grow_with_providers(django_assert_max_num_queries, providers):
    for n in range(providers):
        offer = provider_factories.offer()
        SurveyResponse.objects.create(offer=offer, answered_on=date(2025, 2, 1), score=(n % 5) + 1)
        provider_factories.agreement(provider=offer.provider)
    with django_assert_max_num_queries(40):
        data = compiler.build(period=H1)
    assert len(data["providers"]) == providers


def test_the_schedules_are_declared_in_code():
    from tilsyn import celery_app

    schedule = celery_app.conf.beat_schedule
    drafts = schedule["draft-report-each-half-year"]
    assert drafts["task"] == "rapporter.tasks.compile_draft_for_last_half_year"
    assert (drafts["schedule"].day_of_month, drafts["schedule"].month_of_year) == ({1}, {1, 7})
    assert schedule["sweep-report-runs"]["task"] == "rapporter.tasks.sweep_report_runs"
    from django.conf import settings

    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT


def test_the_draft_task_compiles_the_half_year_just_ended(monkeypatch):
    from rapporter.tasks import compile_draft_for_last_half_year

    monkeypatch.setattr(timezone, "localdate", lambda: date(2026, 7, 1))
    run_id = compile_draft_for_last_half_year()
    assert ReportRun.objects.get(pk=run_id).period == "2026-H1"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_the_compile_runs_in_the_request_and_the_result_is_shown(client, red_provider):
    from conftest import make_user
    from leverandoer.access import Role

    client.force_login(make_user("karin", Role.CONTRACT_MANAGER))
    response = client.post(reverse("rapporter:report_list"), {"period": "2025-H1"})
    assert response["Location"] == QualityReport.objects.get().get_absolute_url()


def test_a_compiled_report_cannot_be_changed(red_provider):
    report = services.compile_now(period=H1)
    report.data = {"tampered": True}
    with pytest.raises(ValueError, match="immutable"):
        report.save()
    report.refresh_from_db()
    assert "tampered" not in report.data
