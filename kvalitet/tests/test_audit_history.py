"""Audit: every change to domain data is recorded with who, when and what (django-simple-history)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from conftest import client_for
from leverandoer.models import ContactPerson, OfferType
from leverandoer.tests import factories

# Models without a history of their own, each for a stated reason (see their docstrings).
WITHOUT_HISTORY = {
    "leverandoer.RefSequence": "a counter for generated refs",
    "tilsyn.WorkerPing": "a technical probe of the worker",
    "tilsyn.ReminderLog": "itself a log, written once",
    "tilsyn.CalendarFeed": "history would keep old secret tokens",
    "tilsyn.CaseEvent": "a journal entry of its case, written once; the case has history",
    "kvalitet.SampledCase": "written once with its spot check, which has history",
    "kvalitet.ImportLog": "itself an audit record, never edited",
    "kvalitet.ImportRun": "a job's state; who and when are on the row, what it changed in its ImportLog",
    "kvalitet.ComplaintAccess": "the access log: append-only, never edited",
    "rapporter.ReportRun": "a job's state; who and when are on the row",
    "rapporter.QualityReport": "immutable; who and when are on the row",
    "rapporter.Discard": "written once beside the immutable version; who and when are on the row",
}


def domain_models():
    for label in ("leverandoer", "tilsyn", "kvalitet", "rapporter"):
        for model in apps.get_app_config(label).get_models():
            if not hasattr(model, "instance_type"):  # the historical models themselves
                yield model


def test_every_domain_model_has_history_or_a_stated_reason():
    missing = [
        model._meta.label
        for model in domain_models()
        if not hasattr(model._meta, "simple_history_manager_attribute") and model._meta.label not in WITHOUT_HISTORY
    ]
    assert missing == []
    labels = {model._meta.label for model in domain_models()}
    assert set(WITHOUT_HISTORY) <= labels  # no stale exclusions


@pytest.mark.django_db
def test_a_contact_change_in_the_browser_is_recorded_with_who_and_what(client, personas):
    manager = personas["contract_manager"]
    provider = factories.provider(contract_manager=manager)
    person = ContactPerson.objects.create(provider=provider, name="Anne Holm", title="Leder")
    client_for(client, manager)
    data = {
        "ref": provider.ref,
        "name": provider.name,
        "kind": provider.kind,
        "administration": "",
        "cvr": provider.cvr,
        "address": "",
        "contract_manager": manager.pk,
        "active": "on",
        "notes": "",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "1",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "20",
        "contacts-0-id": person.pk,
        "contacts-0-name": "Anne Holm",
        "contacts-0-title": "Direktør",
        "contacts-0-email": "",
        "contacts-0-phone": "",
    }
    response = client.post(reverse("leverandoer:provider_edit", args=[provider.ref]), data)
    assert response.status_code == 302
    records = list(ContactPerson.history.filter(id=person.pk).order_by("history_date"))
    assert [record.history_type for record in records] == ["+", "~"]
    assert (records[-1].title, records[-1].history_user) == ("Direktør", manager)
    # Saving again unchanged adds no history entry.
    client.post(reverse("leverandoer:provider_edit", args=[provider.ref]), data)
    assert ContactPerson.history.filter(id=person.pk).count() == 2


@pytest.mark.django_db
def test_reference_data_changes_are_recorded_in_the_admin(client, personas):
    admin = personas["administrator"]
    offer_type = OfferType.objects.create(code="testtype", name="Testtype")
    client_for(client, admin)
    url = reverse("admin:leverandoer_offertype_change", args=[offer_type.pk])
    response = client.post(
        url,
        {"code": "testtype", "name": "Testtype ny", "description": "", "active": "on", "risk_factor": "0.5"},
    )
    assert response.status_code == 302
    latest = OfferType.history.filter(id=offer_type.pk).latest("history_date")
    assert (latest.name, latest.history_type, latest.history_user) == ("Testtype ny", "~", admin)
    history_page = client.get(reverse("admin:leverandoer_offertype_history", args=[offer_type.pk]))
    assert history_page.status_code == 200


@pytest.mark.django_db
def test_the_complaint_page_shows_who_changed_what(client, personas):
    from kvalitet.models import Complaint

    provider = factories.provider()
    client_for(client, personas["caseworker"])
    data = {
        "received_on": "2025-02-03",
        "kind": "formality",
        "provider": provider.pk,
        "subject": "Manglende partshøring",
        "citizen_ref": "B-104233",
        "decision": "",
        "decided_on": "",
        "forwarded_on": "",
    }
    client.post(reverse("kvalitet:complaint_create"), {**data, "submission_id": "h-1"})
    complaint = Complaint.objects.get()
    client_for(client, personas["contract_manager"])
    client.post(reverse("kvalitet:complaint_edit", args=[complaint.ref]), {**data, "subject": "Manglende aktindsigt"})
    page = client.get(reverse("kvalitet:complaint_edit", args=[complaint.ref]))
    history = page.context["history"]
    assert [(entry["who"], [change["new"] for change in entry["changes"]]) for entry in history] == [
        (personas["contract_manager"], ["Manglende aktindsigt"]),
        (personas["caseworker"], []),
    ]
    content = page.content.decode()
    assert "Manglende partshøring → Manglende aktindsigt" in content
    assert "Contract-Manager" in content
    assert "Caseworker" in content


@pytest.mark.django_db
def test_provider_and_offer_pages_show_their_history(client, personas):
    manager = personas["contract_manager"]
    offer = factories.offer()
    provider = offer.provider
    provider.contract_manager = manager
    provider.save()
    ContactPerson.objects.create(provider=provider, name="Anne Holm")
    client_for(client, manager)
    provider_page = client.get(reverse("leverandoer:provider_detail", args=[provider.ref]))
    assert provider_page.status_code == 200
    whats = [entry["what"] for entry in provider_page.context["history"]]
    assert any("Anne Holm" in what for what in whats)
    assert any(provider.name in what for what in whats)
    offer_page = client.get(reverse("leverandoer:offer_detail", args=[offer.ref]))
    offer_history = offer_page.context["history"]
    assert len(offer_history) == 1
    assert str(offer) in offer_history[0]["what"]


@pytest.mark.django_db
def test_rows_from_before_history_began_have_a_starting_point():
    from kvalitet.models import ChecklistItem
    from tilsyn.models import ControlArea, ScenarioPolicy

    for model in (ControlArea, ScenarioPolicy, ChecklistItem, OfferType):
        assert model.objects.exists()
        started = model.history.filter(history_type="+", history_change_reason="History began")
        assert set(started.values_list("id", flat=True)) == set(model.objects.values_list("pk", flat=True))
