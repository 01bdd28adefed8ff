"""The default colour and scenario rules, pinned with hand-made figures (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kvalitet.scoring import (
    DEFAULT_RULES,
    GREEN,
    NONE,
    RED,
    YELLOW,
    OfferOutcomes,
    Rule,
    case_handling_colour,
    complaints_colour,
    effect_colour,
    percent,
    propose_scenario,
    supervision_colour,
    surveys_colour,
)

R = DEFAULT_RULES


@pytest.mark.parametrize(
    ("upheld", "general", "colour"),
    [(0, 0, GREEN), (1, 0, YELLOW), (2, 0, YELLOW), (3, 0, RED), (7, 0, RED), (0, 1, RED)],
)
def test_complaints(upheld, general, colour):
    assert complaints_colour(upheld=upheld, general_practice=general, total=9, rule=R["complaints"]).colour == colour


@pytest.mark.parametrize(
    ("score_sum", "answers", "colour"),
    [(20, 4, NONE), (20, 5, GREEN), (18, 5, YELLOW), (17, 5, RED), (395, 100, GREEN), (349, 100, YELLOW)],
)
def test_user_surveys(score_sum, answers, colour):
    # 395/100 = 3.95 → 4.0 (half-up, one decimal) → green; 349/100 = 3.49 → 3.5 → yellow
    assert surveys_colour(score_sum=score_sum, answers=answers, rule=R["user_surveys"]).colour == colour


@pytest.mark.parametrize(
    ("met", "assessed", "cases", "colour"),
    [
        (40, 40, 4, NONE),
        (95, 100, 5, GREEN),
        (1899, 2000, 30, GREEN),
        (94, 100, 5, YELLOW),
        (85, 100, 5, YELLOW),
        (84, 100, 5, RED),
    ],
)
def test_case_handling(met, assessed, cases, colour):
    # 1899/2000 = 94.95 % → 95.0 after rounding → green
    assert case_handling_colour(met=met, assessed=assessed, cases=cases, rule=R["case_handling"]).colour == colour


def test_effect_is_the_worst_offer_against_its_pooled_group():
    offers = [
        OfferOutcomes("A", off_support=5, citizens=10, group_off_support=50, group_citizens=100),  # 50 vs 50 → green
        OfferOutcomes("B", off_support=4, citizens=10, group_off_support=50, group_citizens=100),  # 40 vs 50 → yellow
        OfferOutcomes("C", off_support=1, citizens=9, group_off_support=50, group_citizens=100),  # too few: ignored
    ]
    result = effect_colour(offers=offers, rule=R["effect"])
    assert (result.colour, result.figures["offer"], result.figures["gap"]) == (YELLOW, "B", Decimal("-10.0"))
    red = OfferOutcomes("D", off_support=39, citizens=100, group_off_support=50, group_citizens=100)
    assert effect_colour(offers=[*offers, red], rule=R["effect"]).colour == RED
    assert effect_colour(offers=offers[2:], rule=R["effect"]).colour == NONE


def test_supervision_is_the_worst_sub_indicator_with_data():
    rules = {"hours_rule": R["supervision_hours"], "reports_rule": R["supervision_reports"]}
    nothing = supervision_colour(
        finding_ratings=[], delivered=Decimal(0), ordered=Decimal(0), reports_on_time=0, reports_due=0, **rules
    )
    assert nothing.colour == NONE
    good = supervision_colour(
        finding_ratings=["green"],
        delivered=Decimal(98),
        ordered=Decimal(100),
        reports_on_time=95,
        reports_due=100,
        **rules,
    )
    assert good.colour == GREEN
    hours_yellow = supervision_colour(
        finding_ratings=[], delivered=Decimal("97.9"), ordered=Decimal(100), reports_on_time=0, reports_due=0, **rules
    )
    assert hours_yellow.colour == YELLOW
    findings_red = supervision_colour(
        finding_ratings=["green", "red"],
        delivered=Decimal(100),
        ordered=Decimal(100),
        reports_on_time=1,
        reports_due=1,
        **rules,
    )
    assert (findings_red.colour, findings_red.figures["parts"]["findings"]) == (RED, RED)
    late_reports = supervision_colour(
        finding_ratings=[], delivered=Decimal(0), ordered=Decimal(0), reports_on_time=84, reports_due=100, **rules
    )
    assert late_reports.colour == RED


def test_percentages_are_rounded_half_up_to_one_decimal():
    assert percent(1, 3) == Decimal("33.3")
    assert percent(2, 3) == Decimal("66.7")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(1, 0) is None


ALL_GREEN = dict.fromkeys(["complaints", "user_surveys", "case_handling", "effect", "supervision"], GREEN)


@pytest.mark.parametrize(
    ("colours", "previous", "gross", "confirmed", "scenario", "reason"),
    [
        (ALL_GREEN, {}, False, [], 1, "no_remarks"),
        ({**ALL_GREEN, "effect": YELLOW}, {}, False, [], 2, "yellow"),
        (
            {**ALL_GREEN, "effect": YELLOW, "complaints": YELLOW, "supervision": YELLOW},
            {},
            False,
            [],
            3,
            "three_yellow",
        ),
        ({**ALL_GREEN, "effect": RED}, {}, False, [], 3, "red"),
        ({**ALL_GREEN, "effect": RED}, {"effect": RED}, False, [], 4, "red_again"),
        ({**ALL_GREEN, "effect": RED}, {"complaints": RED}, False, [], 3, "red"),
        (ALL_GREEN, {}, True, [], 4, "gross_violation"),
        (dict.fromkeys(ALL_GREEN, NONE), {}, False, [], None, "no_data"),
        ({**ALL_GREEN, "effect": YELLOW}, {}, False, [3, 1], 3, "confirmed_on_inspection"),
        (dict.fromkeys(ALL_GREEN, NONE), {}, False, [2], 2, "confirmed_on_inspection"),
        ({**ALL_GREEN, "effect": RED}, {}, False, [2], 3, "red"),
    ],
)
def test_the_proposed_scenario(colours, previous, gross, confirmed, scenario, reason):
    proposal = propose_scenario(
        colours=colours, previous_colours=previous, gross_violation=gross, confirmed_scenarios=confirmed
    )
    assert (proposal.scenario, proposal.reason) == (scenario, reason)


@pytest.mark.parametrize(
    ("rule", "problems"),
    [
        (Rule("x", Decimal(95), Decimal(85)), []),
        (Rule("x", Decimal(85), Decimal(95)), ["yellow_above_green"]),
        (Rule("x", Decimal(0), Decimal(2), higher_is_better=False), []),
        (Rule("x", Decimal(2), Decimal(0), higher_is_better=False), ["yellow_below_green"]),
    ],
)
def test_nonsense_limits_are_recognised(rule, problems):
    assert rule.problems() == problems
