"""Scorecards from the database: the half-year each row belongs to, the rules as stored data, and a
query count that does not grow with the number of providers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kvalitet.models import Complaint, HoursRecord, ProgressReport, ScoringRule, SurveyResponse
from kvalitet.periods import HalfYear
from kvalitet.scorecard import PreviousHalfYear, scorecards
from kvalitet.scoring import PreviousDecision
from leverandoer.tests import factories as provider_factories
from tilsyn.tests import factories as supervision

pytestmark = pytest.mark.django_db
H1 = HalfYear(2025, 1)


def hours(offer, delivered, ordered, period_end=date(2025, 3, 31), order="O-1"):
    HoursRecord.objects.create(
        offer=offer,
        order_ref=order,
        period_start=period_end.replace(day=1),
        period_end=period_end,
        ordered_hours=Decimal(ordered),
        delivered_hours=Decimal(delivered),
    )


def test_a_provider_is_coloured_by_the_rows_of_the_half_year(personas):
    offer = provider_factories.offer()
    provider = offer.provider
    hours(offer, "97", "100")  # 97.0 % → yellow on supervision
    hours(offer, "10", "10", period_end=date(2025, 7, 31), order="O-2")  # H2: not counted
    for _ in range(5):
        SurveyResponse.objects.create(offer=offer, answered_on=date(2025, 2, 1), score=4)
    SurveyResponse.objects.create(offer=offer, answered_on=date(2024, 12, 31), score=1)  # previous half-year
    for n in range(3):
        Complaint.objects.create(
            ref=f"K-{n}",
            provider=provider,
            kind="formality",
            received_on=date(2024, 12, 1),
            decision="upheld",
            decided_on=date(2025, 1, 10),  # decided in H1: counts in H1
        )
    ProgressReport.objects.create(
        offer=offer, citizen_ref="B-1", due_date=date(2025, 5, 1), submitted_date=date(2025, 5, 1)
    )
    card = scorecards(period=H1)[provider.pk]
    colours = {track: colour.colour for track, colour in card.tracks.items()}
    assert colours == {
        "complaints": "red",
        "user_surveys": "green",
        "case_handling": "none",
        "effect": "none",
        "supervision": "yellow",
    }
    assert card.tracks["supervision"].figures["hours_delivered_pct"] == Decimal("97.0")
    assert (card.proposal.scenario, card.proposal.reason) == (3, "red")


def test_red_again_and_a_confirmed_scenario_raise_the_proposal(personas):
    provider = provider_factories.provider()
    for year, month in ((2024, 11), (2025, 2)):
        for n in range(3):
            Complaint.objects.create(
                ref=f"K-{year}-{n}",
                provider=provider,
                kind="formality",
                received_on=date(year, month, 1),
                decision="partly_upheld",
                decided_on=date(year, month, 2),
            )
    # Red two half-years running, with nothing decided on the previous one: 3, and the reason says so.
    assert scorecards(period=H1)[provider.pk].proposal.reason == "red_twice_undecided"
    decided = PreviousHalfYear(
        decisions={provider.pk: PreviousDecision("2024-H2", 3, ("complaints",))},
        colours={provider.pk: {"complaints": "red"}},
    )
    again = scorecards(period=H1, previous=decided)[provider.pk].proposal
    assert (again.scenario, again.reason, again.tracks) == (4, "red_again_decided", ("complaints",))
    lower = PreviousHalfYear(
        decisions={provider.pk: PreviousDecision("2024-H2", 2, ("complaints",))},
        colours={provider.pk: {"complaints": "red"}},
    )
    assert scorecards(period=H1, previous=lower)[provider.pk].proposal.scenario == 3
    inspection = supervision.submitted(
        performer=personas["inspector_a"],
        provider=provider,
        performed_on=date(2025, 3, 3),
        findings=[("premises", "red")],
    )
    from tilsyn.services import assessment_confirm

    assessment_confirm(inspection=inspection, scenario=4, justification="Gentagelse", by=personas["contract_manager"])
    card = scorecards(period=H1)[provider.pk]
    assert (card.proposal.scenario, card.proposal.reason, card.proposal.raised_from) == (4, "raised_by_inspection", 3)
    assert card.proposal.details["inspection"] == inspection.ref
    assert card.tracks["supervision"].colour == "red"


def test_the_stored_rules_are_used_and_nonsense_is_refused():
    rule = ScoringRule.objects.get(code="supervision_hours")
    rule.yellow = Decimal(99)
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert raised.value.message_dict["yellow"] == ["Den gule grænse kan ikke ligge over den grønne."]
    rule.green, rule.yellow = Decimal(90), Decimal(80)
    rule.full_clean()
    rule.save()
    offer = provider_factories.offer()
    hours(offer, "91", "100")
    assert scorecards(period=H1)[offer.provider.pk].tracks["supervision"].colour == "green"


@pytest.mark.parametrize("providers", [2, 20])
def test_the_query_count_does_not_grow_with_providers(django_assert_max_num_queries, providers):
    for n in range(providers):
        offer = provider_factories.offer()
        hours(offer, "99", "100", order=f"O-{n}")
        SurveyResponse.objects.create(offer=offer, answered_on=date(2025, 2, 1), score=3)
    with django_assert_max_num_queries(26):
        cards = scorecards(period=H1)
    assert len(cards) == providers


@pytest.mark.parametrize(
    ("code", "green", "yellow"), [("case_handling", 150, 85), ("case_handling", 95, -20), ("user_surveys", 9, 7)]
)
def test_limits_outside_what_is_possible_are_refused(code, green, yellow):
    rule = ScoringRule.objects.get(code=code)
    rule.green, rule.yellow = Decimal(green), Decimal(yellow)
    with pytest.raises(ValidationError) as raised:
        rule.full_clean()
    assert "skal ligge mellem" in str(raised.value.messages)


def test_percentages_round_half_up():
    from kvalitet.figures import Ratio

    assert str(Ratio(Decimal(9), Decimal(16)).percent) == "56.3"  # 56.25
