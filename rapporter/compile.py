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

from kvalitet.figures import ZERO, offer_sums
from kvalitet.periods import HalfYear
from kvalitet.scorecard import scorecards
from kvalitet.scoring import TRACKS, one_decimal
from leverandoer.models import FrameworkAgreement, Offer, OfferType, Provider, TargetGroup
from tilsyn.models import Inspection, ScenarioPolicy
from tilsyn.selectors import evidence

from . import annual
from .models import QualityReport, ScenarioOverride

METHOD_KEYS = {
    Inspection.Method.VISIT: "visit",
    Inspection.Method.DATA_CHECK: "data",
    Inspection.Method.CASE_REVIEW: "case_review",
}


def _plain(value):
    """Decimals as JSON numbers (already rounded where they are percentages)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def canonical_json(data: dict) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(data: dict) -> str:
    return hashlib.sha256(canonical_json(data).encode()).hexdigest()


def build(*, period: HalfYear, progress: Callable[[int], None] = lambda pct: None) -> dict:
    """The report's content for the half-year (without version and hash, which the caller adds)."""
    progress(5)
    sums = offer_sums(period=period)  # once, for the scorecards, the benchmarks and the key figures
    cards = scorecards(period=period, sums=sums)
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
    providers = Provider.objects.filter(pk__in=in_scope).order_by("ref").values("pk", "ref", "name", "kind")
    measures = {policy.scenario: policy.measures for policy in ScenarioPolicy.objects.all()}
    rows, standing_out, by_scenario = [], [], Counter()
    for provider in providers:
        card = cards.get(provider["pk"])
        tracks = {
            track: (
                {
                    "colour": card.tracks[track].colour,
                    "reason": card.tracks[track].reason,
                    "figures": _plain(dict(card.tracks[track].figures)),
                }
                if card
                else {"colour": "none", "reason": "no_data", "figures": {}}
            )
            for track in TRACKS
        }
        scenario = card.proposal.scenario if card else None
        row = {
            "provider_ref": provider["ref"],
            "name": provider["name"],
            "kind": provider["kind"],
            "tracks": tracks,
            "proposed_scenario": scenario,
            "scenario": scenario,
            "scenario_reason": card.proposal.reason if card else "no_data",
            "scenario_tracks": list(card.proposal.tracks) if card else [],
        }
        if scenario in (3, 4):
            standing_out.append(provider["ref"])
            row["measures"] = measures.get(scenario, [])
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
        "changes": _changes(period, rows),
    }
    if period.half == 2:
        progress(85)
        data["annual"] = annual.build(period.year)
    progress(95)
    return data


def _previous_version(period: HalfYear) -> tuple[QualityReport | None, bool]:
    """What the committee saw last: the previous half-year's newest published version, else its
    newest version; and whether it was published."""
    versions = QualityReport.objects.filter(period=period.previous().report_code).order_by("-version")
    published = versions.filter(publication__published_at__isnull=False).first()
    return (published, True) if published else (versions.first(), False)


def _changes(period: HalfYear, rows: list[dict]) -> dict:
    """What changed since the previous half-year's report: scenarios (as decided there, overrides
    included), colours per track, providers new to or gone from the report."""
    previous, published = _previous_version(period)
    if previous is None:
        return {"previous": None}
    before = {row["provider_ref"]: row for row in previous.data["providers"]}
    decided = dict(ScenarioOverride.objects.filter(report=previous).values_list("provider_ref", "scenario"))
    colours = {track: {"better": 0, "worse": 0} for track in TRACKS}
    for row in rows:
        old = before.get(row["provider_ref"])
        if old is None:
            continue
        for track in TRACKS:
            was, now = (
                annual.RATING_RANK.get(old["tracks"][track]["colour"]),
                annual.RATING_RANK.get(row["tracks"][track]["colour"]),
            )
            if was and now and was != now:
                colours[track]["worse" if now > was else "better"] += 1
    refs = {row["provider_ref"] for row in rows}
    return {
        "previous": {"period": previous.period, "version": previous.version, "published": published},
        # The scenario each provider ended with there; set against this version's decided scenario
        # when shown, so that an override made here counts too (rapporter.summary).
        "before": {ref: decided.get(ref, old["proposed_scenario"]) for ref, old in before.items()},
        "colours": colours,
        "new": sorted(row["name"] for row in rows if row["provider_ref"] not in before),
        "gone": sorted(old["name"] for ref, old in before.items() if ref not in refs),
    }


def _benchmarks(sums: dict) -> list[dict]:
    groups: dict[tuple[int, int], dict] = defaultdict(
        lambda: {"offers": 0, **dict.fromkeys(("survey", "hours", "reports_on_time", "outcomes"), ZERO)}
    )
    for offer in Offer.objects.values("pk", "offer_type_id", "target_group_id"):
        own = sums.get(offer["pk"])
        if own is None:
            continue
        group = groups[(offer["offer_type_id"], offer["target_group_id"])]
        group["offers"] += 1
        for metric in ("survey", "hours", "reports_on_time", "outcomes"):
            group[metric] = group[metric] + own[metric]
    types = dict(OfferType.objects.values_list("pk", "name"))
    target_groups = dict(TargetGroup.objects.values_list("pk", "name"))
    result = []
    for (type_id, group_id), group in groups.items():
        survey = group["survey"]
        result.append(
            {
                "offer_type": types[type_id],
                "target_group": target_groups[group_id],
                "offers": group["offers"],
                "survey_mean": float(one_decimal(survey.numerator / survey.denominator))
                if survey.denominator
                else None,
                "survey_answers": int(survey.denominator),
                "hours_delivered_pct": annual.pct(group["hours"]),
                "progress_reports_on_time_pct": annual.pct(group["reports_on_time"]),
                "outcome_rate_pct": annual.pct(group["outcomes"]),
            }
        )
    return sorted(result, key=lambda row: (row["offer_type"], row["target_group"]))


def _key_figures(period: HalfYear, sums: dict, by_scenario: Counter) -> dict:
    hours = reports_submitted = reports_on_time = ZERO
    for own in sums.values():
        hours = hours + own["hours"]
        reports_submitted = reports_submitted + own["reports_submitted"]
        reports_on_time = reports_on_time + own["reports_on_time"]
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
        "supervisions_by_method": methods,
        "providers_by_scenario": {key: by_scenario.get(key, 0) for key in ("1", "2", "3", "4")},
    }
