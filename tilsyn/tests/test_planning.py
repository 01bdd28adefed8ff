"""The annual supervision plan, the risk score on the page, and planning from a suggestion."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kvalitet.models import HoursRecord
from leverandoer.models import Provider
from leverandoer.tests import factories as provider_factories
from tilsyn import planning, services
from tilsyn.models import Inspection, RiskWeight
from tilsyn.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_in_progress(personas):
    """Three providers in 2025: one supervised, one only planned, one with nothing."""
    inspector = personas["inspector_a"]
    supervised = provider_factories.provider(name="A Supervised ApS")
    planned = provider_factories.provider(name="B Planned ApS")
    missing = provider_factories.provider(name="C Missing ApS")
    factories.submitted(performer=inspector, provider=supervised, performed_on=date(2025, 4, 2))
    factories.inspection(performer=inspector, provider=planned, planned_on=date(2025, 11, 5))
    factories.inspection(
        performer=inspector,
        provider=missing,
        planned_on=date(2024, 5, 1),
        performed_on=date(2024, 5, 1),
        method=Inspection.Method.DATA_CHECK,
    )
    return supervised, planned, missing


@pytest.mark.usefixtures("year_in_progress")
def test_the_plan_shows_coverage_and_flags_providers_with_none(cm_client):
    response = cm_client.get(reverse("tilsyn:plan"), {"year": "2025"})
    plan = response.context["plan"]
    assert (plan["total"], plan["covered"], plan["missing"], plan["coverage"]) == (3, 1, 1, 33.3)
    statuses = {row["provider"].name: row["status"] for row in plan["rows"]}
    assert statuses == {"A Supervised ApS": "covered", "B Planned ApS": "planned", "C Missing ApS": "missing"}
    visits = {row["provider"].name: row["by_method"][0] for row in plan["rows"]}
    assert visits["A Supervised ApS"] == {"planned": 0, "performed": 1}
    assert visits["B Planned ApS"] == {"planned": 1, "performed": 0}
    page = response.content.decode()
    assert "1 af 3 leverandører har haft tilsyn i 2025 (33,3 %)." in page
    assert "Intet tilsyn" in page
    only_missing = cm_client.get(reverse("tilsyn:plan"), {"year": "2025", "missing": "on"}).context["plan"]
    assert [row["provider"].name for row in only_missing["rows"]] == ["B Planned ApS", "C Missing ApS"]


def test_the_page_explains_why_a_provider_scores_high(cm_client, personas):
    provider = provider_factories.provider(name="Risiko ApS")
    provider_factories.offer(
        provider=provider,
        target_group=__import__("leverandoer.models").models.TargetGroup.objects.get(code="aktivitetsparate"),
    )
    factories.submitted(
        performer=personas["inspector_a"],
        provider=provider,
        performed_on=date(2025, 2, 1),
        findings=[("premises", "red"), ("attendance", "red")],
    )
    response = cm_client.get(reverse("tilsyn:plan"), {"year": "2025"})
    row = next(row for row in response.context["plan"]["rows"] if row["provider"] == provider)
    parts = {part.code: part.points for part in row["risk"].parts}
    assert parts["red_finding"] == Decimal("3.00")  # 2 red findings × 1.5
    assert parts["vulnerable_group"] == Decimal("3.00")
    page = response.content.decode()
    assert "Røde fund" in page
    assert "Udsatte målgrupper" in page
    assert f"{str(row['risk'].total).replace('.', ',')}</summary>" in page


@pytest.mark.parametrize("year", ["abc", "1800", "99999"])
def test_a_bad_year_gives_a_message_and_the_current_plan(cm_client, year):
    response = cm_client.get(reverse("tilsyn:plan"), {"year": year})
    assert response.status_code == 200
    assert response.context["form"].errors["year"]
    assert response.context["plan"]["year"] == timezone.localdate().year


def test_a_plan_with_no_providers_says_so(cm_client):
    response = cm_client.get(reverse("tilsyn:plan"), {"year": "2025"})
    assert "Der er ingen aktive leverandører at planlægge tilsyn for." in response.content.decode()


def test_a_suggestion_becomes_a_planned_inspection_with_one_action(cm_client, contract_manager, personas):
    provider = provider_factories.provider(name="Forslag ApS", contract_manager=contract_manager)
    for year in (2024, 2025):
        factories.submitted(
            performer=personas["inspector_a"],
            provider=provider,
            performed_on=date(year, 2, 1),
            findings=[("premises", "red")],
        )
    year = timezone.localdate().year
    response = cm_client.post(reverse("tilsyn:plan_suggestion", args=[year, provider.ref]))
    inspection = Inspection.objects.filter(provider=provider, status="planned").get()
    assert response["Location"] == reverse("tilsyn:inspection_edit", args=[inspection.ref])
    risk = planning.provider_risk(provider=provider, as_of=timezone.localdate())
    assert inspection.method == ("visit" if risk.suggest_visit else "data_check")
    assert inspection.announced is not (risk.suggest_visit and risk.suggest_unannounced)
    assert inspection.kind == "annual_base"
    assert inspection.performer == contract_manager
    assert inspection.planned_on == timezone.localdate() + timedelta(days=14)
    # ... and the contract manager finds the visit in their calendar feed.
    feed = services.calendar_feed_renew(user=contract_manager)
    ics = cm_client.get(reverse("tilsyn:calendar_feed", args=[feed.token])).content.decode()
    assert f"UID:{inspection.ref}@tilsyn" in ics
    assert "Forslag ApS" in ics


def test_a_suggestion_for_a_past_year_is_refused(cm_client):
    provider = provider_factories.provider()
    response = cm_client.post(reverse("tilsyn:plan_suggestion", args=[2020, provider.ref]), follow=True)
    assert "2020 er forbi; planlæg tilsynet i indeværende år." in response.content.decode()
    assert not Inspection.objects.exists()


def test_an_unknown_or_inactive_provider_is_404(cm_client):
    inactive = provider_factories.provider(active=False)
    assert cm_client.post(reverse("tilsyn:plan_suggestion", args=[2025, "NOPE"])).status_code == 404
    assert cm_client.post(reverse("tilsyn:plan_suggestion", args=[2025, inactive.ref])).status_code == 404


@pytest.mark.parametrize(
    ("value", "message"),
    [("-1", "Denne værdi skal være større end eller lig 0."), ("abc", "Indtast et tal.")],
)
def test_a_risk_weight_that_is_negative_or_not_a_number_is_refused(client, administrator, value, message):
    weight = RiskWeight.objects.get(code="red_finding")
    client.force_login(administrator)
    url = reverse("admin:tilsyn_riskweight_change", args=[weight.pk])
    response = client.post(url, {"label": weight.label, "value": value, "description": ""})
    assert response.status_code == 200
    assert message in response.content.decode()
    weight.refresh_from_db()
    assert weight.value == Decimal("1.5")


def test_the_plan_suggestion_follows_edited_weights(cm_client):
    provider = provider_factories.provider()
    RiskWeight.objects.filter(code="threshold_visit").update(value=Decimal("0"))
    RiskWeight.objects.filter(code="threshold_unannounced").update(value=Decimal("0"))
    row = cm_client.get(reverse("tilsyn:plan")).context["plan"]["rows"][0]
    assert row["provider"] == provider
    assert (row["risk"].suggest_visit, row["risk"].suggest_unannounced) == (True, True)
    assert Provider.objects.count() == 1


@pytest.mark.parametrize("year", [0, 99999])
def test_a_suggestion_for_an_impossible_year_is_404(cm_client, year):
    provider = provider_factories.provider()
    assert cm_client.post(reverse("tilsyn:plan_suggestion", args=[year, provider.ref])).status_code == 404


def test_a_suggestion_far_ahead_is_refused(cm_client):
    provider = provider_factories.provider()
    year = timezone.localdate().year + 5
    response = cm_client.post(reverse("tilsyn:plan_suggestion", args=[year, provider.ref]), follow=True)
    assert not Inspection.objects.exists()
    assert response.status_code == 200


def test_planning_twice_from_a_suggestion_creates_one_inspection(cm_client):
    provider = provider_factories.provider(name="Dobbelt ApS")
    url = reverse("tilsyn:plan_suggestion", args=[timezone.localdate().year, provider.ref])
    cm_client.post(url)
    response = cm_client.post(url, follow=True)
    assert Inspection.objects.filter(provider=provider).count() == 1
    assert "Dobbelt ApS har allerede tilsyn" in response.content.decode()


def test_in_late_december_the_suggestion_stays_in_the_year(cm_client, monkeypatch):
    """The clock is the outside world: freeze it on 20 December."""
    monkeypatch.setattr(services.timezone, "localdate", lambda: date(2026, 12, 20))
    provider = provider_factories.provider()
    cm_client.post(reverse("tilsyn:plan_suggestion", args=[2026, provider.ref]))
    assert Inspection.objects.get(provider=provider).planned_on == date(2026, 12, 31)


def test_a_plan_url_without_a_year_shows_the_current_year(cm_client):
    response = cm_client.get(reverse("tilsyn:plan"), {"missing": "on"})
    assert not response.context["form"].errors
    assert response.context["plan"]["year"] == timezone.localdate().year


# --- BIF's own centres (seed 003) --------------------------------------------------------------

TODAY = date(2025, 9, 15)
BIF_REASON = (
    "BIF-center: stikprøver i forvaltningens systemer og sagsgennemgang (op til 10 tilbud); "
    "besøg efter konkret vurdering"
)


def hours(offer, *, ordered: str, period_end: date, order_ref: str = "") -> HoursRecord:
    return HoursRecord.objects.create(
        offer=offer,
        order_ref=order_ref or f"B-{offer.ref}-{period_end:%Y%m}",
        period_start=period_end.replace(day=1),
        period_end=period_end,
        ordered_hours=Decimal(ordered),
        delivered_hours=Decimal(ordered) - 1,
    )


@pytest.fixture
def frozen_today(monkeypatch):
    """The clock is the outside world: the plan and the suggestion are computed on 15 September 2025."""
    monkeypatch.setattr(timezone, "localdate", lambda: TODAY)
    return TODAY


@pytest.fixture
def every_score_suggests_an_unannounced_visit():
    RiskWeight.objects.filter(code__in=["threshold_visit", "threshold_unannounced"]).update(value=Decimal("0"))


@pytest.fixture
def bif_centre(frozen_today):
    """A BIF centre with twelve offers with hours in the last year (ordered 10, 20, … 120 hours)
    and one whose many hours lie more than a year back."""
    centre = provider_factories.provider(name="BIF Jobcenter Syd", kind=Provider.Kind.INTERNAL, administration="BIF")
    offers = [provider_factories.offer(provider=centre, name=f"Forløb {n:02d}") for n in range(1, 13)]
    for n, offer in enumerate(offers, start=1):
        hours(offer, ordered=str(10 * n), period_end=date(2025, 6, 30))
    # Hours in two periods add up: offer 1 reaches 10 + 105 = 115 hours, between offers 11 and 12.
    hours(offers[0], ordered="105", period_end=date(2024, 12, 31))
    stale = provider_factories.offer(provider=centre, name="Gammelt forløb")
    hours(stale, ordered="5000", period_end=date(2024, 9, 15))  # 365 days ago: outside the year
    return centre, offers, stale


@pytest.mark.usefixtures("every_score_suggests_an_unannounced_visit")
def test_a_bif_centre_is_suggested_a_case_review_of_its_ten_offers_with_most_hours_and_data_checks(
    cm_client, bif_centre
):
    centre, offers, stale = bif_centre
    response = cm_client.get(reverse("tilsyn:plan"), {"year": "2025"})
    row = next(row for row in response.context["plan"]["rows"] if row["provider"] == centre)
    risk = row["risk"]
    assert risk.methods == (Inspection.Method.CASE_REVIEW, Inspection.Method.DATA_CHECK)
    assert (risk.suggest_visit, risk.suggest_unannounced) == (False, False)
    expected = [offers[11], offers[0], offers[10], offers[9], *offers[8:2:-1]]
    assert [offer.name for offer in planning.review_offers(risk)] == [offer.name for offer in expected]
    assert stale.pk not in risk.review_offers
    page = response.content.decode()
    assert "Sagsgennemgang af 10 tilbud og databaserede tilsyn" in page
    assert BIF_REASON in page


@pytest.mark.usefixtures("frozen_today", "every_score_suggests_an_unannounced_visit")
def test_a_bif_centre_without_hours_gets_a_case_review_without_a_sample(cm_client):
    centre = provider_factories.provider(name="BIF Nyt Center", kind=Provider.Kind.INTERNAL, administration="BIF")
    row = cm_client.get(reverse("tilsyn:plan"), {"year": "2025"}).context["plan"]["rows"][0]
    assert row["provider"] == centre
    assert (row["risk"].methods, row["risk"].review_offers) == (("case_review", "data_check"), ())
    page = cm_client.get(reverse("tilsyn:plan"), {"year": "2025"}).content.decode()
    assert "Sagsgennemgang og databaserede tilsyn" in page
    assert BIF_REASON in page


@pytest.mark.usefixtures("frozen_today", "every_score_suggests_an_unannounced_visit")
@pytest.mark.parametrize("administration", ["SUF", "SOF"])
def test_a_suf_or_sof_centre_gets_the_ordinary_suggestion(cm_client, administration):
    centre = provider_factories.provider(
        name="Beskyttet beskæftigelse Amager", kind=Provider.Kind.INTERNAL, administration=administration
    )
    hours(provider_factories.offer(provider=centre), ordered="100", period_end=date(2025, 6, 30))
    response = cm_client.get(reverse("tilsyn:plan"), {"year": "2025"})
    risk = response.context["plan"]["rows"][0]["risk"]
    assert response.context["plan"]["rows"][0]["provider"] == centre
    assert (risk.methods, risk.suggest_visit, risk.suggest_unannounced) == (("visit",), True, True)
    assert risk.review_offers == ()
    page = response.content.decode()
    assert "Besøg, uanmeldt" in page
    assert "BIF-center" not in page


@pytest.mark.usefixtures("every_score_suggests_an_unannounced_visit")
def test_planning_from_a_bif_centres_suggestion_never_plans_a_visit(cm_client, bif_centre):
    centre, offers, stale = bif_centre
    cm_client.post(reverse("tilsyn:plan_suggestion", args=[2025, centre.ref]))
    inspection = Inspection.objects.get(provider=centre)
    assert inspection.method == Inspection.Method.CASE_REVIEW
    # The ten offers with most ordered hours in the last year: offers 4–12 and offer 1 (115 hours);
    # offers 2 and 3 (20, 30 hours) are left out, and the stale offer's hours lie outside the year.
    assert set(inspection.offers.all()) == {offers[0], *offers[3:]}
    assert stale not in inspection.offers.all()
    assert inspection.announced is True
    assert inspection.planned_on == date(2025, 9, 29)


def test_the_plan_reads_bif_centres_in_a_fixed_number_of_queries(
    cm_client, frozen_today, django_assert_max_num_queries
):
    def centre(n: int) -> None:
        provider = provider_factories.provider(kind=Provider.Kind.INTERNAL, administration="BIF")
        for m in range(3):
            hours(provider_factories.offer(provider=provider), ordered=str(n + m + 1), period_end=date(2025, 3, 31))

    centre(1)
    provider_factories.provider()
    with django_assert_max_num_queries(100) as few:
        assert cm_client.get(reverse("tilsyn:plan"), {"year": "2025"}).status_code == 200
    for n in range(2, 8):
        centre(n)
        provider_factories.provider(kind=Provider.Kind.INTERNAL, administration="SUF")
    with django_assert_max_num_queries(len(few.captured_queries)):
        plan = cm_client.get(reverse("tilsyn:plan"), {"year": "2025"}).context["plan"]
    assert sum(len(row["risk"].review_offers) for row in plan["rows"]) == 7 * 3
