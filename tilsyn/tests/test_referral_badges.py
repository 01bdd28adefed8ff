"""The referral status beside the provider on the supervision pages: inspections, action plans,
the start page and the annual plan, with query counts that do not grow with the providers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from leverandoer.models import Provider, ReferralStatus
from leverandoer.tests import factories as provider_factories
from tilsyn.models import ActionPlan

from . import factories

pytestmark = pytest.mark.django_db

STOPPED = "Henvisning: Stoppet"


def stopped_provider(**fields) -> Provider:
    provider = provider_factories.provider(**fields)
    Provider.objects.filter(pk=provider.pk).update(referral_status=ReferralStatus.STOPPED, referral_reason="Brud")
    provider.refresh_from_db()
    return provider


def with_everything(*, contract_manager, inspector) -> Provider:
    """A stopped provider the contract manager manages, on every list of the start page: an
    agreement ending soon, an action plan due, an inspection waiting for assessment."""
    today = timezone.localdate()
    provider = stopped_provider(contract_manager=contract_manager)
    provider_factories.agreement(
        provider=provider, starts_on=today - timedelta(days=400), ends_on=today + timedelta(30)
    )
    ActionPlan.objects.create(provider=provider, deadline=today + timedelta(days=3))
    # Performed last year: waiting for assessment, and not yet supervised this year.
    factories.submitted(performer=inspector, provider=provider, performed_on=today - timedelta(days=400))
    return provider


def queries_for(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_the_inspection_list_and_page_show_a_stopped_provider(cm_client, personas):
    inspection = factories.inspection(performer=personas["inspector_a"], provider=stopped_provider())
    for url in (reverse("tilsyn:inspection_list"), inspection.get_absolute_url()):
        response = cm_client.get(url)
        assert response.status_code == 200
        assert STOPPED in response.content.decode()


def test_the_external_inspector_does_not_see_the_referral_status(client, personas):
    inspection = factories.inspection(performer=personas["inspector_a"], provider=stopped_provider())
    client.force_login(personas["inspector_a"])
    response = client.get(inspection.get_absolute_url())
    assert response.status_code == 200
    assert STOPPED not in response.content.decode()


def test_the_action_plan_list_and_form_show_a_stopped_provider(cm_client):
    plan = ActionPlan.objects.create(provider=stopped_provider(), deadline=timezone.localdate() + timedelta(days=20))
    for url in (reverse("tilsyn:action_plan_list"), reverse("tilsyn:action_plan_edit", args=[plan.pk])):
        response = cm_client.get(url)
        assert response.status_code == 200
        assert STOPPED in response.content.decode()


def test_the_start_page_shows_a_stopped_provider_in_each_of_its_lists(cm_client, personas):
    with_everything(contract_manager=personas["contract_manager"], inspector=personas["inspector_a"])
    response = cm_client.get(reverse("home"))
    assert response.status_code == 200
    # Providers you manage, not yet supervised, action plans due, waiting for assessment, agreements ending.
    assert response.content.decode().count(STOPPED) == 5


def test_an_open_provider_has_no_badge_on_the_start_page(cm_client, personas):
    provider = provider_factories.provider(contract_manager=personas["contract_manager"])
    response = cm_client.get(reverse("home"))
    assert provider.name in response.content.decode()
    assert "Henvisning:" not in response.content.decode()


def test_the_annual_plan_shows_a_stopped_provider(cm_client):
    provider = stopped_provider(name="Stop ApS")
    response = cm_client.get(reverse("tilsyn:plan"), {"year": str(timezone.localdate().year)})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Stop ApS" in text
    assert STOPPED in text
    assert provider.get_absolute_url() in text


@pytest.mark.parametrize("url_name", ["tilsyn:inspection_list", "tilsyn:action_plan_list", "home", "tilsyn:plan"])
def test_the_lists_read_the_same_number_of_queries_for_2_and_20_providers(cm_client, personas, url_name):
    def add(n):
        for _ in range(n):
            with_everything(contract_manager=personas["contract_manager"], inspector=personas["inspector_a"])

    add(2)
    few = queries_for(cm_client, reverse(url_name))
    add(18)
    assert queries_for(cm_client, reverse(url_name)) == few
