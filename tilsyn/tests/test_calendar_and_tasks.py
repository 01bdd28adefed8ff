"""The calendar feed per user (no unannounced visit leaks) and each role's start page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conftest import client_for
from leverandoer.tests import factories as provider_factories
from tilsyn import services
from tilsyn.models import CalendarFeed
from tilsyn.tests import factories

pytestmark = pytest.mark.django_db


def feed_summaries(client, user) -> list[str]:
    feed = services.calendar_feed_renew(user=user)
    client.logout()
    response = client.get(reverse("tilsyn:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return [str(event["SUMMARY"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


@pytest.fixture
def visits(personas):
    manager, inspector_a = personas["contract_manager"], personas["inspector_a"]
    mine = provider_factories.provider(name="Min Leverandør ApS", contract_manager=manager)
    other = provider_factories.provider(name="Anden Leverandør ApS")
    unannounced = factories.inspection(performer=inspector_a, provider=mine, announced=False)
    announced = factories.inspection(performer=manager, provider=other, announced=True)
    factories.submitted(performer=inspector_a, provider=mine)  # not planned any more: not in feeds
    return unannounced, announced


def test_the_assigned_inspector_sees_the_unannounced_visit(client, personas, visits):
    summaries = feed_summaries(client, personas["inspector_a"])
    assert summaries == ["Tilsyn: Min Leverandør ApS (Besøg, uanmeldt)"]


def test_another_inspector_sees_nothing_of_it(client, personas, visits):
    assert feed_summaries(client, personas["inspector_b"]) == []


def test_the_contract_manager_sees_their_providers_and_their_own_visits(client, personas, visits):
    summaries = sorted(feed_summaries(client, personas["contract_manager"]))
    assert summaries == [
        "Tilsyn: Anden Leverandør ApS (Besøg, anmeldt)",
        "Tilsyn: Min Leverandør ApS (Besøg, uanmeldt)",
    ]


@pytest.mark.parametrize("persona", ["secretariat", "caseworker"])
def test_roles_outside_supervision_get_no_feed(client, personas, persona):
    client_for(client, personas[persona])
    assert client.get(reverse("tilsyn:calendar")).status_code == 403
    assert client.post(reverse("tilsyn:calendar_renew")).status_code == 403
    assert not CalendarFeed.objects.exists()


def test_a_feed_stops_working_when_renewed_or_when_the_role_is_gone(client, personas, visits):
    inspector = personas["inspector_a"]
    old = services.calendar_feed_renew(user=inspector).token
    new = services.calendar_feed_renew(user=inspector).token
    assert client.get(reverse("tilsyn:calendar_feed", args=[old])).status_code == 404
    assert client.get(reverse("tilsyn:calendar_feed", args=[new])).status_code == 200
    inspector.groups.clear()
    assert client.get(reverse("tilsyn:calendar_feed", args=[new])).status_code == 404
    assert client.get(reverse("tilsyn:calendar_feed", args=["guess"])).status_code == 404


def test_the_calendar_page_shows_the_personal_address(client, personas):
    client_for(client, personas["inspector_a"])
    response = client.post(reverse("tilsyn:calendar_renew"), follow=True)
    feed = CalendarFeed.objects.get(user=personas["inspector_a"])
    assert f"/kalender/feed/{feed.token}.ics" in response.content.decode()


def test_the_contract_managers_tasks(cm_client, contract_manager, personas):
    today = timezone.localdate()
    mine = provider_factories.provider(name="Forsinket ApS", contract_manager=contract_manager)
    provider_factories.provider(name="Ikke Min ApS")
    inspection = factories.submitted(
        performer=personas["inspector_a"],
        provider=mine,
        performed_on=today - timedelta(days=40),
        findings=[("premises", "red")],
    )
    services.assessment_confirm(
        inspection=inspection, scenario=3, justification="", by=contract_manager, decided_on=today - timedelta(days=35)
    )
    waiting = factories.submitted(performer=personas["inspector_a"], provider=mine, performed_on=today)
    context = cm_client.get(reverse("home")).context
    assert [plan.provider for plan in context["due_plans"]] == [mine]
    assert {item.kind for item in context["due_follow_ups"]} == {
        "mandatory_control",
        "unannounced_visits",
        "extra_external_visits",
    }
    assert waiting in list(context["awaiting_assessment"])
    page = cm_client.get(reverse("home")).content.decode()
    assert "overskredet" in page
    assert "Ikke Min ApS" not in page


def test_the_inspectors_start_page_lists_assigned_visits_and_deadlines(client, personas):
    today = timezone.localdate()
    mine = factories.inspection(performer=personas["inspector_a"], report_deadline=today - timedelta(days=1))
    factories.inspection(performer=personas["inspector_b"])
    client_for(client, personas["inspector_a"])
    context = client.get(reverse("home")).context
    assert list(context["assigned"]) == [mine]
    assert "overskredet" in client.get(reverse("home")).content.decode()


def test_the_secretariat_start_page_shows_only_reports(client, personas):
    client_for(client, personas["secretariat"])
    page = client.get(reverse("home")).content.decode()
    assert "Nyligt publicerede rapporter" in page
    assert "Mine opgaver" not in page


def test_the_start_page_links_to_this_years_plan_and_prints_the_year_plainly(cm_client, contract_manager):
    provider_factories.provider(name="Ikke Besøgt ApS", contract_manager=contract_manager)
    year = str(timezone.localdate().year)
    page = cm_client.get(reverse("home")).content.decode()
    assert f"?year={year}&amp;missing=on&amp;mine=on" in page
    assert f"i {year}" in page


def test_inspections_awaiting_assessment_are_the_managers_own(cm_client, contract_manager, personas):
    mine = provider_factories.provider(contract_manager=contract_manager)
    other = provider_factories.provider()
    own = factories.submitted(performer=personas["inspector_a"], provider=mine)
    factories.submitted(performer=personas["inspector_a"], provider=other)
    assert list(cm_client.get(reverse("home")).context["awaiting_assessment"]) == [own]
