"""A complaint that indicates a general wrong practice escalates: it opens the provider's follow-up
case or joins the open one, decides no scenario, and for an own centre adds legal training."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import client_for
from kvalitet.models import Complaint
from kvalitet.tests.test_tracks_pages import complaint_post
from leverandoer.models import Provider
from leverandoer.tests import factories as provider_factories
from tilsyn import services as supervision
from tilsyn.models import ActionPlan, FollowUpCase, Measure
from tilsyn.tests import factories

pytestmark = pytest.mark.django_db


def _flagged(client, provider, **overrides):
    data = complaint_post(provider, decision="upheld", decided_on="2025-03-01", general_practice="on", **overrides)
    return client.post(reverse("kvalitet:complaint_create"), data, follow=True)


def test_a_complaint_pointing_to_a_wrong_practice_opens_a_case_without_a_scenario(client, personas):
    provider = provider_factories.provider()
    client_for(client, personas["caseworker"])
    response = _flagged(client, provider)
    complaint = Complaint.objects.get()
    case = FollowUpCase.objects.get()
    assert (complaint.case, case.provider, case.source, case.scenario) == (case, provider, "complaint", None)
    assert complaint.action_plan.case == case
    assert set(case.measures.values_list("kind", flat=True)) == {"dialogue_meeting", "action_plan"}
    assert case.status == "awaiting_plan"
    assert f"Klagen peger på en generel forkert praksis og indgår i opfølgningssag {case.ref}." in " ".join(
        response.content.decode().split()
    )


def test_a_complaint_joins_the_providers_open_case_instead_of_starting_another(client, personas):
    provider = provider_factories.provider()
    inspection = factories.submitted(
        performer=personas["inspector_a"], provider=provider, findings=[("premises", "red")]
    )
    case = supervision.assessment_confirm(
        inspection=inspection, scenario=3, justification="", by=personas["contract_manager"]
    ).case
    plan = ActionPlan.objects.get()
    client_for(client, personas["caseworker"])
    _flagged(client, provider)
    _flagged(client, provider, subject="Endnu en klage")
    assert FollowUpCase.objects.count() == 1
    case.refresh_from_db()
    assert case.scenario == 3  # a complaint decides no scenario
    assert set(Complaint.objects.values_list("case", flat=True)) == {case.pk}
    assert list(case.events.values_list("source", flat=True)) == ["inspection", "complaint", "complaint"]
    # Still one plan in progress: the complaints' demands update the case's plan.
    assert ActionPlan.objects.get() == plan
    plan.refresh_from_db()
    assert all(complaint.ref in plan.reason for complaint in Complaint.objects.all())


def test_an_own_centre_gets_legal_training_after_a_complaint(client, personas):
    centre = provider_factories.provider(kind=Provider.Kind.INTERNAL, administration="SOF")
    client_for(client, personas["caseworker"])
    _flagged(client, centre)
    case = FollowUpCase.objects.get()
    kinds = set(case.measures.values_list("kind", flat=True))
    assert Measure.Kind.LEGAL_TRAINING in kinds
    assert not kinds & Measure.CONTRACTUAL


def test_a_complaint_flagged_twice_escalates_once(client, personas):
    provider = provider_factories.provider()
    client_for(client, personas["caseworker"])
    _flagged(client, provider)
    complaint = Complaint.objects.get()
    data = complaint_post(provider, decision="upheld", decided_on="2025-03-01", general_practice="on")
    client.post(reverse("kvalitet:complaint_edit", args=[complaint.ref]), data)
    assert FollowUpCase.objects.get().events.count() == 1
    assert Measure.objects.count() == 2
