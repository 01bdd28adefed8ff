"""Compiling a half-year's quality report into a canonical, hashable snapshot.

Set-based: a fixed number of aggregate queries (the scorecards of `kvalitet.scorecard` and a few
totals) whatever the number of providers; rows are never all loaded into Python.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count

from kvalitet.figures import group_pools, offer_sums, pooled
from kvalitet.periods import HalfYear
from kvalitet.scorecard import PreviousHalfYear, empty_tracks, scorecards
from kvalitet.scoring import TRACKS, PreviousDecision
from leverandoer.models import FrameworkAgreement, Offer, OfferType, Provider, TargetGroup, stricter_referral
from tilsyn.models import Inspection, ScenarioPolicy
from tilsyn.selectors import evidence, open_cases_by_provider

from . import annual
from .models import QualityReport
from .selectors import decided_scenarios, published_version
from .summary import COLOUR_MOVES

METHOD_KEYS = {
    Inspection.Method.VISIT: "visit",
    Inspection.Method.DATA_CHECK: "data",
    Inspection.Method.CASE_REVIEW: "case_review",
}


def plain(value):
    """Decimals as JSON numbers (already rounded where they are percentages)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(data: dict) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def previous_half_year(period: HalfYear) -> PreviousHalfYear | None:
    """The previous half-year as decided: its published version's scenarios (overrides applied),
    their tracks and the colours shown, per provider id. None while it is undecided (unpublished)."""
    report = published_version(period.previous().report_code)
    return None if report is None else decision_of(report, decided_scenarios(report))


def decision_of(report: QualityReport, scenarios: dict[str, int | None]) -> PreviousHalfYear:
    """A published version as the decision the next half-year's rules look back on."""
    pks = dict(Provider.objects.filter(ref__in=list(scenarios)).values_list("ref", "pk"))
    decisions, colours = {}, {}
    for row in report.data["providers"]:
        pk = pks.get(row["provider_ref"])
        if pk is None:
            continue
        decisions[pk] = PreviousDecision(
            period=report.period, scenario=scenarios[row["provider_ref"]], tracks=tuple(row.get("scenario_tracks", []))
        )
        colours[pk] = {track: entry["colour"] for track, entry in row["tracks"].items()}
    return PreviousHalfYear(decisions=decisions, colours=colours)


def track_entry(colour) -> dict:
    """A colour as the snapshot stores it (and the live panels show it)."""
    return {"colour": colour.colour, "reason": colour.reason, "figures": plain(dict(colour.figures))}


def _offer_rows(provider_pks: list[int], cards: dict) -> dict[int, list[dict]]:
    """Per provider, every active offer or offer with data, with its five colours."""
    offers = (
        Offer.objects.filter(provider_id__in=provider_pks)
        .order_by("name", "ref")
        .values(
            "pk",
            "ref",
            "name",
            "provider_id",
            "active",
            "offer_type__name",
            "target_group__name",
            "referral_status",
            "provider__referral_status",
        )
    )
    rows: dict[int, list[dict]] = defaultdict(list)
    for offer in offers:
        card = cards.get(offer["provider_id"])
        colours = card.offers.get(offer["pk"]) if card else None
        if colours is None and not offer["active"]:
            continue
        colours = colours or empty_tracks()
        rows[offer["provider_id"]].append(
            {
                "offer_ref": offer["ref"],
                "name": offer["name"],
                "offer_type": offer["offer_type__name"],
                "target_group": offer["target_group__name"],
                # The effective status: the stricter of the offer's own and its provider's.
                "referral_status": stricter_referral(offer["referral_status"], offer["provider__referral_status"]),
                "tracks": {track: track_entry(colours[track]) for track in TRACKS},
            }
        )
    return rows


