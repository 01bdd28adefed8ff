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
    PreviousDecision,
    Rule,
    case_handling_colour,
    complaints_colour,
    effect_colour,
    offer_effect_colour,
    percent,
    propose_half_year_scenario,
    supervision_colour,
    surveys_colour,
    wilson_interval,
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


def offer(ref, off, n, group_off, group_n, offers=3, providers=3):
    return OfferOutcomes(ref, off, n, group_off, group_n, group_offers=offers, group_providers=providers)


def test_the_wilson_interval_matches_the_textbook():
    # 20 of 100 at 95 %: 13.36–28.91 % (Wilson 1927; Newcombe 1998, method 3)
    assert wilson_interval(20, 100, Decimal(95)) == (Decimal("13.3"), Decimal("28.9"))
    assert wilson_interval(20, 100, Decimal(90)) == (Decimal("14.3"), Decimal("27.3"))
    assert wilson_interval(0, 10, Decimal(90)) == (Decimal("0.0"), Decimal("21.3"))
    assert wilson_interval(10, 10, Decimal(90)) == (Decimal("78.7"), Decimal("100.0"))


def test_a_shortfall_within_chance_stays_green_and_says_the_basis_is_uncertain():
    # 4 of 10 = 40 % against 50 %: the rate alone would be yellow (−10 points), but the 90 % interval
    # reaches 64.8 %, above the group's 50 %.
    result = offer_effect_colour(offer("A", 4, 10, 50, 100), R["effect"])
    assert result.colour == GREEN
    assert result.figures["uncertain"] is True
    assert (result.figures["rate"], result.figures["n"]) == (Decimal("40.0"), 10)
    assert (result.figures["interval_low"], result.figures["interval_high"]) == (Decimal("19.4"), Decimal("64.8"))
    assert (result.figures["group_rate"], result.figures["group_n"]) == (Decimal("50.0"), 100)


def test_a_shortfall_beyond_chance_is_red_or_yellow_by_the_upper_bound():
    red = offer_effect_colour(offer("B", 20, 100, 500, 1000), R["effect"])  # upper 27.3 < 50 − 10
    assert (red.colour, red.figures["uncertain"]) == (RED, False)
    yellow = offer_effect_colour(offer("C", 160, 400, 500, 1000), R["effect"])  # upper 44.1: −5.9 points
    assert (yellow.colour, yellow.figures["interval_high"]) == (YELLOW, Decimal("44.1"))
    # The same rate with 100 citizens: upper 53.2 above 50 % → green, though the rate is 5 points below.
    assert offer_effect_colour(offer("D", 45, 100, 500, 1000), R["effect"]).colour == GREEN


def test_the_confidence_level_is_data():
    narrow = Rule("effect", Decimal(-5), Decimal(-10), minimum=10, confidence=Decimal(50))
    # 30 of 100 against 50 %: at 90 % the upper bound is 38.0 (red); at 50 % it is narrower still.
    assert offer_effect_colour(offer("E", 30, 100, 500, 1000), R["effect"]).figures["interval_high"] == Decimal("38.0")
    assert offer_effect_colour(offer("E", 30, 100, 500, 1000), narrow).figures["interval_high"] < Decimal("38.0")


def test_an_offer_alone_in_its_group_gets_no_effect_colour():
    alone = offer_effect_colour(offer("F", 1, 50, 0, 0, offers=0, providers=0), R["effect"])
    assert (alone.colour, alone.reason) == (NONE, "no_comparable")
    provider = effect_colour(offers=[offer("F", 1, 50, 0, 0, offers=0, providers=0)], rule=R["effect"])
    assert (provider.colour, provider.reason) == (NONE, "no_comparable")


