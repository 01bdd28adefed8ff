"""The caseworker's provider picker and the complaint pages name a provider's restricted or
stopped referrals; such a provider stays selectable (a complaint may concern a course already
given)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import client_for
from kvalitet.models import Complaint
from leverandoer.models import Provider, ReferralStatus
from leverandoer.tests import factories as provider_factories

from .test_tracks_pages import complaint_post

pytestmark = pytest.mark.django_db

WARNING = "Henvisninger til disse leverandører er stoppet eller begrænset."


def provider_with(status: str, **fields) -> Provider:
    provider = provider_factories.provider(**fields)
    Provider.objects.filter(pk=provider.pk).update(referral_status=status, referral_reason="Brud")
    provider.refresh_from_db()
    return provider


def complaint(provider: Provider, number: int = 1) -> Complaint:
    return Complaint.objects.create(
        ref=f"KLG-T-{provider.pk}-{number}",
        received_on=date(2025, 3, 1),
        kind=Complaint.Kind.FORMALITY,
        provider=provider,
        citizen_ref=f"B-{provider.pk}{number}",
        subject="Manglende partshøring",
    )


def test_the_picker_labels_restricted_and_stopped_providers(client, personas):
    stopped = provider_with(ReferralStatus.STOPPED, name="Stop ApS", ref="LEV-0001")
    restricted = provider_with(ReferralStatus.RESTRICTED, name="Halv ApS", ref="LEV-0002")
    open_ = provider_factories.provider(name="Åben ApS", ref="LEV-0003")
    client_for(client, personas["caseworker"])
    response = client.get(reverse("kvalitet:complaint_create"))
    assert response.status_code == 200
    choices = dict(response.context["form"].fields["provider"].choices)
    labels = {str(value): label for value, label in choices.items()}
    assert labels[str(stopped.pk)] == "Stop ApS (LEV-0001) – henvisning stoppet"
    assert labels[str(restricted.pk)] == "Halv ApS (LEV-0002) – henvisning begrænset"
    assert labels[str(open_.pk)] == "Åben ApS (LEV-0003)"
    text = response.content.decode()
    assert "Stop ApS (LEV-0001) – henvisning stoppet</option>" in text
    assert WARNING in text
    assert "Stop ApS (LEV-0001) <span" in text  # listed in the warning, with its badge
    assert "Henvisning: Stoppet" in text
    assert "Henvisning: Begrænset" in text
    assert "Åben ApS (LEV-0003) <span" not in text


def test_no_warning_when_every_provider_is_open(client, personas):
    provider_factories.provider()
    client_for(client, personas["caseworker"])
    assert WARNING not in client.get(reverse("kvalitet:complaint_create")).content.decode()


def test_a_complaint_about_a_stopped_provider_can_still_be_registered(client, personas):
    stopped = provider_with(ReferralStatus.STOPPED)
    client_for(client, personas["caseworker"])
    response = client.post(reverse("kvalitet:complaint_create"), complaint_post(stopped))
    assert response.status_code == 302
    saved = Complaint.objects.get()
    assert saved.provider == stopped
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Henvisning: Stoppet" in page.content.decode()


def test_the_complaint_list_shows_a_stopped_provider(client, personas):
    complaint(provider_with(ReferralStatus.STOPPED))
    client_for(client, personas["caseworker"])
    response = client.get(reverse("kvalitet:complaint_list"))
    assert response.status_code == 200
    assert "Henvisning: Stoppet" in response.content.decode()


def test_the_complaint_list_and_form_read_the_same_number_of_queries_for_2_and_20_providers(client, personas):
    client_for(client, personas["caseworker"])

    def counted(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def add(n):
        for _ in range(n):
            complaint(provider_with(ReferralStatus.STOPPED))

    add(2)
    few = [counted(reverse("kvalitet:complaint_list")), counted(reverse("kvalitet:complaint_create"))]
    add(18)
    assert [counted(reverse("kvalitet:complaint_list")), counted(reverse("kvalitet:complaint_create"))] == few
