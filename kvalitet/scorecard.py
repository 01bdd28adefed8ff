"""Every provider's and every offer's five track colours, and the provider's proposed scenario,
for a half-year, set-based: a fixed number of aggregate queries whatever the number of providers,
then the pure rules of `kvalitet.scoring` over the sums. The compile, the live colours on the
provider and offer pages and the rule preview all call `scorecards`, so they agree by construction.

The half-year a row belongs to: hours — period_end; progression reports — due_date; surveys —
answered_on; complaints — decided_on, else received_on; spot-check reviews — the review date;
findings — the inspection's performed date (submitted or imported inspections only); outcomes — the
follow-up date.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from leverandoer.models import Offer
from tilsyn.selectors import HalfYearSupervision, half_year_supervision

from . import scoring
from .figures import complaint_counts, offer_sums, others_in_group, provider_totals, spot_check_counts
from .models import ScoringRule
from .periods import HalfYear

# Tracks measured per offer; complaints and case handling are the provider's.
OFFER_TRACKS = ("user_surveys", "effect", "supervision")
PROVIDER_LEVEL = ("complaints", "case_handling")


@dataclass(frozen=True)
class Scorecard:
    provider_id: int
    tracks: dict[str, scoring.Colour]
    proposal: scoring.ScenarioProposal
    offers: dict[int, dict[str, scoring.Colour]] = field(default_factory=dict)  # offer id → five tracks


@dataclass(frozen=True)
class PreviousHalfYear:
    """The previous half-year as its published version decided it (per provider id: the decision
    and the colours shown). `None` in its place means undecided: colours are then recomputed from
    today's data, only to say that a red two half-years running was not decided as 3–4."""

    decisions: dict[int, scoring.PreviousDecision]
    colours: dict[int, dict[str, str]]


def rules() -> dict[str, scoring.Rule]:
    stored = {rule.code: rule.as_rule() for rule in ScoringRule.objects.all()}
    return {**scoring.DEFAULT_RULES, **stored}


def _offers(provider_ids) -> list[dict]:
    """The offers to colour, and with them every offer of their comparable groups (the comparison)."""
    offers = Offer.objects.values("pk", "ref", "provider_id", "offer_type_id", "target_group_id")
    if provider_ids is None:
        return list(offers)
    groups = set(
        Offer.objects.filter(provider_id__in=provider_ids).values_list("offer_type_id", "target_group_id").distinct()
    )
    in_groups = Q(pk__in=[])
    for offer_type_id, target_group_id in groups:
        in_groups |= Q(offer_type_id=offer_type_id, target_group_id=target_group_id)
    return list(offers.filter(in_groups))


def _supervision(rule_set, *, ratings, sums) -> scoring.Colour:
    return scoring.supervision_colour(
        finding_ratings=ratings,
        delivered=sums["hours"].numerator,
        ordered=sums["hours"].denominator,
        reports_on_time=int(sums["reports_on_time"].numerator),
        reports_due=int(sums["reports_on_time"].denominator),
        hours_rule=rule_set["supervision_hours"],
        reports_rule=rule_set["supervision_reports"],
    )


def _surveys(rule_set, sums) -> scoring.Colour:
    return scoring.surveys_colour(
        score_sum=int(sums["survey"].numerator), answers=int(sums["survey"].denominator), rule=rule_set["user_surveys"]
    )