def build(*, period: HalfYear, progress: Callable[[int], None] = lambda pct: None) -> dict:
    """The report's content for the half-year (without version and hash, which the caller adds)."""
    progress(5)
    sums = offer_sums(period=period)  # once, for the scorecards, the benchmarks and the key figures
    # The previous half-year's decision, read once for the repeat rule and for "changes since".
    previous = published_version(period.previous().report_code)
    scenarios = decided_scenarios(previous) if previous else {}
    cards = scorecards(period=period, sums=sums, previous=decision_of(previous, scenarios) if previous else None)
    progress(50)
    with_agreement = set(
        FrameworkAgreement.objects.filter(starts_on__lte=period.end, ends_on__gte=period.start).values_list(
            "provider_id", flat=True
        )
    )
    in_scope = with_agreement | {
        provider_id
        for provider_id, card in cards.items()
        if card.proposal.scenario is not None or any(colour.colour != "none" for colour in card.tracks.values())
    }
    providers = list(
        Provider.objects.filter(pk__in=in_scope).order_by("ref").values("pk", "ref", "name", "kind", "referral_status")
    )
    offers = _offer_rows([provider["pk"] for provider in providers], cards)
    policies = {policy.scenario: policy for policy in ScenarioPolicy.objects.all()}
    cases = open_cases_by_provider([provider["pk"] for provider in providers])
    rows, standing_out, by_scenario = [], [], Counter()
    for provider in providers:
        card = cards.get(provider["pk"])
        tracks = card.tracks if card else empty_tracks()
        scenario = card.proposal.scenario if card else None
        row = {
            "provider_ref": provider["ref"],
            "name": provider["name"],
            "kind": provider["kind"],
            "referral_status": provider["referral_status"],
            "tracks": {track: track_entry(tracks[track]) for track in TRACKS},
            "offers": offers.get(provider["pk"], []),
            "proposed_scenario": scenario,
            "scenario": scenario,
            "scenario_reason": card.proposal.reason if card else "no_data",
            "scenario_tracks": list(card.proposal.tracks) if card else [],
            "scenario_details": plain(dict(card.proposal.details)) if card else {},
        }
        if card and card.proposal.raised_from is not None:
            row["raised_from"] = card.proposal.raised_from
        row["case"] = cases.get(provider["pk"])
        if scenario in (3, 4):
            standing_out.append(provider["ref"])
            policy = policies.get(scenario)
            # Own centres have no framework agreement: no contractual measure, in the snapshot too.
            row["measures"] = policy.measures_for(internal=provider["kind"] == Provider.Kind.INTERNAL) if policy else []
        by_scenario[str(scenario)] += 1
        rows.append(row)
    progress(75)
    data = {
        "period": period.report_code,
        "providers": rows,
        "benchmarks": _benchmarks(sums),
        "standing_out": standing_out,
        "key_figures": _key_figures(period, sums, by_scenario),
        "trend": annual.trend(until=period.end),
        "changes": _changes(period, rows, previous, scenarios),
    }
    if period.half == 2:
        progress(85)
        data["annual"] = annual.build(period.year)
    progress(95)
    return data


def _colour_move(was: str | None, now: str | None) -> str | None:
    """How one track's colour moved. Missing data is never an improvement: a colour that became
    none is "no_data_now", a colour where there was none is "new_data"; neither is better or worse."""
    was_rank, now_rank = annual.RATING_RANK.get(was), annual.RATING_RANK.get(now)
    if was_rank and not now_rank:
        return "no_data_now"
    if now_rank and not was_rank:
        return "new_data"
    if was_rank and now_rank and was_rank != now_rank:
        return "worse" if now_rank > was_rank else "better"
    return None


