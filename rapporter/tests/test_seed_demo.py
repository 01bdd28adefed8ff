"""seed_demo: realistic demo data in an empty database, and demo logins that work."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from leverandoer.access import Role, user_roles
from leverandoer.models import FrameworkAgreement, Offer, Provider
from leverandoer.validators import cvr_is_valid
from rapporter.models import QualityReport
from tilsyn.models import ActionPlan, Assessment, Inspection, Measure

pytestmark = pytest.mark.django_db


def read_logins(path) -> dict[str, str]:
    return {
        line.split()[0]: line.split()[1]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }


def test_seed_demo_creates_providers_of_every_kind_and_a_login_per_role(tmp_path, capsys):
    logins_file = tmp_path / "logins.txt"
    call_command("seed_demo", logins_file=logins_file)

    assert 35 <= Provider.objects.count() <= 45
    assert 100 <= Offer.objects.count() <= 140
    kinds = set(Provider.objects.values_list("kind", flat=True))
    assert kinds == {"external", "internal", "anden_aktoer"}
    assert all(cvr_is_valid(cvr) for cvr in Provider.objects.exclude(kind="internal").values_list("cvr", flat=True))
    assert not Provider.objects.filter(kind="internal", administration="").exists()
    assert FrameworkAgreement.objects.filter(provider__kind="external").count() >= 20
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

    # Supervision across 2023–2025, with repeats that reach scenario 4.
    years = {inspection.planned_on.year for inspection in Inspection.objects.all()}
    assert {2023, 2024, 2025} <= years
    assert Assessment.objects.filter(scenario=4, proposal_rule="repeated_red").exists()
    assert Assessment.objects.filter(scenario=4, proposal_rule="gross_violation").exists()
    assert ActionPlan.objects.filter(status="demanded").exists()
    assert Inspection.objects.filter(status="submitted").exists()
    assert Inspection.objects.filter(status="planned", performer__username="inspektoer-a").exists()
    # A referral stop ticked off in the demo has stopped the provider, as it would in use.
    stops = Measure.objects.filter(kind="referral_stop", done_on__isnull=False)
    assert stops.exists()
    assert all(m.assessment.inspection.provider.referral_status == "stopped" for m in stops)
    # 2025 is a year in progress: some providers supervised, some only planned, some not at all.
    from tilsyn.planning import supervision_plan

    plan = supervision_plan(year=2025, today=date(2025, 12, 31))
    statuses = {row["status"] for row in plan["rows"]}
    assert statuses == {"covered", "planned", "missing"}
    assert 50 < plan["coverage"] < 95

    # The 2023–2025 reports show every colour and every scenario.
    reports = QualityReport.objects.all()
    assert sorted(r.period for r in reports) == ["2023-H1", "2023-H2", "2024-H1", "2024-H2", "2025-H1", "2025-H2"]
    colours = {t["colour"] for r in reports for p in r.data["providers"] for t in p["tracks"].values()}
    scenarios = {p["proposed_scenario"] for r in reports for p in r.data["providers"]}
    assert colours == {"green", "yellow", "red", "none"}
    assert {1, 2, 3, 4} <= scenarios


def test_seed_demo_twice_adds_nothing_and_keeps_the_passwords(tmp_path):
    logins_file = tmp_path / "logins.txt"
    call_command("seed_demo", logins_file=logins_file)
    first = read_logins(logins_file)
    providers = Provider.objects.count()
    call_command("seed_demo", logins_file=logins_file)
    assert read_logins(logins_file) == first
    assert Provider.objects.count() == providers
    assert authenticate(username="administrator", password=first["administrator"]) is not None
