"""Personal data: a CPR number typed into any free-text field is masked before it is stored — by every
way of writing (save, create, bulk_create, update) and in the history rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.db import models

from kvalitet.models import SurveyResponse
from leverandoer.fields import CprMaskedMixin, mask_cpr_keeping_length
from leverandoer.models import Provider
from leverandoer.tests import factories
from rapporter.models import ScenarioOverride
from tilsyn.models import ActionPlan, ControlArea, Finding, Inspection
from tilsyn.tests import factories as supervision

CPR = "010190-1234"


def test_masking_keeps_the_length_so_the_text_still_fits():
    assert mask_cpr_keeping_length(f"Borger {CPR} og 0101901234 og 010190–1234.") == (
        "Borger XXXXXX-XXXX og XXXXXXXXXX og XXXXXX–XXXX."
    )
    assert mask_cpr_keeping_length("Faktura 2024-0012345, 12 34 56 78") == "Faktura 2024-0012345, 12 34 56 78"


# Free text a person types, in every domain model; identifiers, names and addresses are not prose.
EXPECTED_FREE_TEXT = {
    "leverandoer.OfferType": {"description"},
    "leverandoer.TargetGroup": {"description"},
    "leverandoer.Provider": {"notes", "referral_reason"},
    "leverandoer.FrameworkAgreement": {"notes"},
    "leverandoer.Offer": {"referral_reason"},
    "tilsyn.ControlArea": {"description"},
    "tilsyn.Inspection": {"report_filename"},
    "tilsyn.Finding": {"remark"},
    "tilsyn.Assessment": {"justification"},
    "tilsyn.Measure": {"note"},
    "tilsyn.FollowUpCase": {"closing_note"},
    "tilsyn.CaseEvent": {"knowledge_source", "justification"},
    "tilsyn.FollowUp": {"note"},
    "tilsyn.ActionPlan": {"reason", "filename", "note"},
    "tilsyn.RiskWeight": {"description"},
    "kvalitet.Complaint": {"subject"},
    "kvalitet.SurveyResponse": {"comment"},
    "kvalitet.ImportLog": {"filename"},
    "kvalitet.ImportRun": {"filename", "error"},
    "kvalitet.ScoringRule": {"description"},
    "rapporter.Discard": {"reason"},
    "rapporter.ReportRun": {"error"},
    "rapporter.ScenarioOverride": {"justification"},
}


def test_every_free_text_field_masks_cpr_numbers():
    masked, unmasked_text = {}, []
    for label in ("leverandoer", "tilsyn", "kvalitet", "rapporter"):
        for model in apps.get_app_config(label).get_models():
            if hasattr(model, "instance_type"):
                continue  # history models copy the fields of their model
            for field in model._meta.concrete_fields:
                if isinstance(field, CprMaskedMixin):
                    masked.setdefault(model._meta.label, set()).add(field.name)
                elif isinstance(field, models.TextField) and not field.choices:
                    unmasked_text.append(f"{model._meta.label}.{field.name}")
    assert masked == EXPECTED_FREE_TEXT
    # The one TextField left is the scenario rule's own explanation, which the code writes.
    assert unmasked_text == ["tilsyn.Assessment.proposal_explanation"]


@pytest.mark.django_db
def test_every_way_of_writing_masks_and_the_history_keeps_only_the_masked_text(personas):
    inspection = supervision.inspection(performer=personas["contract_manager"])
    area = ControlArea.objects.get(code="premises")
    finding = Finding.objects.create(inspection=inspection, control_area=area, rating="yellow", remark=f"Sag {CPR}")
    assert finding.remark == "Sag XXXXXX-XXXX"  # the instance shows what was stored
    finding.remark = f"Rettet: {CPR}"
    finding.save()
    Finding.objects.filter(pk=finding.pk).update(remark=f"Opdateret {CPR}")
    finding.refresh_from_db()
    assert finding.remark == "Opdateret XXXXXX-XXXX"
    history = list(Finding.history.filter(id=finding.pk).values_list("remark", flat=True))
    assert sorted(history) == ["Rettet: XXXXXX-XXXX", "Sag XXXXXX-XXXX"]

    offer = factories.offer()
    SurveyResponse.objects.bulk_create(
        [SurveyResponse(offer=offer, answered_on=date(2025, 3, 1), score=3, comment=CPR)]
    )
    assert SurveyResponse.objects.get().comment == "XXXXXX-XXXX"

    plan = ActionPlan.objects.create(provider=inspection.provider, deadline=date(2025, 5, 1), filename=f"{CPR}.pdf")
    assert ActionPlan.objects.get(pk=plan.pk).filename == "XXXXXX-XXXX.pdf"
    Provider.objects.filter(pk=inspection.provider_id).update(notes=f"Ring om {CPR}")
    assert Provider.objects.get(pk=inspection.provider_id).notes == "Ring om XXXXXX-XXXX"
    assert Inspection._meta.get_field("report_filename").max_length == 255
    assert ScenarioOverride._meta.get_field("justification").__class__.__name__ == "FreeTextField"


@pytest.mark.django_db
def test_a_form_shown_again_with_an_error_shows_the_number_masked(client, personas):
    from django.urls import reverse

    from conftest import client_for
    from kvalitet.models import Complaint

    client_for(client, personas["caseworker"])
    data = {
        "received_on": "2999-01-01",  # in the future: refused, the form is shown again
        "kind": "formality",
        "provider": factories.provider().pk,
        "subject": f"Borgeren {CPR} klager",
        "citizen_ref": "B-1",
    }
    response = client.post(reverse("kvalitet:complaint_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["received_on"]
    page = response.content.decode()
    assert "Borgeren XXXXXX-XXXX klager" in page
    assert "010190" not in page
    assert not Complaint.objects.exists()