def _changes(
    period: HalfYear, rows: list[dict], previous: QualityReport | None, scenarios: dict[str, int | None]
) -> dict:
    """What changed since the previous half-year's decision (`previous`, its published version, and
    the `scenarios` decided there, overrides applied): scenarios, colours per track, providers new
    to or gone from the report. With no published version before — a draft decides nothing — nothing
    is compared and the snapshot says which half-year is undecided."""
    if previous is None:
        return {"previous": None, "undecided": period.previous().report_code}
    before = {row["provider_ref"]: row for row in previous.data["providers"]}
    colours = {track: dict.fromkeys(COLOUR_MOVES, 0) for track in TRACKS}
    for row in rows:
        old = before.get(row["provider_ref"])
        if old is None:
            continue
        for track in TRACKS:
            move = _colour_move(
                (old["tracks"].get(track) or {}).get("colour"), (row["tracks"].get(track) or {}).get("colour")
            )
            if move:
                colours[track][move] += 1
    refs = {row["provider_ref"] for row in rows}
    return {
        "previous": {"period": previous.period, "version": previous.version, "published": True},
        # The scenario each provider ended with there; set against this version's decided scenario
        # when shown, so that an override made here counts too (rapporter.summary).
        "before": scenarios,
        "colours": colours,
        "new": sorted(row["name"] for row in rows if row["provider_ref"] not in before),
        "gone": sorted(old["name"] for ref, old in before.items() if ref not in refs),
    }


def _benchmarks(sums: dict) -> list[dict]:
    """Per comparable group with data: its pooled figures, and how many offers and providers it has."""
    offers = list(Offer.objects.values_list("pk", "provider_id", "offer_type_id", "target_group_id"))
    pools = group_pools(sums, ((pk, (type_id, group_id)) for pk, _p, type_id, group_id in offers))
    members: dict[tuple[int, int], set] = defaultdict(set)
    providers: dict[tuple[int, int], set] = defaultdict(set)
    for pk, provider_id, type_id, group_id in offers:
        if pk in sums:
            members[(type_id, group_id)].add(pk)
            providers[(type_id, group_id)].add(provider_id)
    types = dict(OfferType.objects.values_list("pk", "name"))
    target_groups = dict(TargetGroup.objects.values_list("pk", "name"))
    result = []
    for (type_id, group_id), group in pools.items():
        survey = group["survey"]
        result.append(
            {
                "offer_type": types[type_id],
                "target_group": target_groups[group_id],
                "offers": len(members[(type_id, group_id)]),
                "providers": len(providers[(type_id, group_id)]),
                "survey_mean": annual.number(survey.mean),
                "survey_answers": int(survey.denominator),
                "hours_delivered_pct": annual.pct(group["hours"]),
                "progress_reports_on_time_pct": annual.pct(group["reports_on_time"]),
                "progress_reports_due": int(group["reports_on_time"].denominator),
                "outcome_rate_pct": annual.pct(group["outcomes"]),
                "outcome_citizens": int(group["outcomes"].denominator),
            }
        )
    return sorted(result, key=lambda row: (row["offer_type"], row["target_group"]))


def _key_figures(period: HalfYear, sums: dict, by_scenario: Counter) -> dict:
    everything = pooled(sums, ((offer_id, "all") for offer_id in sums))["all"]
    hours, reports_submitted, reports_on_time = (
        everything["hours"],
        everything["reports_submitted"],
        everything["reports_on_time"],
    )
    methods = dict.fromkeys(METHOD_KEYS.values(), 0)
    for row in (
        Inspection.objects.filter(evidence(), performed_on__range=(period.start, period.end))
        .values("method")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        methods[METHOD_KEYS[row["method"]]] = row["n"]
    return {
        "hours_delivered_pct": annual.pct(hours),
        "progress_reports_submitted_pct": annual.pct(reports_submitted),
        "progress_reports_on_time_pct": annual.pct(reports_on_time),
        # The n behind both report percentages, so that a half-year with few reports is not published.
        "progress_reports_due": int(reports_submitted.denominator),
        "supervisions_by_method": methods,
        "providers_by_scenario": {key: by_scenario.get(key, 0) for key in ("1", "2", "3", "4")},
    }