def test_too_few_citizens_gives_no_colour_and_the_provider_gets_its_worst_coloured_offer():
    few = offer_effect_colour(offer("G", 1, 9, 500, 1000), R["effect"])
    assert (few.colour, few.reason, few.figures["n"]) == (NONE, "too_few_citizens", 9)
    worst = effect_colour(
        offers=[offer("G", 1, 9, 500, 1000), offer("C", 160, 400, 500, 1000), offer("D", 45, 100, 500, 1000)],
        rule=R["effect"],
    )
    assert (worst.colour, worst.figures["offer"], worst.figures["offers"]) == (YELLOW, "C", 2)


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
DECIDED_3_EFFECT = PreviousDecision("2025-H1", 3, ("effect",))
DECIDED_2_EFFECT = PreviousDecision("2025-H1", 2, ("effect",))
DECIDED_3_OTHER = PreviousDecision("2025-H1", 3, ("complaints",))
REPEAT = {"inspection": "INS-2025-0002", "area": "premises", "earlier": ["INS-2025-0001"]}


@pytest.mark.parametrize(
    ("colours", "previous_colours", "previous", "kwargs", "scenario", "reason"),
    [
        (ALL_GREEN, {}, None, {}, 1, "no_remarks"),
        ({**ALL_GREEN, "effect": YELLOW}, {}, None, {}, 2, "yellow"),
        ({**ALL_GREEN, "effect": YELLOW, "complaints": YELLOW, "supervision": YELLOW}, {}, None, {}, 3, "three_yellow"),
        ({**ALL_GREEN, "effect": RED}, {}, None, {}, 3, "red"),
        # Red twice: 4 only when the previous half-year's published decision was 3–4 for that track.
        ({**ALL_GREEN, "effect": RED}, {"effect": RED}, DECIDED_3_EFFECT, {}, 4, "red_again_decided"),
        ({**ALL_GREEN, "effect": RED}, {"effect": RED}, None, {}, 3, "red_twice_undecided"),
        ({**ALL_GREEN, "effect": RED}, {"effect": RED}, DECIDED_2_EFFECT, {}, 3, "red_twice_undecided"),
        ({**ALL_GREEN, "effect": RED}, {"effect": RED}, DECIDED_3_OTHER, {}, 3, "red_twice_undecided"),
        ({**ALL_GREEN, "effect": RED}, {"complaints": RED}, DECIDED_3_OTHER, {}, 3, "red"),
        (ALL_GREEN, {}, None, {"gross_violations": ["INS-1"]}, 4, "gross_violation"),
        ({**ALL_GREEN, "supervision": RED}, {}, None, {"repeats": [REPEAT]}, 4, "repeated_remark"),
        (dict.fromkeys(ALL_GREEN, NONE), {}, None, {}, None, "no_data"),
        (
            {**ALL_GREEN, "effect": YELLOW},
            {},
            None,
            {"decided_inspections": [("I-1", 3), ("I-2", 1)]},
            3,
            "raised_by_inspection",
        ),
        (dict.fromkeys(ALL_GREEN, NONE), {}, None, {"decided_inspections": [("I-1", 2)]}, 2, "raised_by_inspection"),
        ({**ALL_GREEN, "effect": RED}, {}, None, {"decided_inspections": [("I-1", 2)]}, 3, "red"),
    ],
)
def test_the_proposed_half_year_scenario(colours, previous_colours, previous, kwargs, scenario, reason):
    proposal = propose_half_year_scenario(
        colours=colours, previous_colours=previous_colours, previous=previous, **kwargs
    )
    assert (proposal.scenario, proposal.reason) == (scenario, reason)


def test_every_scenario_4_names_its_cause():
    gross = propose_half_year_scenario(colours=ALL_GREEN, gross_violations=["INS-2025-0009"])
    assert gross.details == {"inspections": ["INS-2025-0009"]}
    repeat = propose_half_year_scenario(colours={**ALL_GREEN, "supervision": RED}, repeats=[REPEAT])
    assert repeat.details == {"repeats": [REPEAT]}
    again = propose_half_year_scenario(
        colours={**ALL_GREEN, "effect": RED}, previous_colours={"effect": RED}, previous=DECIDED_3_EFFECT
    )
    assert again.details == {"previous_period": "2025-H1", "previous_scenario": 3}
    raised = propose_half_year_scenario(colours=ALL_GREEN, decided_inspections=[("INS-2025-0004", 4)])
    assert (raised.scenario, raised.raised_from, raised.details["inspection"]) == (4, 1, "INS-2025-0004")


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
