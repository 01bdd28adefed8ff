"""Every provider's five track colours and proposed scenario for a half-year, set-based: a fixed
number of aggregate queries whatever the number of providers, then the pure rules of
`kvalitet.scoring` over the sums.

The half-year a row belongs to: hours — period_end; progression reports — due_date; surveys —
answered_on; complaints — decided_on, else received_on; spot-check reviews — the review date;
findings — the inspection's performed date (submitted or imported inspections only); outcomes — the
follow-up date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from leverandoer.models import Offer
from tilsyn.models import Assessment, Finding
from tilsyn.selectors import evidence

from . import scoring
from .figures import ZERO, complaint_counts, offer_sums, spot_check_counts
from .models import ScoringRule
from .periods import HalfYear


@dataclass(frozen=True)
class Scorecard:
    provider_id: int
    tracks: dict[str, scoring.Colour]
    proposal: scoring.ScenarioProposal


def rules() -> dict[str, scoring.Rule]:
    stored = {rule.code: rule.as_rule() for rule in ScoringRule.objects.all()}
    return {**scoring.DEFAULT_RULES, **stored}


def _findings(period: HalfYear) -> tuple[dict[int, list[str]], set[int]]:
    ratings: dict[int, list[str]] = defaultdict(list)
    gross: set[int] = set()
    rows = Finding.objects.filter(
        evidence("inspection__"), inspection__performed_on__range=(period.start, period.end)
    ).values_list("inspection__provider_id", "rating", "gross_violation")
    for provider_id, rating, is_gross in rows:
        ratings[provider_id].append(rating)
        if is_gross:
            gross.add(provider_id)
    return ratings, gross


def _colours(period: HalfYear, offers: list[dict], rule_set: dict, sums=None) -> tuple[dict[int, dict], set[int]]:
    sums = offer_sums(period=period) if sums is None else sums
    groups: dict[tuple[int, int], dict[str, object]] = defaultdict(lambda: {"off": Decimal(0), "n": Decimal(0)})
    for offer in offers:
        outcome = sums.get(offer["pk"], {}).get("outcomes", ZERO)
        group = groups[(offer["offer_type_id"], offer["target_group_id"])]
        group["off"] += outcome.numerator
        group["n"] += outcome.denominator
    per_provider: dict[int, dict] = defaultdict(
        lambda: {"survey": ZERO, "hours": ZERO, "reports_on_time": ZERO, "effect": []}
    )
    for offer in offers:
        own = sums.get(offer["pk"])
        totals = per_provider[offer["provider_id"]]
        if own is None:
            continue
        for metric in ("survey", "hours", "reports_on_time"):
            totals[metric] = totals[metric] + own[metric]
        group = groups[(offer["offer_type_id"], offer["target_group_id"])]
        totals["effect"].append(
            scoring.OfferOutcomes(
                offer_ref=offer["ref"],
                off_support=int(own["outcomes"].numerator),
                citizens=int(own["outcomes"].denominator),
                group_off_support=int(group["off"]),
                group_citizens=int(group["n"]),
            )
        )
    complaints = complaint_counts(period=period)
    case_handling = spot_check_counts(period=period)
    ratings, gross = _findings(period)
    provider_ids = {offer["provider_id"] for offer in offers} | set(complaints) | set(case_handling) | set(ratings)
    colours = {}
    for provider_id in provider_ids:
        totals = per_provider[provider_id]
        counts = complaints.get(provider_id, {"upheld": 0, "general": 0, "total": 0})
        met, assessed, cases = case_handling.get(provider_id, (0, 0, 0))
        tracks = {
            "complaints": scoring.complaints_colour(
                upheld=counts["upheld"],
                general_practice=counts["general"],
                total=counts["total"],
                rule=rule_set["complaints"],
            ),
            "user_surveys": scoring.surveys_colour(
                score_sum=int(totals["survey"].numerator),
                answers=int(totals["survey"].denominator),
                rule=rule_set["user_surveys"],
            ),
            "case_handling": scoring.case_handling_colour(
                met=met, assessed=assessed, cases=cases, rule=rule_set["case_handling"]
            ),
            "effect": scoring.effect_colour(offers=totals["effect"], rule=rule_set["effect"]),
            "supervision": scoring.supervision_colour(
                finding_ratings=ratings.get(provider_id, []),
                delivered=totals["hours"].numerator,
                ordered=totals["hours"].denominator,
                reports_on_time=int(totals["reports_on_time"].numerator),
                reports_due=int(totals["reports_on_time"].denominator),
                hours_rule=rule_set["supervision_hours"],
                reports_rule=rule_set["supervision_reports"],
            ),
        }
        if not counts["total"] and all(tracks[t].colour == scoring.NONE for t in scoring.TRACKS if t != "complaints"):
            # No complaints and nothing else either: the provider has no data in the half-year.
            tracks["complaints"] = scoring.Colour(scoring.NONE, "no_data", {"total": 0})
        colours[provider_id] = tracks
    return colours, gross


def scorecards(*, period: HalfYear, sums=None, rule_set: dict[str, scoring.Rule] | None = None) -> dict[int, Scorecard]:
    """The scorecard of every provider with data in the half-year. The previous half-year's colours
    (for "red again") are always recomputed from current data and rules. `sums` are the
    half-year's `offer_sums`, when the caller has them already."""
    rule_set = rules() if rule_set is None else rule_set
    offers = list(Offer.objects.values("pk", "ref", "provider_id", "offer_type_id", "target_group_id"))
    now, gross = _colours(period, offers, rule_set, sums)
    before, _gross_before = _colours(period.previous(), offers, rule_set)
    confirmed: dict[int, list[int]] = defaultdict(list)
    for provider_id, scenario in Assessment.objects.filter(
        inspection__performed_on__range=(period.start, period.end)
    ).values_list("inspection__provider_id", "scenario"):
        confirmed[provider_id].append(scenario)
    cards = {}
    for provider_id in set(now) | set(confirmed):
        tracks = now.get(provider_id) or {track: scoring.Colour(scoring.NONE, "no_data") for track in scoring.TRACKS}
        proposal = scoring.propose_scenario(
            colours={track: colour.colour for track, colour in tracks.items()},
            previous_colours={track: colour.colour for track, colour in before.get(provider_id, {}).items()},
            gross_violation=provider_id in gross,
            confirmed_scenarios=confirmed.get(provider_id, []),
        )
        cards[provider_id] = Scorecard(provider_id=provider_id, tracks=tracks, proposal=proposal)
    return cards
