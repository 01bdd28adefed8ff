"""The supervision journey through the views: plan, assign, report, submit, assess, follow up."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from leverandoer.models import ReferralStatus
from leverandoer.tests import factories as provider_factories
from tilsyn import services
from tilsyn.models import ActionPlan, Assessment, EscalationRule, Finding, Inspection, Measure
from tilsyn.tests import factories

pytestmark = pytest.mark.django_db

AREAS = [
    "hours_documented",
    "progress_reports_on_time",
    "progress_report_content",
    "attendance",
    "premises",
    "legislation",
    "framework_agreement",
]


def record_post(performed_on="2025-03-03", submit=False, **areas) -> dict:
    """The findings form: every control area, with the given (rating, remark, gross) per area."""
    data = {"performed_on": performed_on}
    for code in AREAS:
        rating, remark, gross = areas.get(code, ("", "", False))
        data[f"area-{code}-rating"] = rating
        data[f"area-{code}-remark"] = remark
        if gross:
            data[f"area-{code}-gross_violation"] = "on"
    data["submit" if submit else "save"] = "1"
    return data


@pytest.fixture
def provider(contract_manager):
    return provider_factories.provider(name="Jobvejen A/S", contract_manager=contract_manager)


def plan_visit(client, provider, inspector) -> Inspection:
    response = client.post(
        reverse("tilsyn:inspection_create"),
        {
            "provider": provider.pk,
            "method": "visit",
            "kind": "annual_base",
            "planned_on": "2025-03-03",
            "performer": inspector.pk,
            "report_deadline": "2025-03-20",
            "case_number": "2025-0001234",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    return Inspection.objects.get()


def test_the_whole_journey(client, personas, provider, mailoutbox, django_capture_on_commit_callbacks):
    manager, inspector = personas["contract_manager"], personas["inspector_a"]
    inspector.email = "ida@tilsyn.example.dk"
    inspector.save()

    # The contract manager plans an unannounced base visit and assigns it to inspector A.
    client_for(client, manager)
    with django_capture_on_commit_callbacks(execute=True):
        inspection = plan_visit(client, provider, inspector)
    assert inspection.ref == "INS-2025-0001"
    assert (inspection.announced, inspection.kind, inspection.status) == (False, "annual_base", "planned")
    assert [mail.to for mail in mailoutbox] == [["ida@tilsyn.example.dk"]]
    assert "INS-2025-0001" in mailoutbox[0].subject
    assert "Jobvejen A/S" in mailoutbox[0].body

    # The inspector logs in, uploads a PDF, records two red findings and submits.
    client_for(client, inspector)
    assert inspection.ref in client.get(reverse("home")).content.decode()
    data = record_post(
        submit=True,
        premises=("red", "Lokalerne er uegnede.", False),
        attendance=("red", "Fravær ikke indberettet.", False),
        hours_documented=("green", "", False),
    )
    data["report"] = factories.pdf_upload("Tilsynsrapport marts.pdf")
    response = client.post(reverse("tilsyn:inspection_record", args=[inspection.ref]), data)
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "submitted"
    assert inspection.submitted_by == inspector
    assert inspection.report_filename == "Tilsynsrapport marts.pdf"
    assert sorted(inspection.findings.values_list("control_area__code", "rating")) == [
        ("attendance", "red"),
        ("hours_documented", "green"),
        ("premises", "red"),
    ]

    # The manager sees scenario 3 proposed, with the rule and the findings behind it, and confirms.
    client_for(client, manager)
    page = client.get(reverse("tilsyn:inspection_assess", args=[inspection.ref]))
    assert page.context["proposal"].scenario == 3
    text = page.content.decode()
    assert (
        "Scenarie 3: mindst ét rødt fund: Fremmøde og fravær er registreret korrekt, "
        "De fysiske rammer på leveringsadressen."
    ) in text
    response = client.post(reverse("tilsyn:inspection_assess", args=[inspection.ref]), {"scenario": "3"})
    assert response.status_code == 302
    assessment = Assessment.objects.get(inspection=inspection)
    assert (assessment.proposed_scenario, assessment.scenario, assessment.confirmed_by) == (3, 3, manager)
    assert set(assessment.measures.values_list("kind", flat=True)) == {
        "dialogue_meeting",
        "guidance",
        "action_plan",
        "referral_strategy",
    }
    assert set(assessment.follow_ups.values_list("kind", flat=True)) == {
        "mandatory_control",
        "unannounced_visits",
        "extra_external_visits",
    }

    # The action plan with its deadline appears on the provider.
    plan = ActionPlan.objects.get()
    assert plan.deadline == timezone.localdate() + timedelta(days=30)
    provider_page = client.get(provider.get_absolute_url()).content.decode()
    assert inspection.ref in provider_page
    assert "Krævet" in provider_page
    assert plan.deadline.strftime("%-d.") in provider_page

    # The history on the inspection page shows who did what.
    detail = client.get(inspection.get_absolute_url())
    kinds = [entry["what"] for entry in detail.context["history"]]
    assert any(what.startswith("Tilsyn:") for what in kinds)
    assert any(what.startswith("Vurdering:") for what in kinds)
    assert any(entry["who"] == inspector for entry in detail.context["history"])
    submitted_change = next(
        entry
        for entry in detail.context["history"]
        if entry["who"] == inspector and entry["type"] == "Ændret" and entry["what"].startswith("Tilsyn:")
    )
    changes = {str(change["field"]): (change["old"], change["new"]) for change in submitted_change["changes"]}
    assert changes["status"] == ("Planlagt", "Rapport indsendt")
    assert changes["indsendt af"] == ("–", inspector.get_full_name() or inspector.username)
    assert changes["tilsynsrapport"] == ("–", "ny fil")


def test_a_red_finding_repeating_a_remark_decided_as_3_proposes_scenario_4(client, personas, provider):
    manager, inspector = personas["contract_manager"], personas["inspector_a"]
    earlier = factories.submitted(
        performer=inspector, provider=provider, performed_on=date(2024, 9, 1), findings=[("premises", "red")]
    )
    services.assessment_confirm(inspection=earlier, scenario=3, justification="", by=manager)
    now = factories.submitted(
        performer=inspector, provider=provider, performed_on=date(2025, 3, 3), findings=[("premises", "red")]
    )
    client_for(client, manager)
    page = client.get(reverse("tilsyn:inspection_assess", args=[now.ref]))
    assert page.context["proposal"].scenario == 4
    assert page.context["proposal"].rule == "repeated_red"
    assert earlier.ref in page.content.decode()


@pytest.mark.parametrize(
    ("decided", "sentence"),
    [
        (
            2,
            "Tidligere rødt fund i De fysiske rammer på leveringsadressen ({ref}), vurderet som scenarie 2 — ikke en gentagelse.",
        ),
        (
            None,
            "Tidligere rødt fund i De fysiske rammer på leveringsadressen ({ref}), aldrig afgjort — ikke en gentagelse.",
        ),
    ],
)
def test_an_earlier_red_decided_lower_or_never_decided_is_no_repeat_and_the_page_says_so(
    client, personas, provider, decided, sentence
):
    manager, inspector = personas["contract_manager"], personas["inspector_a"]
    earlier = factories.submitted(
        performer=inspector, provider=provider, performed_on=date(2024, 9, 1), findings=[("premises", "red")]
    )
    if decided:
        services.assessment_confirm(
            inspection=earlier, scenario=decided, justification="Rettet under besøget.", by=manager
        )
    now = factories.submitted(
        performer=inspector, provider=provider, performed_on=date(2025, 3, 3), findings=[("premises", "red")]
    )
    client_for(client, manager)
    page = client.get(reverse("tilsyn:inspection_assess", args=[now.ref]))
    assert (page.context["proposal"].scenario, page.context["proposal"].rule) == (3, "red")
    assert sentence.format(ref=earlier.ref) in page.content.decode()


def test_the_repeat_window_is_what_the_administrator_set(client, personas, provider):
    manager, inspector = personas["contract_manager"], personas["inspector_a"]
    earlier = factories.submitted(
        performer=inspector, provider=provider, performed_on=date(2024, 9, 1), findings=[("premises", "red")]
    )
    services.assessment_confirm(inspection=earlier, scenario=3, justification="", by=manager)
    now = factories.submitted(
        performer=inspector, provider=provider, performed_on=date(2025, 3, 3), findings=[("premises", "red")]
    )
    EscalationRule.objects.update(repeat_window_months=6)  # 1 September 2024 is more than 6 months before
    client_for(client, manager)
    assert client.get(reverse("tilsyn:inspection_assess", args=[now.ref])).context["proposal"].scenario == 3


def test_an_unsubmitted_earlier_red_does_not_count(client, personas, provider):
    inspector = personas["inspector_a"]
    draft = factories.inspection(performer=inspector, provider=provider, performed_on=date(2024, 9, 1))
    factories.finding(draft, "premises", "red")
    now = factories.submitted(performer=inspector, provider=provider, findings=[("premises", "red")])
    client_for(client, personas["contract_manager"])
    assert client.get(reverse("tilsyn:inspection_assess", args=[now.ref])).context["proposal"].scenario == 3


def test_an_imported_earlier_red_decided_as_3_counts(client, personas, provider):
    inspector = personas["inspector_a"]
    imported = factories.inspection(
        performer=inspector, provider=provider, performed_on=date(2024, 9, 1), imported=True, decided_scenario=3
    )
    factories.finding(imported, "premises", "red")
    now = factories.submitted(performer=inspector, provider=provider, findings=[("premises", "red")])
    client_for(client, personas["contract_manager"])
    assert client.get(reverse("tilsyn:inspection_assess", args=[now.ref])).context["proposal"].scenario == 4


def test_overriding_the_scenario_needs_a_justification(client, personas, provider):
    inspection = factories.submitted(performer=personas["inspector_a"], provider=provider)
    client_for(client, personas["contract_manager"])
    url = reverse("tilsyn:inspection_assess", args=[inspection.ref])
    refused = client.post(url, {"scenario": "3", "justification": "  "})
    assert refused.status_code == 200
    assert refused.context["form"].errors["justification"] == [
        "Forklar, hvorfor du vælger et andet scenarie end det foreslåede."
    ]
    assert not Assessment.objects.exists()
    client.post(url, {"scenario": "3", "justification": "Gentagne mangler set i andre spor."})
    assessment = Assessment.objects.get()
    assert (assessment.proposed_scenario, assessment.scenario, assessment.overridden) == (2, 3, True)
    assert assessment.justification == "Gentagne mangler set i andre spor."


def test_scenario_4_measures_stop_referrals_on_the_provider(client, personas, provider):
    manager = personas["contract_manager"]
    inspection = factories.submitted(performer=personas["inspector_a"], provider=provider)
    Finding.objects.filter(inspection=inspection).update(rating="red", gross_violation=True)
    client_for(client, manager)
    client.post(reverse("tilsyn:inspection_assess", args=[inspection.ref]), {"scenario": "4"})
    assessment = Assessment.objects.get()
    assert assessment.action_plan.deadline == timezone.localdate() + timedelta(days=7)
    stop = assessment.measures.get(kind=Measure.Kind.REFERRAL_STOP)
    client.post(reverse("tilsyn:measure_done", args=[stop.pk]), {"note": "Aftalt med chefen."})
    provider.refresh_from_db()
    assert provider.referral_status == ReferralStatus.STOPPED
    assert provider.referral_set_by == manager
    assert inspection.ref in provider.referral_reason
    stop.refresh_from_db()
    assert stop.done_by == manager
    assert "Henvisning: Stoppet" in client.get(provider.get_absolute_url()).content.decode()
    again = client.post(reverse("tilsyn:measure_done", args=[stop.pk]), follow=True)
    assert "Tiltaget er allerede markeret som udført." in again.content.decode()


# --- Bad input ---------------------------------------------------------------------------------


@pytest.fixture
def assigned(personas, provider):
    return factories.inspection(performer=personas["inspector_a"], provider=provider)


def post_record(client, inspection, **kwargs):
    files = kwargs.pop("report", None)
    data = record_post(**kwargs)
    if files is not None:
        data["report"] = files
    return client.post(reverse("tilsyn:inspection_record", args=[inspection.ref]), data)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (factories.pdf_upload("x.pdf", b"<html><script>alert(1)</script></html>"), "Filen er ikke en PDF."),
        (factories.pdf_upload("x.pdf", b"%PDF-1.7 but then nothing"), "Filen kunne ikke læses som PDF."),
        (factories.pdf_upload("x.pdf", b""), "Den indsendte fil er tom."),
    ],
)
def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_stored(client, personas, assigned, upload, message):
    client_for(client, personas["inspector_a"])
    response = post_record(client, assigned, report=upload, premises=("yellow", "Mangler skilt.", False))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["report"])
    assert "Mangler skilt." in response.content.decode()
    assigned.refresh_from_db()
    assert not assigned.report_file
    assert not assigned.findings.exists()


def test_a_pdf_over_the_limit_is_refused(client, personas, assigned, settings):
    settings.UPLOAD_MAX_MB = 1
    big = factories.pdf_bytes() + b"%" + b"0" * (1024 * 1024)
    client_for(client, personas["inspector_a"])
    response = post_record(client, assigned, report=factories.pdf_upload("stor.pdf", big))
    assert response.context["form"].errors["report"] == ["Filen fylder 1,0 MB; grænsen er 1 MB."]
    assigned.refresh_from_db()
    assert not assigned.report_file


@pytest.mark.parametrize(
    ("area", "field", "message"),
    [
        (
            ("", "En bemærkning uden vurdering", False),
            "rating",
            "Vælg en vurdering, eller fjern bemærkningen og markeringen.",
        ),
        (("", "", True), "rating", "Vælg en vurdering, eller fjern bemærkningen og markeringen."),
        (("yellow", "", True), "gross_violation", "Groft brud kan kun markeres på et rødt fund."),
    ],
)
def test_finding_rules_give_field_errors(client, personas, assigned, area, field, message):
    client_for(client, personas["inspector_a"])
    response = post_record(client, assigned, premises=area)
    assert response.status_code == 200
    premises = next(form for form in response.context["areas"] if form.area.code == "premises")
    assert premises.errors[field] == [message]
    assert not assigned.findings.exists()


def test_submitting_without_findings_or_report_is_refused(client, personas, assigned):
    client_for(client, personas["inspector_a"])
    response = post_record(client, assigned, submit=True)
    errors = response.context["form"].errors
    assert errors["__all__"] == ["Registrér mindst ét fund, før du indsender."]
    assert errors["report"] == ["Upload tilsynsrapporten som PDF, før du indsender."]
    assigned.refresh_from_db()
    assert assigned.status == "planned"


def test_a_saved_draft_keeps_findings_and_marks_the_inspection_performed(client, personas, assigned):
    client_for(client, personas["inspector_a"])
    post_record(client, assigned, premises=("yellow", "Skilt mangler", False))
    assigned.refresh_from_db()
    assert assigned.status == "performed"
    assert list(assigned.findings.values_list("rating", "remark")) == [("yellow", "Skilt mangler")]
    # Clearing the rating again removes the finding: the area was not checked after all.
    post_record(client, assigned)
    assert not assigned.findings.exists()


def test_a_performed_date_in_the_future_is_refused(client, personas, assigned):
    client_for(client, personas["inspector_a"])
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = post_record(client, assigned, performed_on=future, premises=("green", "", False))
    assert response.context["form"].errors["performed_on"] == ["Datoen for udførelse kan ikke ligge i fremtiden."]


def test_an_inspector_cannot_reach_another_inspectors_visit(client, personas, assigned):
    client_for(client, personas["inspector_b"])
    for name in ("inspection_detail", "inspection_record", "inspection_report"):
        assert client.get(reverse(f"tilsyn:{name}", args=[assigned.ref])).status_code == 404
    response = post_record(client, assigned, premises=("red", "", False))
    assert response.status_code == 404
    assert not assigned.findings.exists()
    listing = client.get(reverse("tilsyn:inspection_list"))
    assert list(listing.context["page"]) == []


def test_a_submitted_inspection_cannot_be_changed_by_the_inspector(client, personas, provider):
    inspection = factories.submitted(performer=personas["inspector_a"], provider=provider)
    client_for(client, personas["inspector_a"])
    response = post_record(client, inspection, premises=("green", "", False), follow=False)
    assert response.status_code == 302
    assert list(inspection.findings.values_list("rating", flat=True)) == ["yellow"]
    page = client.get(response["Location"]).content.decode()
    assert "Tilsynet er indsendt og kan ikke længere ændres." in page


def test_the_report_is_served_as_an_attachment_that_is_not_cached_or_sniffed(client, personas, assigned):
    assigned.report_file.save("x.pdf", factories.pdf_upload())
    assigned.report_filename = 'Rapport æøå "1".pdf'
    assigned.save()
    client_for(client, personas["inspector_a"])
    response = client.get(reverse("tilsyn:inspection_report", args=[assigned.ref]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''Rapport%20%C3%A6%C3%B8%C3%A5" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store, private"  # tilsyn.security.NoStoreMiddleware
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_the_action_plan_is_received_with_its_file_and_cannot_go_back(client, personas, provider):
    inspection = factories.submitted(performer=personas["inspector_a"], provider=provider)
    client_for(client, personas["contract_manager"])
    client.post(reverse("tilsyn:inspection_assess", args=[inspection.ref]), {"scenario": "2"})
    plan = ActionPlan.objects.get()
    url = reverse("tilsyn:action_plan_edit", args=[plan.pk])
    refused = client.post(url, {"status": "received", "note": ""})
    assert refused.context["form"].errors["file"] == [
        "Vedhæft leverandørens handleplan, før den markeres som modtaget."
    ]
    client.post(url, {"status": "received", "note": "Modtaget pr. mail", "file": factories.pdf_upload("plan.pdf")})
    plan.refresh_from_db()
    assert (plan.status, plan.filename) == ("received", "plan.pdf")
    back = client.post(url, {"status": "demanded", "note": ""})
    assert back.context["form"].errors["status"] == ["En handleplans status kan ikke gå tilbage."]
    assert client.get(reverse("tilsyn:action_plan_file", args=[plan.pk])).status_code == 200


def test_overdue_is_derived_from_the_deadline(personas, provider):
    inspection = factories.submitted(performer=personas["inspector_a"], provider=provider)
    from tilsyn.services import assessment_confirm

    assessment = assessment_confirm(
        inspection=inspection, scenario=2, justification="", by=personas["contract_manager"]
    )
    plan = assessment.action_plan
    assert not plan.is_overdue(plan.deadline)
    assert plan.is_overdue(plan.deadline + timedelta(days=1))
    plan.status = ActionPlan.Status.RECEIVED
    assert not plan.is_overdue(plan.deadline + timedelta(days=1))