def _colours(period: HalfYear, offers: list[dict], rule_set: dict, *, sums=None, provider_ids=None):
    """Per provider id: its five colours, its offers' five colours, and what the half-year's
    inspections say about it."""
    sums = offer_sums(period=period, offer_ids=[offer["pk"] for offer in offers]) if sums is None else sums
    groups = [(o["pk"], o["provider_id"], (o["offer_type_id"], o["target_group_id"])) for o in offers]
    others = others_in_group(sums, groups, "outcomes")
    own = [offer for offer in offers if provider_ids is None or offer["provider_id"] in provider_ids]
    totals = provider_totals(sums, ((offer["pk"], offer["provider_id"]) for offer in own))
    complaints = complaint_counts(period=period, provider_ids=provider_ids)
    case_handling = spot_check_counts(period=period, provider_ids=provider_ids)
    supervision = half_year_supervision(start=period.start, end=period.end, provider_ids=provider_ids)
    effect_rule = rule_set["effect"]
    offer_colours: dict[int, dict[int, dict[str, scoring.Colour]]] = {}
    effects: dict[int, list[scoring.OfferOutcomes]] = {}
    for offer in own:
        figures = sums.get(offer["pk"])
        if figures is None:
            continue
        group = others[offer["pk"]]
        outcomes = scoring.OfferOutcomes(
            offer_ref=offer["ref"],
            off_support=int(figures["outcomes"].numerator),
            citizens=int(figures["outcomes"].denominator),
            group_off_support=int(group.ratio.numerator),
            group_citizens=int(group.ratio.denominator),
            group_offers=group.offers,
            group_providers=group.providers,
        )
        effects.setdefault(offer["provider_id"], []).append(outcomes)
        ratings = supervision.get(offer["provider_id"], HalfYearSupervision()).offer_ratings.get(offer["pk"], [])
        offer_colours.setdefault(offer["provider_id"], {})[offer["pk"]] = {
            "user_surveys": _surveys(rule_set, figures),
            "effect": scoring.offer_effect_colour(outcomes, effect_rule),
            "supervision": _supervision(rule_set, ratings=ratings, sums=figures),
        }
    provider_set = set(totals) | set(complaints) | set(case_handling) | set(supervision)
    colours = {}
    for provider_id in provider_set:
        provider_sums = totals[provider_id]
        counts = complaints.get(provider_id, {"upheld": 0, "general": 0, "total": 0})
        met, assessed, cases = case_handling.get(provider_id, (0, 0, 0))
        inspected = supervision.get(provider_id, HalfYearSupervision())
        tracks = {
            "complaints": scoring.complaints_colour(
                upheld=counts["upheld"],
                general_practice=counts["general"],
                total=counts["total"],
                rule=rule_set["complaints"],
            ),
            "user_surveys": _surveys(rule_set, provider_sums),
            "case_handling": scoring.case_handling_colour(
                met=met, assessed=assessed, cases=cases, rule=rule_set["case_handling"]
            ),
            "effect": scoring.effect_colour(offers=effects.get(provider_id, []), rule=effect_rule),
            "supervision": _supervision(rule_set, ratings=inspected.ratings, sums=provider_sums),
        }
        if not counts["total"] and all(tracks[t].colour == scoring.NONE for t in scoring.TRACKS if t != "complaints"):
            # No complaints and nothing else either: the provider has no data in the half-year.
            tracks["complaints"] = scoring.Colour(scoring.NONE, "no_data", {"total": 0})
        provider_level = {
            track: scoring.Colour(
                tracks[track].colour,
                "provider_level",
                {**tracks[track].figures, "provider_reason": tracks[track].reason},
            )
            for track in PROVIDER_LEVEL
        }
        offers_here = {
            pk: {**provider_level, **offer_tracks} for pk, offer_tracks in offer_colours.get(provider_id, {}).items()
        }
        colours[provider_id] = (tracks, offers_here, inspected)
    return colours


def scorecards(
    *,
    period: HalfYear,
    sums=None,
    rule_set: dict[str, scoring.Rule] | None = None,
    previous: PreviousHalfYear | None = None,
    provider_ids=None,
) -> dict[int, Scorecard]:
    """The scorecard of every provider with data in the half-year (or of `provider_ids` only).
    `previous` is the previous half-year as published (see `PreviousHalfYear`); `sums` are the
    half-year's `offer_sums`, when the caller has them already (for every offer)."""
    rule_set = rules() if rule_set is None else rule_set
    offers = _offers(provider_ids)
    scoped = sums if provider_ids is None else None
    now = _colours(period, offers, rule_set, sums=scoped, provider_ids=provider_ids)
    if previous is None:
        before = _colours(period.previous(), offers, rule_set, provider_ids=provider_ids)
        previous = PreviousHalfYear(
            decisions={},
            colours={pk: {t: c.colour for t, c in tracks.items()} for pk, (tracks, _o, _i) in before.items()},
        )
    cards = {}
    for provider_id, (tracks, offer_tracks, inspected) in now.items():
        proposal = scoring.propose_half_year_scenario(
            colours={track: colour.colour for track, colour in tracks.items()},
            previous_colours=previous.colours.get(provider_id, {}),
            previous=previous.decisions.get(provider_id),
            gross_violations=inspected.gross,
            repeats=inspected.repeats,
            decided_inspections=inspected.decided,
        )
        cards[provider_id] = Scorecard(provider_id=provider_id, tracks=tracks, proposal=proposal, offers=offer_tracks)
    return cards


def empty_tracks() -> dict[str, scoring.Colour]:
    return {track: scoring.Colour(scoring.NONE, "no_data") for track in scoring.TRACKS}
