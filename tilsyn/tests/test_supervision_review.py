"""Defects found when supervision was tried as a new user, kept fixed."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from conftest import client_for
from leverandoer.models import ReferralStatus
from leverandoer.tests import factories as provider_factories
from tilsyn import services
from tilsyn.models import Finding, Inspection, Measure
from tilsyn.tests import factories
from tilsyn.tests.test_supervision_journey import post_record

pytestmark = pytest.mark.django_db


def plan_data(provider, performer, **overrides) -> dict:
    data = {
        "provider": provider.pk,
        "method": "visit",
        "kind": "annual_base",
        "planned_on": "2025-03-03",
        "performer": performer.pk,
        "report_deadline": "",
        "case_number": "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("planned_on", ["0001-01-01", "1026-05-01", "9999-12-31"])
def test_an_implausible_date_is_refused(cm_client, personas, planned_on):
    provider = provider_factories.provider()
    response = cm_client.post(
        reverse("tilsyn:inspection_create"), plan_data(provider, personas["inspector_a"], planned_on=planned_on)
    )
    assert response.status_code == 200
    assert "er ikke en sandsynlig dato; kontrollér årstallet." in response.context["form"].errors["planned_on"][0]
    assert not Inspection.objects.exists()


def test_a_performed_date_long_before_the_plan_is_refused(client, personas):
    inspection = factories.inspection(performer=personas["inspector_a"], planned_on=date(2025, 3, 1))
    client_for(client, personas["inspector_a"])
    response = post_record(client, inspection, performed_on="2023-01-01", premises=("green", "", False))
    assert response.context["form"].errors["performed_on"] == [
        "Datoen for udførelse ligger mere end et år før den planlagte dato; kontrollér årstallet."
    ]


def test_a_huge_provider_id_is_a_form_error_not_a_500(cm_client, personas):
    data = {**plan_data(provider_factories.provider(), personas["inspector_a"]), "provider": "9" * 25}
    response = cm_client.post(reverse("tilsyn:inspection_create"), data)
    assert response.status_code == 200
    assert "provider" in response.context["form"].errors


def test_reassigning_tells_the_new_inspector(cm_client, personas, mailoutbox, django_capture_on_commit_callbacks):
    personas["inspector_b"].email = "jonas@tilsyn.example.dk"
    personas["inspector_b"].save()
    inspection = factories.inspection(performer=personas["inspector_a"])
    url = reverse("tilsyn:inspection_edit", args=[inspection.ref])
    with django_capture_on_commit_callbacks(execute=True):
        response = cm_client.post(url, plan_data(inspection.provider, personas["inspector_b"]))
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [["jonas@tilsyn.example.dk"]]


def test_the_provider_is_fixed_once_findings_exist(cm_client, personas):
    inspection = factories.inspection(performer=personas["inspector_a"], performed_on=date(2025, 3, 3))
    factories.finding(inspection, "premises", "red")
    other = provider_factories.provider()
    url = reverse("tilsyn:inspection_edit", args=[inspection.ref])
    response = cm_client.post(url, plan_data(other, personas["inspector_a"]))
    assert response.context["form"].errors["provider"] == [
        "Der er registreret fund eller en rapport for denne leverandør; leverandøren kan ikke ændres."
    ]
    late = cm_client.post(url, plan_data(inspection.provider, personas["inspector_a"], planned_on="2025-06-01"))
    assert late.context["form"].errors["planned_on"] == [
        "Den planlagte dato kan ikke ligge efter den dato, tilsynet blev udført."
    ]
    inspection.refresh_from_db()
    assert (inspection.provider_id, inspection.planned_on) != (other.pk, date(2025, 6, 1))


def test_ticked_offers_of_another_provider_get_a_clear_message(cm_client, personas):
    old_offer = provider_factories.offer()
    new_provider = provider_factories.provider()
    data = plan_data(new_provider, personas["inspector_a"], offers=[old_offer.pk])
    response = cm_client.post(reverse("tilsyn:inspection_create"), data)
    assert response.context["form"].errors["offers"] == [
        f"Disse tilbud tilhører en anden leverandør; fjern markeringen: {old_offer.name}"
    ]


def test_a_refused_submission_stores_no_file(client, personas, settings):
    inspection = factories.inspection(performer=personas["inspector_a"])
    client_for(client, personas["inspector_a"])
    response = post_record(client, inspection, submit=True, report=factories.pdf_upload())
    assert response.status_code == 200
    assert not list(settings.MEDIA_ROOT.rglob("*.pdf")) if settings.MEDIA_ROOT.exists() else True
    page = response.content.decode()
    assert "Den valgte fil blev ikke gemt: vælg den igen, før du gemmer." in page


def test_a_replaced_report_removes_the_old_file(client, personas, settings, django_capture_on_commit_callbacks):
    inspection = factories.inspection(performer=personas["inspector_a"])
    client_for(client, personas["inspector_a"])
    with django_capture_on_commit_callbacks(execute=True):
        post_record(client, inspection, report=factories.pdf_upload("a.pdf"))
        post_record(client, inspection, report=factories.pdf_upload("b.pdf"))
    inspection.refresh_from_db()
    stored = list(settings.MEDIA_ROOT.rglob("*.pdf"))
    assert [path.name for path in stored] == [inspection.report_file.name.split("/")[-1]]
    assert inspection.report_filename == "b.pdf"


def test_errors_only_in_a_control_area_show_the_banner(client, personas):
    inspection = factories.inspection(performer=personas["inspector_a"])
    client_for(client, personas["inspector_a"])
    response = post_record(client, inspection, framework_agreement=("", "bemærkning uden vurdering", False))
    page = response.content.decode()
    assert "Formularen indeholder fejl." in page
    assert 'href="#area-framework_agreement"' in page


def test_history_has_each_measure_from_its_creation_and_findings_once(cm_client, personas):
    inspection = factories.inspection(performer=personas["inspector_a"])
    client_for(cm_client, personas["inspector_a"])
    post_record(cm_client, inspection, submit=True, report=factories.pdf_upload(), premises=("red", "x", False))
    client_for(cm_client, personas["contract_manager"])
    cm_client.post(reverse("tilsyn:inspection_assess", args=[inspection.ref]), {"scenario": "3"})
    measure = Measure.objects.filter(assessment__inspection=inspection).first()
    cm_client.post(reverse("tilsyn:measure_done", args=[measure.pk]), {"note": "Holdt møde"})
    history = cm_client.get(inspection.get_absolute_url()).context["history"]
    finding_entries = [entry for entry in history if entry["what"].startswith("Fund:")]
    assert [entry["type"] for entry in finding_entries] == ["Oprettet"]
    measure_entries = [entry for entry in history if entry["what"].startswith("Tiltag:")]
    changed = next(entry for entry in measure_entries if entry["type"] == "Ændret" and str(measure) in entry["what"])
    assert {str(change["field"]) for change in changed["changes"]} >= {"udført", "note"}


def test_a_note_with_a_nul_byte_is_refused_and_the_measure_stays_open(cm_client, personas):
    inspection = factories.submitted(performer=personas["inspector_a"])
    assessment = services.assessment_confirm(
        inspection=inspection, scenario=2, justification="", by=personas["contract_manager"]
    )
    measure = assessment.measures.first()
    response = cm_client.post(reverse("tilsyn:measure_done", args=[measure.pk]), {"note": "a\x00b"}, follow=True)
    assert "Null-tegn er ikke tilladte." in response.content.decode()
    measure.refresh_from_db()
    assert measure.done_on is None


def test_an_oversized_form_gets_a_danish_400_page(cm_client, personas, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    inspection = factories.inspection(performer=personas["inspector_a"])
    response = post_record(cm_client, inspection, premises=("yellow", "x" * 5000, False))
    assert response.status_code == 400
    assert "Forespørgslen kunne ikke behandles" in response.content.decode()


def test_an_inspection_closes_only_when_everything_is_done(cm_client, personas):
    inspection = factories.submitted(performer=personas["inspector_a"])
    services.assessment_confirm(inspection=inspection, scenario=2, justification="", by=personas["contract_manager"])
    response = cm_client.post(reverse("tilsyn:inspection_close", args=[inspection.ref]), follow=True)
    assert "Tilsynet kan lukkes, når alt er udført. Stadig åbent:" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == "assessed"


def test_the_provider_page_shows_the_effective_status_of_its_offers(cm_client, contract_manager):
    offer = provider_factories.offer()
    from leverandoer.services import referral_status_set

    referral_status_set(target=offer.provider, status=ReferralStatus.STOPPED, reason="x", by=contract_manager)
    page = cm_client.get(offer.provider.get_absolute_url()).content.decode()
    assert "Henvisning: Åben" not in page


def test_a_create_form_posted_twice_creates_once(cm_client, personas):
    provider = provider_factories.provider()
    data = plan_data(provider, personas["inspector_a"], submission_id="abc123")
    first = cm_client.post(reverse("tilsyn:inspection_create"), data)
    second = cm_client.post(reverse("tilsyn:inspection_create"), data, follow=True)
    assert Inspection.objects.count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert "Formularen var allerede gemt; her er resultatet." in second.content.decode()


def test_administrators_read_but_do_not_decide(client, personas):
    inspection = factories.submitted(performer=personas["inspector_a"])
    client_for(client, personas["administrator"])
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert reverse("tilsyn:inspection_assess", args=[inspection.ref]) not in page
    assert client.get(reverse("tilsyn:inspection_assess", args=[inspection.ref])).status_code == 403
    assert Finding.objects.filter(inspection=inspection).exists()


def test_the_history_shows_which_offers_an_inspection_covers_when_they_change(personas):
    """Review finding: changes to Inspection.offers (many-to-many) were not in the history."""
    from datetime import date

    from leverandoer.tests import factories as provider_factories
    from tilsyn import selectors, services

    manager = personas["contract_manager"]
    provider = provider_factories.provider()
    first = provider_factories.offer(provider=provider, name="Mentorforløb Nord")
    second = provider_factories.offer(provider=provider, name="Jobsøgning Syd")
    data = {
        "provider": provider,
        "method": "visit",
        "kind": "annual_base",
        "announced": False,
        "planned_on": date(2025, 5, 1),
        "performer": manager,
    }
    inspection = services.inspection_save(inspection=None, data=data, offers=[first], by=manager)
    services.inspection_save(inspection=inspection, data=data, offers=[second], by=manager)
    changes = [change for entry in selectors.inspection_history(inspection=inspection) for change in entry["changes"]]
    offers = [(change["old"], change["new"]) for change in changes if str(change["field"]) == "tilbud"]
    # `set()` takes the old offer off and puts the new one on: two recorded steps, each with its names.
    assert any(old.startswith("Mentorforløb Nord") and new == "–" for old, new in offers)
    assert any(old == "–" and new.startswith("Jobsøgning Syd") for old, new in offers)


def test_the_admin_cannot_move_an_inspections_status_or_touch_a_submitted_ones_findings(client, personas):
    """Review finding: the admin's editable status skipped the app's steps (a 500 on closing an
    'assessed' inspection without an assessment), and its findings inline edited a locked record."""
    from conftest import client_for
    from tilsyn.models import Inspection

    manager = personas["contract_manager"]
    inspection = factories.submitted(performer=manager, findings=(("premises", "red"),))
    admin_client = client_for(client, personas["administrator"])
    url = reverse("admin:tilsyn_inspection_change", args=[inspection.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="status"' not in html
    assert 'name="findings-0-rating"' not in html
    admin_client.post(url, {"status": "assessed", "findings-TOTAL_FORMS": "0", "findings-INITIAL_FORMS": "0"})
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SUBMITTED
    assert inspection.findings.get().rating == "red"


@pytest.mark.parametrize("changes", [1, 6])
def test_the_inspection_history_reads_related_names_once_per_model(personas, django_assert_max_num_queries, changes):
    """Review finding: 34 queries for 11 history rows, one or more per row for names."""
    from tilsyn import selectors

    manager = personas["contract_manager"]
    inspection = factories.inspection(performer=manager)
    finding = factories.finding(inspection, "premises", "green")
    for n in range(changes):
        finding.rating = "red" if n % 2 == 0 else "yellow"
        finding.remark = f"Ændring {n}"
        finding.save()
        inspection.case_number = f"SAG-{n}"
        inspection.save()
    with django_assert_max_num_queries(14):
        entries = selectors.inspection_history(inspection=inspection)
    assert len(entries) == 2 * (changes + 1)
