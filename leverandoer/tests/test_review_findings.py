"""Defects found when the foundation was tried as a new user, kept fixed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from leverandoer.models import ContactPerson, Offer, OfferType, Provider, ReferralStatus, TargetGroup
from leverandoer.services import offer_save, referral_status_set
from leverandoer.tests import factories
from leverandoer.tests.test_provider_pages import offer_post, provider_post


@pytest.mark.django_db
@pytest.mark.parametrize("ref", ["ny", "NYT", "Rediger"])
def test_a_ref_that_is_a_url_word_is_refused(cm_client, ref):
    response = cm_client.post(reverse("leverandoer:provider_create"), provider_post(ref=ref))
    assert response.context["form"].errors["ref"] == [f"»{ref.upper()}« er reserveret; vælg en anden reference."]
    assert not Provider.objects.exists()


@pytest.mark.django_db
def test_refs_are_upper_case_so_case_variants_collide(cm_client):
    cm_client.post(reverse("leverandoer:provider_create"), provider_post(ref="lev-0025"))
    assert Provider.objects.get().ref == "LEV-0025"
    response = cm_client.post(reverse("leverandoer:provider_create"), provider_post(ref="Lev-0025", name="Anden"))
    assert response.context["form"].errors["ref"] == ["Referencen er allerede i brug."]
    assert Provider.objects.count() == 1


@pytest.mark.django_db
def test_the_offer_referral_filter_follows_the_effective_status(cm_client, contract_manager):
    stopped_provider = factories.provider()
    own_offers = [factories.offer(provider=stopped_provider) for _ in range(3)]
    referral_status_set(target=stopped_provider, status=ReferralStatus.STOPPED, reason="x", by=contract_manager)
    restricted = factories.offer()
    referral_status_set(target=restricted, status=ReferralStatus.RESTRICTED, reason="y", by=contract_manager)
    open_offer = factories.offer()

    def refs(status):
        page = cm_client.get(reverse("leverandoer:offer_list"), {"referral_status": status}).context["page"]
        return {offer.ref for offer in page}

    assert refs("stopped") == {offer.ref for offer in own_offers}
    assert refs("restricted") == {restricted.ref}
    assert refs("open") == {open_offer.ref}
    assert refs("not_open") == {offer.ref for offer in [*own_offers, restricted]}


@pytest.mark.django_db
def test_the_start_page_count_links_to_restricted_and_stopped(cm_client, contract_manager):
    provider = factories.provider()
    referral_status_set(target=provider, status=ReferralStatus.RESTRICTED, reason="x", by=contract_manager)
    page = cm_client.get(reverse("home")).content.decode()
    assert "?referral_status=not_open" in page
    listing = cm_client.get(reverse("leverandoer:provider_list"), {"referral_status": "not_open"})
    assert [p.pk for p in listing.context["page"]] == [provider.pk]


@pytest.mark.django_db
def test_a_provider_with_agreements_cannot_become_internal(cm_client):
    agreement = factories.agreement()
    provider = agreement.provider
    data = provider_post(kind="internal", administration="BIF", cvr="", name=provider.name)
    response = cm_client.post(reverse("leverandoer:provider_edit", args=[provider.ref]), data)
    assert response.context["form"].errors["kind"] == ["En leverandør med rammeaftaler kan ikke være intern."]
    provider.refresh_from_db()
    assert provider.kind == "external"


@pytest.mark.django_db
def test_editing_keeps_a_contract_manager_who_left_the_role(cm_client, personas):
    former = personas["caseworker"]  # not a contract manager (any more)
    provider = factories.provider(contract_manager=former)
    data = provider_post(name=provider.name, cvr=provider.cvr, contract_manager=former.pk, address="Ny vej 1")
    response = cm_client.post(reverse("leverandoer:provider_edit", args=[provider.ref]), data)
    assert response.status_code == 302
    provider.refresh_from_db()
    assert (provider.contract_manager, provider.address) == (former, "Ny vej 1")


@pytest.mark.django_db
def test_a_contact_deleted_meanwhile_gives_a_visible_message(cm_client):
    provider = factories.provider()
    contact = ContactPerson.objects.create(provider=provider, name="Slettes")
    data = provider_post(
        name=provider.name,
        cvr=provider.cvr,
        **{
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(contact.pk),
            "contacts-0-name": "Slettes",
        },
    )
    contact.delete()
    response = cm_client.post(reverse("leverandoer:provider_edit", args=[provider.ref]), data)
    assert response.status_code == 200
    assert "En kontaktperson er blevet ændret af en anden i mellemtiden." in response.content.decode()


@pytest.mark.django_db
def test_the_offer_form_lists_only_the_chosen_providers_agreements_with_their_provider(cm_client):
    mine = factories.agreement(title="Rammeaftale A")
    factories.agreement(title="Rammeaftale B")
    form = cm_client.get(reverse("leverandoer:offer_create"), {"provider": mine.provider.ref}).context["form"]
    labels = [label for value, label in form.fields["agreement"].choices if value]
    assert labels == [f"Rammeaftale A – {mine.provider.name} (01.01.2024–31.12.2027)"]


@pytest.mark.django_db
@pytest.mark.parametrize("months", ["0", "-3", "37"])
def test_result_months_must_be_between_1_and_36(cm_client, months):
    provider = factories.provider()
    response = cm_client.post(
        reverse("leverandoer:offer_create"), offer_post(provider=provider.pk, result_months=months)
    )
    assert "result_months" in response.context["form"].errors
    assert not Offer.objects.exists()


@pytest.mark.django_db
def test_a_cvr_number_typed_with_spaces_is_accepted(cm_client):
    cm_client.post(reverse("leverandoer:provider_create"), provider_post(cvr="2531 3763"))
    assert Provider.objects.get().cvr == "25313763"


@pytest.mark.django_db
def test_the_admin_does_not_set_referral_status_or_change_refs(client, administrator):
    provider = factories.provider()
    client.force_login(administrator)
    page = client.get(reverse("admin:leverandoer_provider_change", args=[provider.pk])).content.decode()
    assert 'name="referral_status"' not in page
    assert 'name="ref"' not in page


@pytest.mark.django_db
def test_logout_by_get_asks_for_confirmation(client, contract_manager):
    client.force_login(contract_manager)
    response = client.get(reverse("logout"))
    assert response.status_code == 200
    assert "Vil du logge ud af Tilsyn?" in response.content.decode()
    assert client.get(reverse("home")).status_code == 200  # still logged in


@pytest.mark.django_db
def test_the_language_menu_names_each_language_in_itself(client):
    page = client.get(reverse("login")).content.decode()
    assert '<option value="en" lang="en">English</option>' in page
    assert '<option value="da" lang="da" selected>Dansk</option>' in page


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_offers_created_at_the_same_time_get_distinct_generated_refs():
    """Several users creating offers at once with no ref typed: each gets its own, no error."""
    provider = factories.provider()
    base = {
        "name": "Samtidigt tilbud",
        "provider": provider,
        "offer_type": OfferType.objects.get(code="mentor"),
        "target_group": TargetGroup.objects.get(code="unge"),
    }
    errors, barrier = [], threading.Barrier(8)

    def create():
        try:
            barrier.wait()
            offer_save(offer=None, data=dict(base))
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    refs = list(Offer.objects.values_list("ref", flat=True))
    assert len(refs) == len(set(refs)) == 8
