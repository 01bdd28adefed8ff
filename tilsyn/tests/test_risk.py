"""The risk score as a pure function: no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tilsyn.risk import BIF_CENTRE, ORDINARY, RiskFacts, months_between, recency, regime, risk_score

WEIGHTS = {
    "scenario": Decimal("2"),
    "red_finding": Decimal("1.5"),
    "vulnerable_group": Decimal("3"),
    "offer_type": Decimal("2"),
    "months_since_visit": Decimal("0.25"),
    "threshold_visit": Decimal("6"),
    "threshold_unannounced": Decimal("10"),
}
AS_OF = date(2025, 6, 30)


def points(result) -> dict[str, Decimal]:
    return {part.code: part.points for part in result.parts}


def test_a_quiet_provider_visited_recently_scores_low_and_gets_a_data_based_check():
    facts = RiskFacts(last_visit=date(2025, 3, 1), offer_type_factor=Decimal("0.5"))
    result = risk_score(facts=facts, weights=WEIGHTS, as_of=AS_OF)
    assert points(result) == {
        "scenario": Decimal("0"),
        "red_finding": Decimal("0"),
        "vulnerable_group": Decimal("0"),
        "offer_type": Decimal("1.00"),
        "months_since_visit": Decimal("0.75"),
    }
    assert result.total == Decimal("1.75")
    assert (result.suggest_visit, result.suggest_unannounced) == (False, False)


def test_recent_scenarios_weigh_more_than_old_ones():
    recent = RiskFacts(scenarios=((date(2025, 3, 1), 3),), last_visit=AS_OF)
    older = RiskFacts(scenarios=((date(2023, 9, 1), 3),), last_visit=AS_OF)
    oldest = RiskFacts(scenarios=((date(2022, 9, 1), 3),), last_visit=AS_OF)
    assert points(risk_score(facts=recent, weights=WEIGHTS, as_of=AS_OF))["scenario"] == Decimal("4.00")
    assert points(risk_score(facts=older, weights=WEIGHTS, as_of=AS_OF))["scenario"] == Decimal("2.00")
    assert points(risk_score(facts=oldest, weights=WEIGHTS, as_of=AS_OF))["scenario"] == Decimal("1.00")


def test_a_risky_provider_gets_an_unannounced_visit_suggested():
    facts = RiskFacts(
        scenarios=((date(2025, 1, 10), 4), (date(2024, 2, 1), 3)),
        red_findings=2,
        vulnerable_group=True,
        offer_type_factor=Decimal("1.5"),
        last_visit=None,
    )
    result = risk_score(facts=facts, weights=WEIGHTS, as_of=AS_OF)
    # scenario 3 steps × 1 + 2 steps × 0.5 = 4 → 8; reds 3; vulnerable 3; offer type 3; 24 months → 6
    assert result.total == Decimal("23.00")
    assert (result.suggest_visit, result.suggest_unannounced) == (True, True)


def test_never_visited_counts_as_24_months_and_long_ago_is_capped():
    never = risk_score(facts=RiskFacts(), weights=WEIGHTS, as_of=AS_OF)
    long_ago = risk_score(facts=RiskFacts(last_visit=date(2019, 1, 1)), weights=WEIGHTS, as_of=AS_OF)
    assert points(never)["months_since_visit"] == points(long_ago)["months_since_visit"] == Decimal("6.00")


def test_zero_weights_switch_a_factor_off():
    weights = {**WEIGHTS, "vulnerable_group": Decimal("0")}
    result = risk_score(facts=RiskFacts(vulnerable_group=True, last_visit=AS_OF), weights=weights, as_of=AS_OF)
    assert result.total == Decimal("0")


@pytest.mark.parametrize(
    ("days", "factor"), [(0, "1"), (364, "1"), (365, "0.5"), (729, "0.5"), (730, "0.25"), (1094, "0.25"), (1095, "0")]
)
def test_recency_steps(days, factor):
    assert recency(days) == Decimal(factor)


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (date(2025, 1, 31), date(2025, 2, 28), 0),
        (date(2025, 1, 15), date(2025, 2, 15), 1),
        (date(2025, 7, 1), date(2025, 6, 1), 0),
    ],
)
def test_months_between(earlier, later, months):
    assert months_between(earlier, later) == months


@pytest.mark.parametrize(
    ("kind", "administration", "expected"),
    [
        ("internal", "BIF", BIF_CENTRE),
        ("internal", "SUF", ORDINARY),
        ("internal", "SOF", ORDINARY),
        ("external", "", ORDINARY),
        ("anden_aktoer", "", ORDINARY),
    ],
)
def test_only_bifs_own_centres_have_a_regime_of_their_own(kind, administration, expected):
    assert regime(kind=kind, administration=administration) == expected


def test_a_bif_centre_is_never_suggested_a_visit_by_its_score_and_reviews_at_most_ten_offers():
    facts = RiskFacts(
        scenarios=((date(2025, 3, 1), 4),),
        red_findings=5,
        vulnerable_group=True,
        regime=BIF_CENTRE,
        offers_by_ordered_hours=tuple(range(101, 113)),
    )
    result = risk_score(facts=facts, weights=WEIGHTS, as_of=AS_OF)
    assert result.total == Decimal("22.50")  # 6 + 7.5 + 3 + 6, far above both thresholds: the score is still shown
    assert (result.suggest_visit, result.suggest_unannounced) == (False, False)
    assert (result.methods, result.method) == (("case_review", "data_check"), "case_review")
    assert result.review_offers == tuple(range(101, 111))


def test_an_ordinary_provider_has_no_case_review_sample():
    facts = RiskFacts(red_findings=5, offers_by_ordered_hours=(1, 2, 3))
    result = risk_score(facts=facts, weights=WEIGHTS, as_of=AS_OF)
    assert (result.methods, result.review_offers) == (("visit",), ())
