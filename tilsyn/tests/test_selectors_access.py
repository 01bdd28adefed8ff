"""Object-level access lives in the selectors: called directly, without any view or middleware in
front, they give each persona exactly its own rows, and 404 for every other id. A Hypothesis test
shows an inspector's lists, detail pages and files equal exactly the visits assigned to them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PERSONAS, client_for, make_user
from kvalitet.periods import HalfYear
from leverandoer import selectors as provider_selectors
from leverandoer.access import Role
from leverandoer.tests import factories
from rapporter import selectors as report_selectors
from rapporter import services as report_services
from tilsyn import selectors, services
from tilsyn.models import Inspection
from tilsyn.tests import factories as supervision

pytestmark = pytest.mark.django_db
STAFF = {"contract_manager", "administrator"}


def test_providers_offers_and_agreements_are_the_staffs(personas):
    agreement = factories.agreement()
    offer = factories.offer(provider=agreement.provider, agreement=agreement)
    for name in PERSONAS:
        user = personas[name]
        staff = name in STAFF
        assert provider_selectors.providers_for_list(user=user).count() == (1 if staff else 0)
        assert provider_selectors.offers_for_list(user=user).count() == (1 if staff else 0)
        assert provider_selectors.agreements_for_list(user=user).count() == (1 if staff else 0)
        for read, key in (
            (provider_selectors.provider_get, {"ref": offer.provider.ref}),
            (provider_selectors.offer_get, {"ref": offer.ref}),
            (provider_selectors.agreement_get, {"pk": agreement.pk}),
        ):
            if staff:
                assert read(user=user, **key) is not None
            else:
                with pytest.raises(Http404):
                    read(user=user, **key)


def test_action_plans_measures_and_follow_ups_are_the_staffs(personas):
    manager = personas["contract_manager"]
    inspection = supervision.submitted(performer=manager, findings=(("premises", "red"),))
    assessment = services.assessment_confirm(inspection=inspection, scenario=3, justification="", by=manager)
    plan, measure, follow_up = assessment.action_plan, assessment.measures.first(), assessment.follow_ups.first()
    for name in PERSONAS:
        user = personas[name]
        for read, key in (
            (selectors.action_plan_get, {"pk": plan.pk}),
            (selectors.measure_get, {"pk": measure.pk}),
            (selectors.follow_up_get, {"pk": follow_up.pk}),
            (selectors.provider_for_plan, {"ref": inspection.provider.ref}),
        ):
            if name in STAFF:
                assert read(user=user, **key) is not None
            else:
                with pytest.raises(Http404):
                    read(user=user, **key)


def test_the_secretariat_reads_published_versions_only_and_other_roles_none(personas):
    manager = personas["contract_manager"]
    draft = report_services.compile_now(period=HalfYear(2025, 1), by=manager)
    published = report_services.compile_now(period=HalfYear(2025, 1), by=manager)
    second = make_user("anden-chef", Role.CONTRACT_MANAGER)
    report_services.report_approve(report=published, by=second)
    report_services.report_publish(report=published, by=second)
    expected = {
        "contract_manager": {1, 2},
        "administrator": {1, 2},
        "secretariat": {2},
        "inspector_a": set(),
        "inspector_b": set(),
        "caseworker": set(),
    }
    for name, versions in expected.items():
        user = personas[name]
        assert set(report_selectors.reports_visible_to(user).values_list("version", flat=True)) == versions
        for report in (draft, published):
            if report.version in versions:
                assert report_selectors.report_get(user=user, period=report.period, version=report.version)
            else:
                with pytest.raises(Http404):
                    report_selectors.report_get(user=user, period=report.period, version=report.version)
        runs = report_selectors.runs_visible_to(user).count()
        assert runs == (2 if name in STAFF else 0)


REF = re.compile(r"INS-H-\d{3}")


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(assignment=st.lists(st.sampled_from(["a", "b", "none"]), min_size=1, max_size=12))
def test_an_inspectors_lists_details_and_files_are_exactly_their_assigned_visits(client, personas, assignment):
    """Whatever the spread of visits between inspector A, inspector B and contract managers, each
    inspector's list, home page and calendar show exactly their own, and every other id is 404."""
    performers = {"a": personas["inspector_a"], "b": personas["inspector_b"], "none": personas["contract_manager"]}
    provider = factories.provider()
    with transaction.atomic():
        refs = {"a": set(), "b": set(), "none": set()}
        for n, who in enumerate(assignment):
            inspection = supervision.inspection(
                performer=performers[who],
                created_by=personas["contract_manager"],
                provider=provider,
                ref=f"INS-H-{n:03d}",
                planned_on=date(2025, 3, 1 + n),
                method=Inspection.Method.VISIT,
            )
            inspection.report_file.save(f"{inspection.ref}.pdf", supervision.pdf_upload(), save=False)
            inspection.report_filename = "besoeg.pdf"
            inspection.save()
            refs[who].add(inspection.ref)
        every = set().union(*refs.values())
        for who in ("a", "b"):
            user = performers[who]
            assert set(selectors.inspections_visible_to(user).values_list("ref", flat=True)) == refs[who]
            browser = client_for(client, user)
            listed = set(REF.findall(browser.get(reverse("tilsyn:inspection_list")).content.decode()))
            assert listed == refs[who]
            home = set(REF.findall(browser.get(reverse("home")).content.decode()))
            assert home == refs[who]
            for ref in every:
                detail = browser.get(reverse("tilsyn:inspection_detail", args=[ref]))
                download = browser.get(reverse("tilsyn:inspection_report", args=[ref]))
                expected = 200 if ref in refs[who] else 404
                assert (detail.status_code, download.status_code) == (expected, expected), ref
        transaction.set_rollback(True)


def test_complaints_are_the_caseworkers_and_managers_and_spot_checks_the_managers(personas):
    from kvalitet import selectors as track_selectors
    from kvalitet import services as track_services
    from kvalitet.models import Case, Complaint

    provider = factories.provider(kind="anden_aktoer")
    complaint = Complaint.objects.create(ref="K-1", provider=provider, kind="formality", received_on=date(2025, 1, 5))
    Case.objects.create(provider=provider, case_ref="S-1", status="completed")
    spot_check = track_services.spot_check_draw(
        provider=provider, by=personas["contract_manager"], ongoing=0, completed=1, seed=7
    )
    sampled = spot_check.sampled.first()
    readers = {"complaints": {"caseworker", "contract_manager"}, "spot_checks": {"contract_manager"}}
    for name in PERSONAS:
        user = personas[name]
        can_complaints, can_spot_checks = name in readers["complaints"], name in readers["spot_checks"]
        assert list(track_selectors.complaints_visible_to(user)) == ([complaint] if can_complaints else [])
        assert list(track_selectors.spot_checks_visible_to(user)) == ([spot_check] if can_spot_checks else [])
        for allowed, read, key in (
            (can_complaints, track_selectors.complaint_get, {"ref": "K-1"}),
            (can_spot_checks, track_selectors.spot_check_get, {"pk": spot_check.pk}),
            (can_spot_checks, track_selectors.sampled_case_get, {"pk": sampled.pk}),
        ):
            if allowed:
                assert read(user=user, **key) is not None
            else:
                with pytest.raises(Http404):
                    read(user=user, **key)
