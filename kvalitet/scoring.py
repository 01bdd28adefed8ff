"""The rules that colour the five tracks and propose a scenario: plain functions over plain data,
testable without a database.

A rule has two limits and a direction. Higher is better: green from `green`, yellow from `yellow`,
red below. Lower is better: green up to `green`, yellow up to `yellow`, red above. Below `minimum`
data points a track has no colour ("none"). Percentages are rounded half-up to one decimal before
they are compared, as the committee reads them.

Every result carries its reason as structured data (rule code, figures, limits); the report renders
it in Danish.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"
SEVERITY = {NONE: -1, GREEN: 0, YELLOW: 1, RED: 2}
TRACKS = ("complaints", "user_surveys", "case_handling", "effect", "supervision")


@dataclass(frozen=True)
class Rule:
    code: str
    green: Decimal
    yellow: Decimal
    higher_is_better: bool = True
    minimum: int = 0
    confidence: Decimal | None = None  # effect: the two-sided level (%) of the Wilson interval

    def problems(self) -> list[str]:
        """What makes the limits nonsense (yellow above green, for instance); empty when sound."""
        if self.higher_is_better and self.yellow > self.green:
            return ["yellow_above_green"]
        if not self.higher_is_better and self.yellow < self.green:
            return ["yellow_below_green"]
        if self.minimum < 0:
            return ["negative_minimum"]
        return []


DEFAULT_RULES = {
    "complaints": Rule("complaints", Decimal(0), Decimal(2), higher_is_better=False),
    "user_surveys": Rule("user_surveys", Decimal("4.0"), Decimal("3.5"), minimum=5),
    "case_handling": Rule("case_handling", Decimal(95), Decimal(85), minimum=5),
    "effect": Rule("effect", Decimal(-5), Decimal(-10), minimum=10, confidence=Decimal(90)),
    "supervision_hours": Rule("supervision_hours", Decimal(98), Decimal(95)),
    "supervision_reports": Rule("supervision_reports", Decimal(95), Decimal(85)),
}


@dataclass(frozen=True)
class Colour:
    colour: str
    reason: str  # a code the report renders in Danish
    figures: Mapping[str, object] = field(default_factory=dict)


def one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return one_decimal(Decimal(100) * Decimal(numerator) / Decimal(denominator))


def grade(value: Decimal, rule: Rule) -> str:
    if rule.higher_is_better:
        return GREEN if value >= rule.green else YELLOW if value >= rule.yellow else RED
    return GREEN if value <= rule.green else YELLOW if value <= rule.yellow else RED


def worst(colours: Iterable[str]) -> str:
    return max(colours, key=SEVERITY.__getitem__, default=NONE)


# --- The five tracks ---------------------------------------------------------------------------


def complaints_colour(*, upheld: int, general_practice: int, total: int, rule: Rule) -> Colour:
    figures = {"upheld": upheld, "general_practice": general_practice, "total": total}
    if general_practice:
        return Colour(RED, "general_practice", figures)
    colour = grade(Decimal(upheld), rule)
    return Colour(colour, f"upheld_{colour}", {**figures, "green": rule.green, "yellow": rule.yellow})


def surveys_colour(*, score_sum: int, answers: int, rule: Rule) -> Colour:
    if answers < rule.minimum:
        return Colour(NONE, "too_few_answers", {"answers": answers, "minimum": rule.minimum})
    mean = one_decimal(Decimal(score_sum) / Decimal(answers))  # compared as the report shows it
    colour = grade(mean, rule)
    return Colour(colour, "mean_score", {"mean": mean, "answers": answers, "green": rule.green, "yellow": rule.yellow})


def case_handling_colour(*, met: int, assessed: int, cases: int, rule: Rule) -> Colour:
    if cases < rule.minimum or not assessed:
        return Colour(NONE, "too_few_cases", {"cases": cases, "minimum": rule.minimum})
    compliance = percent(met, assessed)
    colour = grade(compliance, rule)
    figures = {"compliance": compliance, "met": met, "assessed": assessed, "cases": cases}
    return Colour(colour, "compliance", {**figures, "green": rule.green, "yellow": rule.yellow})


@dataclass(frozen=True)
class OfferOutcomes:
    offer_ref: str
    off_support: int
    citizens: int
    group_off_support: int
    group_citizens: int


def effect_colour(*, offers: Iterable[OfferOutcomes], rule: Rule) -> Colour:
    """Per offer with enough citizens: its rate against its comparable group's pooled rate; the
    provider gets the worst offer's colour."""
    graded = []
    for offer in offers:
        if offer.citizens < rule.minimum or not offer.group_citizens:
            continue
        rate = percent(offer.off_support, offer.citizens)
        group = percent(offer.group_off_support, offer.group_citizens)
        graded.append((grade(rate - group, rule), offer.offer_ref, rate, group))
    if not graded:
        return Colour(NONE, "too_few_citizens", {"minimum": rule.minimum})
    colour, offer_ref, rate, group = max(graded, key=lambda item: SEVERITY[item[0]])
    figures = {"offer": offer_ref, "rate": rate, "group_rate": group, "gap": rate - group, "offers": len(graded)}
    return Colour(colour, "effect_gap", {**figures, "green": rule.green, "yellow": rule.yellow})


