"""seed_demo: realistic demo data around a given today, every complete half-year published, and demo
logins that work. Always seeded with a fixed `today` and a clock frozen to it, never the calendar."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from kvalitet.models import (
    CaseReview,
    Complaint,
    HoursRecord,
    Outcome,
    ProgressReport,
    SpotCheck,
    SurveyResponse,
)
from leverandoer.access import Role, user_roles
from leverandoer.models import FrameworkAgreement, Offer, Provider
from leverandoer.validators import cvr_is_valid
from rapporter.models import Publication, QualityReport
from tilsyn.models import ActionPlan, Assessment, CaseEvent, FollowUp, FollowUpCase, Inspection, Measure

pytestmark = pytest.mark.django_db


def read_logins(path) -> dict[str, str]:
    return {
        line.split()[0]: line.split()[1]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }


def seed(monkeypatch, tmp_path, today: date):
    """Seed as if on `today`: the date passed to the command, and the clock the services read."""
    noon = timezone.make_aware(datetime.combine(today, time(12)))
    monkeypatch.setattr(timezone, "now", lambda: noon)
    logins_file = tmp_path / "logins.txt"
    call_command("seed_demo", logins_file=logins_file, today=today)
    return logins_file


def assert_nothing_after(today: date) -> None:
    """Nothing measured, due, answered or decided after today."""
    after = {
        "hours": HoursRecord.objects.filter(period_end__gt=today),
        "surveys": SurveyResponse.objects.filter(answered_on__gt=today),
        "reports due": ProgressReport.objects.filter(due_date__gt=today),
        "reports submitted": ProgressReport.objects.filter(submitted_date__gt=today),
        "outcomes measured": Outcome.objects.filter(follow_up_on__gt=today),
        "courses ended": Outcome.objects.filter(course_end__gt=today),
        "complaints received": Complaint.objects.filter(received_on__gt=today),
        "complaints decided": Complaint.objects.filter(decided_on__gt=today),
        "complaints forwarded": Complaint.objects.filter(forwarded_on__gt=today),
        "spot checks": SpotCheck.objects.filter(drawn_on__gt=today),
        "case reviews": CaseReview.objects.filter(reviewed_on__gt=today),
        "inspections performed": Inspection.objects.filter(performed_on__gt=today),
        "assessments": Assessment.objects.filter(confirmed_at__date__gt=today),
        "measures done": Measure.objects.filter(done_on__gt=today),
        "follow-ups done": FollowUp.objects.filter(done_on__gt=today),
        "referral set": Provider.objects.filter(referral_set_on__gt=today),
        "published": Publication.objects.filter(published_at__date__gt=today),
    }
    assert {name: rows.count() for name, rows in after.items() if rows.exists()} == {}


def published_periods() -> list[str]:
    return sorted(
        QualityReport.objects.filter(publication__published_at__isnull=False).values_list("period", flat=True)
    )


def test_seed_demo_on_1_december_builds_three_living_years_and_publishes_each_complete_half_year(
    monkeypatch, tmp_path, capsys, client
):
    today = date(2026, 12, 1)
    logins_file = seed(monkeypatch, tmp_path, today)

    assert 35 <= Provider.objects.count() <= 45
    assert 100 <= Offer.objects.count() <= 140
    kinds = set(Provider.objects.values_list("kind", flat=True))
    assert kinds == {"external", "internal", "anden_aktoer"}
    assert all(cvr_is_valid(cvr) for cvr in Provider.objects.exclude(kind="internal").values_list("cvr", flat=True))
    assert not Provider.objects.filter(kind="internal", administration="").exists()
    assert FrameworkAgreement.objects.filter(provider__kind="external").count() >= 20
    assert not FrameworkAgreement.objects.filter(ends_on__lt=today).exists()
    assert Offer.objects.values("offer_type", "target_group").distinct().count() >= 10
    assert Provider.objects.exclude(referral_status="open").exists()

    logins = read_logins(logins_file)
    roles = set()
    for username, password in logins.items():
        user = authenticate(username=username, password=password)
        assert user is not None, username
        roles |= user_roles(user)
    assert roles == set(Role)
    assert "kontraktansvarlig" in capsys.readouterr().out

    # The living years are 2024–2026, and nothing lies after today.
    assert {i.planned_on.year for i in Inspection.objects.filter(performed_on__isnull=False)} == {2024, 2025, 2026}
    assert {r.answered_on.year for r in SurveyResponse.objects.all()} == {2024, 2025, 2026}
    assert {h.period_start.year for h in HoursRecord.objects.all()} == {2024, 2025, 2026}
    assert_nothing_after(today)

    # Decisions as an administration takes them: a decided repeat, a red decided lower with a reason.
    assert Assessment.objects.filter(scenario=4, proposal_rule="repeated_red").exists()
    assert Assessment.objects.filter(scenario=4, proposal_rule="gross_violation").exists()
    lower = Assessment.objects.filter(scenario__lt=F("proposed_scenario"))
    assert lower.exists()
    assert not lower.filter(justification="").exists()
    assert lower.filter(justification="Forholdet er rettet under besøget.", proposed_scenario=3, scenario=2).exists()
    assert lower.count() < Assessment.objects.count() / 4
    imported = Inspection.objects.filter(imported=True)
    assert {i.performed_on.year for i in imported} == {2024}
    assert {i.decided_scenario for i in imported} >= {None, 1, 2, 3}
    assert ActionPlan.objects.filter(status="demanded").exists()
    assert Inspection.objects.filter(status="submitted").exists()
    assert Inspection.objects.filter(status="planned", performer__username="inspektoer-a").exists()
    # A referral stop in a running follow-up case has stopped the provider at once; a case that ran
    # its course is closed, and its stop lifted with a justification.
    stops = Measure.objects.filter(kind="referral_stop", done_on__isnull=False)
    running = stops.exclude(case__status="closed")
    assert running.exists()
    assert all(m.case.provider.referral_status == "stopped" for m in running)
    assert not stops.filter(case__isnull=True).exists()
    closed = FollowUpCase.objects.filter(status="closed")
    assert closed.exists()
    assert not closed.filter(closing_note="").exists()
    assert set(CaseEvent.objects.values_list("source", flat=True)) >= {"inspection", "half_year", "complaint"}
    # Every case is dated by its first escalation, and none closes before it opened.
    assert not FollowUpCase.objects.filter(closed_at__lt=F("opened_at")).exists()
    # No own centre is stopped or restricted, and none has a contractual measure.
    assert not Provider.objects.filter(kind="internal").exclude(referral_status="open").exists()
    assert not Measure.objects.filter(
        case__provider__kind="internal", kind__in=["referral_stop", "referral_strategy", "breach_case"]
    ).exists()
    # 2026 is a year in progress: most supervised, some planned later this year, some not yet.
    from tilsyn.planning import supervision_plan

    plan = supervision_plan(year=2026, today=today)
    statuses = {row["status"] for row in plan["rows"]}
    assert statuses == {"covered", "planned", "missing"}
    assert 50 < plan["coverage"] < 95
    assert Inspection.objects.filter(planned_on__year=2026, planned_on__gt=today, performed_on__isnull=True).exists()

    # Every complete half-year is compiled by one contract manager, approved by the other and
    # published, once; the half-year in progress is not compiled.
    assert published_periods() == ["2024-H1", "2024-H2", "2025-H1", "2025-H2", "2026-H1"]
    assert sorted(QualityReport.objects.values_list("period", flat=True)) == published_periods()
    for report in QualityReport.objects.select_related("publication"):
        assert report.compiled_by.username == "kontraktansvarlig"
        assert report.publication.approved_by.username == "kontraktansvarlig2"
        assert report.publication.published_at.date() <= today

    # Every colour and every scenario still appears; scenario 4 stays rare.
    reports = QualityReport.objects.all()
    colours = {t["colour"] for r in reports for p in r.data["providers"] for t in p["tracks"].values()}
    scenarios = [p["proposed_scenario"] for r in reports for p in r.data["providers"]]
    assert colours == {"green", "yellow", "red", "none"}
    assert {1, 2, 3, 4} <= set(scenarios)
    assert scenarios.count(1) + scenarios.count(2) > len(scenarios) / 2
    assert scenarios.count(4) <= len(reports) * 3

    # The secretariat sees them at first login.
    client.force_login(authenticate(username="sekretariat", password=logins["sekretariat"]))
    page = client.get(reverse("home")).content.decode()
    for period in published_periods():
        assert f"Kvalitetsrapport {period}, version 1" in page


def test_seed_demo_in_march_has_the_new_year_in_progress(monkeypatch, tmp_path):
    today = date(2027, 3, 15)
    seed(monkeypatch, tmp_path, today)

    assert {i.planned_on.year for i in Inspection.objects.filter(performed_on__isnull=False)} <= {2025, 2026, 2027}
    assert {r.answered_on.year for r in SurveyResponse.objects.all()} == {2025, 2026, 2027}
    assert_nothing_after(today)
    assert SurveyResponse.objects.filter(answered_on__year=2027).exists()
    assert published_periods() == ["2025-H1", "2025-H2", "2026-H1", "2026-H2"]
    assert not QualityReport.objects.filter(period="2027-H1").exists()


def test_seed_demo_twice_adds_nothing_and_keeps_the_passwords(monkeypatch, tmp_path):
    logins_file = seed(monkeypatch, tmp_path, date(2026, 12, 1))
    first = read_logins(logins_file)
    providers = Provider.objects.count()
    reports = QualityReport.objects.count()
    call_command("seed_demo", logins_file=logins_file, today=date(2026, 12, 1))
    assert read_logins(logins_file) == first
    assert Provider.objects.count() == providers
    assert QualityReport.objects.count() == reports
    assert authenticate(username="administrator", password=first["administrator"]) is not None
