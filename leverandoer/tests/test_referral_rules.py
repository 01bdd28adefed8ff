"""Referral status: the rules of `referral_status_set` (own centres, lifting needs a reason, no
empty change), the form that shows them, and the badge on the agreement pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from leverandoer.models import Provider, ReferralStatus
from leverandoer.services import referral_status_set
from leverandoer.templatetags.referral import referral_note, referral_status_of

from . import factories

pytestmark = pytest.mark.django_db

OWN_CENTRE = "Kommunens egne centre har ingen rammeaftale: henvisninger til dem kan ikke begrænses eller stoppes."
LIFT_WITHOUT_REASON = "Begrund, hvorfor begrænsningen eller stoppet af henvisninger ophæves."


def stopped(**fields) -> Provider:
    provider = factories.provider(**fields)
    Provider.objects.filter(pk=provider.pk).update(referral_status=ReferralStatus.STOPPED, referral_reason="Brud")
    provider.refresh_from_db()
    return provider


# --- The service ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [ReferralStatus.RESTRICTED, ReferralStatus.STOPPED])
def test_an_own_centre_cannot_be_restricted_or_stopped(contract_manager, status):
    centre = factories.provider(kind=Provider.Kind.INTERNAL)
    assert centre.is_internal
    with pytest.raises(ValidationError) as refused:
        referral_status_set(target=centre, status=status, reason="Mangler", by=contract_manager)
    assert refused.value.messages == [OWN_CENTRE]
    centre.refresh_from_db()
    assert (centre.referral_status, centre.referral_reason, centre.referral_set_by) == ("open", "", None)
    assert centre.history.count() == 1  # the creation only


def test_an_offer_of_an_own_centre_cannot_be_stopped(contract_manager):
    offer = factories.offer(provider=factories.provider(kind=Provider.Kind.INTERNAL))
    assert offer.is_internal
    with pytest.raises(ValidationError) as refused:
        referral_status_set(target=offer, status=ReferralStatus.STOPPED, reason="Mangler", by=contract_manager)
    assert refused.value.messages == [OWN_CENTRE]
    offer.refresh_from_db()
    assert offer.referral_status == "open"


@pytest.mark.parametrize(
    ("was", "now"),
    [("stopped", "open"), ("stopped", "restricted"), ("restricted", "open")],
)
def test_lifting_a_restriction_or_stop_needs_a_justification(contract_manager, was, now):
    provider = factories.provider()
    referral_status_set(target=provider, status=was, reason="Brud på aftalen", by=contract_manager)
    with pytest.raises(ValidationError) as refused:
        referral_status_set(target=provider, status=now, reason="   ", by=contract_manager)
    assert refused.value.message_dict == {"reason": [LIFT_WITHOUT_REASON]}
    provider.refresh_from_db()
    assert (provider.referral_status, provider.referral_reason) == (was, "Brud på aftalen")
    referral_status_set(target=provider, status=now, reason="Handleplanen er opfyldt.", by=contract_manager)
    provider.refresh_from_db()
    assert (provider.referral_status, provider.referral_reason) == (now, "Handleplanen er opfyldt.")
    # The history keeps the lifted stop and its reason.
    assert [h.referral_status for h in provider.history.order_by("history_id")][-2:] == [was, now]


def test_the_same_status_and_reason_again_changes_nothing(contract_manager):
    provider = factories.provider()
    referral_status_set(target=provider, status="stopped", reason="Brud", by=contract_manager)
    entries = provider.history.count()
    with pytest.raises(ValidationError) as refused:
        referral_status_set(target=provider, status="stopped", reason="Brud ", by=contract_manager)
    assert refused.value.messages == ["Henvisningsstatus er allerede »Stoppet« med denne begrundelse: intet er ændret."]
    assert provider.history.count() == entries
    # A new reason for the same status is a change, and is kept.
    referral_status_set(target=provider, status="stopped", reason="Brud og ny klage", by=contract_manager)
    provider.refresh_from_db()
    assert provider.referral_reason == "Brud og ny klage"


def test_an_own_centre_stopped_before_the_rule_can_be_opened_again(contract_manager):
    centre = factories.provider(kind=Provider.Kind.INTERNAL)
    Provider.objects.filter(pk=centre.pk).update(referral_status="stopped", referral_reason="Gammelt stop")
    centre.refresh_from_db()
    referral_status_set(target=centre, status="open", reason="Egne centre stoppes ikke.", by=contract_manager)
    centre.refresh_from_db()
    assert centre.referral_status == "open"


# --- The form ---------------------------------------------------------------------------------


def test_the_form_shows_the_own_centre_refusal_and_keeps_the_input(cm_client):
    centre = factories.provider(kind=Provider.Kind.INTERNAL)
    url = reverse("leverandoer:provider_referral", args=[centre.ref])
    response = cm_client.post(url, {"status": "stopped", "reason": "Mange klager i år"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [OWN_CENTRE]
    text = response.content.decode()
    assert OWN_CENTRE in text
    assert "Mange klager i år" in text
    assert '<option value="stopped" selected>' in text
    centre.refresh_from_db()
    assert centre.referral_status == "open"


def test_the_form_shows_the_lifting_refusal_on_the_reason(cm_client, contract_manager):
    offer = factories.offer()
    referral_status_set(target=offer, status="stopped", reason="Brud", by=contract_manager)
    url = reverse("leverandoer:offer_referral", args=[offer.ref])
    response = cm_client.post(url, {"status": "open", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [LIFT_WITHOUT_REASON]
    assert LIFT_WITHOUT_REASON in response.content.decode()
    assert '<option value="open" selected>' in response.content.decode()
    offer.refresh_from_db()
    assert (offer.referral_status, offer.referral_reason) == ("stopped", "Brud")
    assert cm_client.post(url, {"status": "open", "reason": "Afklaret"}).status_code == 302
    offer.refresh_from_db()
    assert (offer.referral_status, offer.referral_reason) == ("open", "Afklaret")


def test_the_old_stop_reason_does_not_pass_for_the_reason_to_lift_it(cm_client):
    """The form shows the current reason but does not fill it in: saving "Åben" without typing a
    reason of its own is refused, as the service refuses an empty one."""
    provider = stopped()
    url = reverse("leverandoer:provider_referral", args=[provider.ref])
    page = cm_client.get(url)
    assert page.context["form"]["reason"].value() in (None, "")
    assert "Stoppet: Brud" in " ".join(page.content.decode().split())
    response = cm_client.post(url, {"status": "open", "reason": ""})
    assert response.status_code == 200
    assert LIFT_WITHOUT_REASON in response.content.decode()
    provider.refresh_from_db()
    assert provider.referral_status == "stopped"


def test_the_form_says_when_nothing_changes(cm_client):
    provider = factories.provider()
    url = reverse("leverandoer:provider_referral", args=[provider.ref])
    response = cm_client.post(url, {"status": "open", "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Henvisningsstatus er allerede »Åben« med denne begrundelse: intet er ændret."
    ]
    assert provider.history.count() == 1


def test_own_centres_and_their_offers_have_no_referral_button(cm_client):
    centre = factories.provider(kind=Provider.Kind.INTERNAL)
    offer = factories.offer(provider=centre)
    external = factories.offer()
    assert "Ændr henvisningsstatus" not in cm_client.get(centre.get_absolute_url()).content.decode()
    assert "Ændr henvisningsstatus" not in cm_client.get(offer.get_absolute_url()).content.decode()
    assert "Ændr henvisningsstatus" in cm_client.get(external.provider.get_absolute_url()).content.decode()
    assert "Ændr henvisningsstatus" in cm_client.get(external.get_absolute_url()).content.decode()


# --- The badge --------------------------------------------------------------------------------


def test_the_tag_reads_providers_offers_and_compiled_rows():
    provider = stopped()
    offer = factories.offer(provider=provider)
    assert referral_status_of(provider) == referral_status_of(offer) == "stopped"
    assert referral_status_of("restricted") == "restricted"
    assert referral_status_of("") == referral_status_of(None) == "open"  # an old snapshot's row
    assert referral_note("stopped") == "Henvisning: Stoppet"
    assert referral_note("open") == ""


def test_the_agreement_pages_show_a_stopped_provider(cm_client):
    agreement = factories.agreement(provider=stopped(name="Stop ApS"))
    factories.offer(provider=agreement.provider, agreement=agreement)
    for url in (reverse("leverandoer:agreement_list"), agreement.get_absolute_url()):
        response = cm_client.get(url)
        assert response.status_code == 200
        assert "Henvisning: Stoppet" in response.content.decode()


def test_an_open_provider_has_no_badge_in_the_agreement_list(cm_client):
    factories.agreement()
    assert "Henvisning:" not in cm_client.get(reverse("leverandoer:agreement_list")).content.decode()


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url_name", ["leverandoer:agreement_list", "leverandoer:provider_list"])
def test_the_agreement_and_provider_lists_read_the_same_number_of_queries_for_2_and_20(cm_client, url_name):
    def add(n):
        for _ in range(n):
            agreement = factories.agreement(provider=stopped())
            factories.offer(provider=agreement.provider, agreement=agreement)

    add(2)
    few = queries_for(cm_client, reverse(url_name))
    add(18)
    assert queries_for(cm_client, reverse(url_name)) == few


def test_the_agreement_page_reads_the_same_number_of_queries_for_2_and_20_offers(cm_client):
    agreement = factories.agreement(provider=stopped())
    for _ in range(2):
        factories.offer(provider=agreement.provider, agreement=agreement)
    few = queries_for(cm_client, agreement.get_absolute_url())
    for _ in range(18):
        factories.offer(provider=agreement.provider, agreement=agreement)
    assert queries_for(cm_client, agreement.get_absolute_url()) == few
