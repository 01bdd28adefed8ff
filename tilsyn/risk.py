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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

MAX_MONTHS = 24
RECENCY = ((365, Decimal("1")), (730, Decimal("0.5")), (1095, Decimal("0.25")))


@dataclass(frozen=True)
class RiskFacts:
    scenarios: tuple[tuple[date, int], ...] = ()  # (performed date, decided scenario)
    red_findings: int = 0
    vulnerable_group: bool = False
    offer_type_factor: Decimal = Decimal("0")
    last_visit: date | None = None


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
    total: Decimal = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", sum((part.points for part in self.parts), Decimal("0")))


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
    return RiskResult(
        parts=parts,
        suggest_visit=total >= weights["threshold_visit"],
        suggest_unannounced=total >= weights["threshold_unannounced"],
    )
