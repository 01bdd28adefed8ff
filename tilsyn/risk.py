"""The supervision risk score: plain functions over plain data, testable without a database.

A provider's score is the sum of five parts, each a figure times an administrator's weight:

- past scenarios: scenario steps above 1, weighted 1 for the last year, 0.5 the year before, 0.25 the
  year before that (recent ones weigh more);
- red findings in the last 24 months;
- vulnerable target groups: whether the provider has active offers for a group marked vulnerable;
- offer types: the highest risk factor among its active offer types;
- time since the last performed visit, in months (at most 24; never visited counts as 24).

The score suggests the method (a visit from `threshold_visit`, else a data-based check) and whether
the visit should be unannounced (from `threshold_unannounced`).

BIF's own centres are the exception (seed 003): they are supervised by spot checks in the
administration's systems (data-based checks) and a case review of up to ten offers per centre, and
visited only after a concrete assessment, so no score alone suggests a visit to them. Their score is
still computed and shown: it is what a contract manager weighs in that assessment. SUF's and SOF's
centres are supervised "after the same concept" as external providers and follow the score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MAX_MONTHS = 24
RECENCY = ((365, Decimal("1")), (730, Decimal("0.5")), (1095, Decimal("0.25")))
# Seed 003: "Tilsynet har gennemgået op til 10 tilbud pr. center".
CENTRE_OFFERS_REVIEWED = 10

# The supervision regimes, and the methods each suggests (the values of `Inspection.Method`; the
# first is the one planned from the suggestion).
ORDINARY = "ordinary"
BIF_CENTRE = "bif_centre"
VISIT, DATA_CHECK, CASE_REVIEW = "visit", "data_check", "case_review"


def regime(*, kind: str, administration: str) -> str:
    """A provider's supervision regime from its kind and administration (seed 003)."""
    return BIF_CENTRE if kind == "internal" and administration == "BIF" else ORDINARY


@dataclass(frozen=True)
class RiskFacts:
    scenarios: tuple[tuple[date, int], ...] = ()  # (performed date, decided scenario)
    red_findings: int = 0
    vulnerable_group: bool = False
    offer_type_factor: Decimal = Decimal("0")
    last_visit: date | None = None
    regime: str = ORDINARY
    # BIF centres: their offers with hours in the last year, most ordered hours first.
    offers_by_ordered_hours: tuple[int, ...] = ()


@dataclass(frozen=True)
class RiskPart:
    code: str
    figure: Decimal
    weight: Decimal

    @property
    def points(self) -> Decimal:
        return (self.figure * self.weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RiskResult:
    parts: tuple[RiskPart, ...]
    suggest_visit: bool
    suggest_unannounced: bool
    regime: str = ORDINARY
    review_offers: tuple[int, ...] = ()  # the case review's sample (BIF centres), as offer ids
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", sum((part.points for part in self.parts), Decimal("0")))

    @property
    def methods(self) -> tuple[str, ...]:
        """The suggested methods, the one to plan first."""
        if self.regime == BIF_CENTRE:
            return (CASE_REVIEW, DATA_CHECK)
        return (VISIT,) if self.suggest_visit else (DATA_CHECK,)

    @property
    def method(self) -> str:
        return self.methods[0]


def recency(days_ago: int) -> Decimal:
    for limit, factor in RECENCY:
        if 0 <= days_ago < limit:
            return factor
    return Decimal("0")


def months_between(earlier: date, later: date) -> int:
    return max(0, (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day))


def risk_score(*, facts: RiskFacts, weights: dict[str, Decimal], as_of: date) -> RiskResult:
    scenario_figure = sum(
        (Decimal(scenario - 1) * recency((as_of - performed_on).days) for performed_on, scenario in facts.scenarios),
        Decimal("0"),
    )
    months = MAX_MONTHS if facts.last_visit is None else min(MAX_MONTHS, months_between(facts.last_visit, as_of))
    parts = (
        RiskPart("scenario", scenario_figure, weights["scenario"]),
        RiskPart("red_finding", Decimal(facts.red_findings), weights["red_finding"]),
        RiskPart("vulnerable_group", Decimal(int(facts.vulnerable_group)), weights["vulnerable_group"]),
        RiskPart("offer_type", facts.offer_type_factor, weights["offer_type"]),
        RiskPart("months_since_visit", Decimal(months), weights["months_since_visit"]),
    )
    total = sum((part.points for part in parts), Decimal("0"))
    by_score = facts.regime != BIF_CENTRE  # a BIF centre is visited after a concrete assessment only
    return RiskResult(
        parts=parts,
        suggest_visit=by_score and total >= weights["threshold_visit"],
        suggest_unannounced=by_score and total >= weights["threshold_unannounced"],
        regime=facts.regime,
        review_offers=facts.offers_by_ordered_hours[:CENTRE_OFFERS_REVIEWED] if not by_score else (),
    )
