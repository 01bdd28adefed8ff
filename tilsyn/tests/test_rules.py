"""The scenario rules as pure functions: no database."""

from __future__ import annotations

from datetime import date

import pytest

from tilsyn.rules import EarlierRed, FindingFact, Proposal, propose_inspection_scenario

DAY = date(2025, 6, 1)


def facts(*pairs, gross=()):
    return [FindingFact(area=area, rating=rating, gross_violation=area in gross) for area, rating in pairs]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ([], Proposal(1, "no_remarks")),
        (facts(("premises", "green"), ("attendance", "green")), Proposal(1, "no_remarks")),
        (facts(("premises", "yellow"), ("attendance", "green")), Proposal(2, "yellow", ("premises",))),
        (facts(("premises", "yellow"), ("attendance", "red")), Proposal(3, "red", ("attendance",))),
        (
            facts(("premises", "red"), ("attendance", "red")),
            Proposal(3, "red", ("premises", "attendance")),
        ),
        (
            facts(("framework_agreement", "red"), ("premises", "yellow"), gross=("framework_agreement",)),
            Proposal(4, "gross_violation", ("framework_agreement",)),
        ),
    ],
)
def test_scenario_from_the_findings_alone(findings, expected):
    assert propose_inspection_scenario(findings=findings, performed_on=DAY) == expected


def test_red_again_after_a_remark_decided_as_more_criticisable_is_scenario_4():
    earlier = [EarlierRed("premises", date(2024, 9, 1), "INS-2024-0007", decided_scenario=3)]
    proposal = propose_inspection_scenario(findings=facts(("premises", "red")), performed_on=DAY, earlier_reds=earlier)
    assert proposal == Proposal(4, "repeated_red", ("premises",), ("INS-2024-0007",))


@pytest.mark.parametrize("decided", [1, 2, None])
def test_an_earlier_red_decided_lower_or_never_decided_is_no_repeat(decided):
    earlier = [EarlierRed("premises", date(2024, 9, 1), "INS-2024-0007", decided_scenario=decided)]
    proposal = propose_inspection_scenario(findings=facts(("premises", "red")), performed_on=DAY, earlier_reds=earlier)
    assert (proposal.scenario, proposal.rule) == (3, "red")
    assert proposal.not_repeats == tuple(earlier)  # said on the page: "… — not a repeat"


def test_the_repeat_window_is_calendar_months_and_data():
    earlier = [EarlierRed("premises", date(2025, 2, 28), "INS-X", decided_scenario=4)]
    findings = facts(("premises", "red"))
    assert (
        propose_inspection_scenario(findings=findings, performed_on=DAY, earlier_reds=earlier, window_months=3).scenario
        == 3
    )
    assert (
        propose_inspection_scenario(findings=findings, performed_on=DAY, earlier_reds=earlier, window_months=4).scenario
        == 4
    )


@pytest.mark.parametrize(
    ("earlier_day", "area", "now_rating", "scenario"),
    [
        (date(2024, 6, 1), "premises", "red", 4),  # exactly 12 calendar months before: inside the window
        (date(2024, 5, 31), "premises", "red", 3),  # a day more: outside
        (date(2025, 6, 1), "premises", "red", 3),  # same day is not "before"
        (date(2025, 7, 1), "premises", "red", 3),  # a later inspection does not count
        (date(2025, 1, 1), "attendance", "red", 3),  # red before in another area
        (date(2025, 1, 1), "premises", "yellow", 2),  # red before, only yellow now
    ],
)
def test_the_repeat_window_and_area(earlier_day, area, now_rating, scenario):
    earlier = [EarlierRed(area=area, performed_on=earlier_day, inspection_ref="INS-X", decided_scenario=3)]
    proposal = propose_inspection_scenario(
        findings=facts(("premises", now_rating)), performed_on=DAY, earlier_reds=earlier
    )
    assert proposal.scenario == scenario


def test_gross_violation_wins_over_a_repeat():
    earlier = [EarlierRed("premises", date(2025, 1, 1), "INS-X", decided_scenario=3)]
    findings = facts(("premises", "red"), ("framework_agreement", "red"), gross=("framework_agreement",))
    assert (
        propose_inspection_scenario(findings=findings, performed_on=DAY, earlier_reds=earlier).rule == "gross_violation"
    )
