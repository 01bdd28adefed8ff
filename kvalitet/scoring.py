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
from math import sqrt
from statistics import NormalDist

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


def mean(total: Decimal | int, n: Decimal | int) -> Decimal | None:
    """A mean score as the committee reads it and the rule compares it: one decimal, half up."""
    if not n:
        return None
    return one_decimal(Decimal(total) / Decimal(n))


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
    score = mean(score_sum, answers)  # compared as the report shows it
    colour = grade(score, rule)
    return Colour(colour, "mean_score", {"mean": score, "answers": answers, "green": rule.green, "yellow": rule.yellow})


def case_handling_colour(*, met: int, assessed: int, cases: int, rule: Rule) -> Colour:
    if cases < rule.minimum or not assessed:
        return Colour(NONE, "too_few_cases", {"cases": cases, "minimum": rule.minimum})
    compliance = percent(met, assessed)
    colour = grade(compliance, rule)
    figures = {"compliance": compliance, "met": met, "assessed": assessed, "cases": cases}
    return Colour(colour, "compliance", {**figures, "green": rule.green, "yellow": rule.yellow})


@dataclass(frozen=True)
class OfferOutcomes:
    """An offer's measured results beside the *other* offers of its comparable group (the provider's
    own other offers in the group included, the offer itself left out)."""

    offer_ref: str
    off_support: int
    citizens: int
    group_off_support: int  # the other offers' citizens off public support
    group_citizens: int  # the other offers' citizens with a measured result
    group_offers: int = 0  # other offers in the group with a measured result
    group_providers: int = 0  # providers of those offers


def wilson_interval(successes: int, n: int, confidence: Decimal) -> tuple[Decimal, Decimal]:
    """The Wilson score interval of a rate, in percent with one decimal, at a two-sided level (%).
    Unlike the plain normal interval it stays within 0–100 and behaves for small n and rates near 0."""
    z = NormalDist().inv_cdf(1 - (1 - float(confidence) / 100) / 2)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return one_decimal(Decimal(100 * max(0.0, centre - half))), one_decimal(Decimal(100 * min(1.0, centre + half)))


def offer_effect_colour(offer: OfferOutcomes, rule: Rule) -> Colour:
    """Worse than green only beyond chance: the colour grades the upper bound of the offer's Wilson
    interval against the other offers' pooled rate; when the rate alone would have graded worse, the
    reason says the basis is uncertain."""
    if offer.citizens < rule.minimum:
        return Colour(
            NONE, "too_few_citizens", {"offer": offer.offer_ref, "n": offer.citizens, "minimum": rule.minimum}
        )
    if not offer.group_offers or not offer.group_citizens:
        return Colour(NONE, "no_comparable", {"offer": offer.offer_ref, "n": offer.citizens})
    confidence = rule.confidence or Decimal(90)
    rate = percent(offer.off_support, offer.citizens)
    low, high = wilson_interval(offer.off_support, offer.citizens, confidence)
    group_rate = percent(offer.group_off_support, offer.group_citizens)
    colour = grade(high - group_rate, rule)
    by_rate = grade(rate - group_rate, rule)
    figures = {
        "offer": offer.offer_ref,
        "rate": rate,
        "n": offer.citizens,
        "interval_low": low,
        "interval_high": high,
        "confidence": confidence,
        "group_rate": group_rate,
        "group_offers": offer.group_offers,
        "group_providers": offer.group_providers,
        "group_n": offer.group_citizens,
        "gap": rate - group_rate,
        "green": rule.green,
        "yellow": rule.yellow,
        "uncertain": SEVERITY[by_rate] > SEVERITY[colour],
    }
    return Colour(colour, "effect_interval", figures)


def effect_colour(*, offers: Iterable[OfferOutcomes], rule: Rule) -> Colour:
    """The provider's effect colour: the worst of its coloured offers, with that offer's reason."""
    graded = [offer_effect_colour(offer, rule) for offer in offers]
    coloured = [colour for colour in graded if colour.colour != NONE]
    if coloured:
        worst_offer = max(coloured, key=lambda colour: SEVERITY[colour.colour])
        return Colour(worst_offer.colour, worst_offer.reason, {**worst_offer.figures, "offers": len(coloured)})
    if any(colour.reason == "no_comparable" for colour in graded):
        return Colour(NONE, "no_comparable", {"minimum": rule.minimum})
    return Colour(NONE, "too_few_citizens", {"minimum": rule.minimum})


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
        figures["reports_due"] = reports_due
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
    details: Mapping[str, object] = field(default_factory=dict)  # what names the cause: inspections, repeats


@dataclass(frozen=True)
class PreviousDecision:
    """The previous half-year as decided: its published version's scenario for the provider
    (overrides applied) and the tracks among that scenario's reasons. None where it is undecided."""

    period: str
    scenario: int | None
    tracks: tuple[str, ...] = ()


def propose_half_year_scenario(
    *,
    colours: Mapping[str, str],
    previous_colours: Mapping[str, str] = {},
    previous: PreviousDecision | None = None,
    gross_violations: Iterable[str] = (),
    repeats: Iterable[Mapping[str, object]] = (),
    decided_inspections: Iterable[tuple[str, int]] = (),
) -> ScenarioProposal:
    """Table 1 for a provider's half-year, tried in this order:

    - 4 `gross_violation`: an inspection in the half-year found a gross violation (named);
    - 4 `repeated_remark`: a red finding repeats a decided "more criticisable" remark, the same
      definition as for an inspection (`tilsyn.rules.repeats`; each repeat named);
    - 4 `red_again_decided`: a track red now and in the previous half-year, whose published decision
      for the provider was scenario 3 or 4 with that track among its reasons;
    - 3 `red_twice_undecided`: a track red two half-years running without such a decision;
    - 3 `red`: any red track; 3 `three_yellow`: three or more yellow; 2 `yellow`: any yellow;
    - 1 `no_remarks`; none `no_data` when every track is none.

    Then raised (`raised_by_inspection`) to the highest scenario decided on the half-year's
    inspections, naming the inspection, so that every scenario 4 names its cause.
    """
    reds = tuple(track for track in TRACKS if colours.get(track) == RED)
    yellows = tuple(track for track in TRACKS if colours.get(track) == YELLOW)
    red_twice = tuple(track for track in reds if previous_colours.get(track) == RED)
    decided_before = previous is not None and previous.scenario in (3, 4)
    again = tuple(track for track in red_twice if decided_before and track in previous.tracks)
    gross_violations, repeats = list(gross_violations), list(repeats)
    if gross_violations:
        proposal = ScenarioProposal(4, "gross_violation", reds, details={"inspections": gross_violations})
    elif repeats:
        proposal = ScenarioProposal(4, "repeated_remark", reds, details={"repeats": repeats})
    elif again:
        details = {"previous_period": previous.period, "previous_scenario": previous.scenario}
        proposal = ScenarioProposal(4, "red_again_decided", again, details=details)
    elif red_twice:
        details = {
            "repeated_tracks": list(red_twice),
            "previous_period": previous.period if previous else None,
            "previous_scenario": previous.scenario if previous else None,
        }
        proposal = ScenarioProposal(3, "red_twice_undecided", reds, details=details)
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
    decided = max(decided_inspections, key=lambda item: (item[1], item[0]), default=None)
    if decided and (proposal.scenario is None or decided[1] > proposal.scenario):
        ref, scenario = decided
        details = {"inspection": ref, "inspection_scenario": scenario, "rule": proposal.reason, **proposal.details}
        return ScenarioProposal(
            scenario, "raised_by_inspection", proposal.tracks, raised_from=proposal.scenario, details=details
        )
    return proposal