def supervision_colour(
    *,
    finding_ratings: Iterable[str],
    delivered: Decimal,
    ordered: Decimal,
    reports_on_time: int,
    reports_due: int,
    hours_rule: Rule,
    reports_rule: Rule,
) -> Colour:
    """The worst of the sub-indicators that have data: findings, hours delivered %, progression
    reports on time %. Attendance and report content are shown elsewhere but not scored."""
    parts: dict[str, str] = {}
    figures: dict[str, object] = {}
    ratings = list(finding_ratings)
    if ratings:
        parts["findings"] = RED if RED in ratings else YELLOW if YELLOW in ratings else GREEN
        figures["findings"] = {colour: ratings.count(colour) for colour in (GREEN, YELLOW, RED)}
    if ordered:
        hours = percent(delivered, ordered)
        parts["hours"] = grade(hours, hours_rule)
        figures["hours_delivered_pct"] = hours
    if reports_due:
        on_time = percent(reports_on_time, reports_due)
        parts["reports"] = grade(on_time, reports_rule)
        figures["reports_on_time_pct"] = on_time
    if not parts:
        return Colour(NONE, "no_data", {})
    colour = worst(parts.values())
    return Colour(colour, "worst_sub_indicator", {**figures, "parts": parts})


# --- The scenario ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScenarioProposal:
    scenario: int | None
    reason: str
    tracks: tuple[str, ...] = ()
    raised_from: int | None = None


def propose_scenario(
    *,
    colours: Mapping[str, str],
    previous_colours: Mapping[str, str],
    gross_violation: bool,
    confirmed_scenarios: Iterable[int] = (),
) -> ScenarioProposal:
    """4 for a gross violation or a track red now and in the previous half-year; 3 for any red or
    three or more yellow; 2 for any yellow; 1 otherwise; none when every track is none. Then raised
    to the highest scenario confirmed on the provider's inspections in the half-year."""
    reds = tuple(track for track in TRACKS if colours.get(track) == RED)
    yellows = tuple(track for track in TRACKS if colours.get(track) == YELLOW)
    repeated = tuple(track for track in reds if previous_colours.get(track) == RED)
    if gross_violation:
        proposal = ScenarioProposal(4, "gross_violation")
    elif repeated:
        proposal = ScenarioProposal(4, "red_again", repeated)
    elif reds:
        proposal = ScenarioProposal(3, "red", reds)
    elif len(yellows) >= 3:
        proposal = ScenarioProposal(3, "three_yellow", yellows)
    elif yellows:
        proposal = ScenarioProposal(2, "yellow", yellows)
    elif all(colours.get(track, NONE) == NONE for track in TRACKS):
        proposal = ScenarioProposal(None, "no_data")
    else:
        proposal = ScenarioProposal(1, "no_remarks")
    confirmed = max(confirmed_scenarios, default=None)
    if confirmed and (proposal.scenario is None or confirmed > proposal.scenario):
        return ScenarioProposal(confirmed, "confirmed_on_inspection", proposal.tracks, raised_from=proposal.scenario)
    return proposal
