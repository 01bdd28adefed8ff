"""Live, provisional colours for the provider and offer pages, and an offer's colours in the newest
published report that has it.

The live colours are those the compile would give today: the same `kvalitet.scorecard.scorecards`
call, scoped to one provider (and its groups' peers), with the previous half-year as published.
They are provisional — the half-year has not ended and nobody has approved them — and the panels
say so. The panels are registered with `leverandoer.panels` (see `rapporter.apps`), because the
provider page lives in the lowest app, which cannot import this one.
"""

from __future__ import annotations

from django.utils import timezone

from kvalitet.periods import HalfYear
from kvalitet.scorecard import empty_tracks, scorecards
from kvalitet.scoring import TRACKS
from leverandoer.models import Offer, Provider

from . import charts, reasons
from .compile import plain, previous_half_year, track_entry
from .models import QualityReport


def live_period() -> HalfYear:
    """The half-year containing today: the one the live colours are for."""
    return HalfYear.containing(timezone.localdate())


def entries(tracks: dict) -> list[dict]:
    """The five tracks of a provider or offer, as the page shows them: the track's name, the colour
    in words (never colour alone) and its reason in Danish. `tracks` maps track → snapshot entry."""
    labels, words = reasons.track_labels(), charts.colour_words()
    result = []
    for track in TRACKS:
        entry = tracks.get(track) or {"colour": "none", "reason": "no_data", "figures": {}}
        result.append(
            {
                "track": track,
                "label": labels[track],
                "colour": entry.get("colour", "none"),
                "word": words.get(entry.get("colour", "none"), entry.get("colour")),
                "reason": reasons.track_reason(entry),
            }
        )
    return result


def _snapshot(colours: dict) -> dict:
    return {track: track_entry(colour) for track, colour in colours.items()}


def _card(provider_id: int, period: HalfYear):
    return scorecards(period=period, provider_ids=[provider_id], previous=previous_half_year(period)).get(provider_id)


def provider_colours(*, provider: Provider) -> dict:
    """The provider page's panel: its five live colours, the proposed scenario with its reason, and
    per offer its five colours. A fixed number of queries, whatever the number of providers."""
    period = live_period()
    card = _card(provider.pk, period)
    tracks = _snapshot(card.tracks) if card else _snapshot(empty_tracks())
    scenario = {
        "scenario": card.proposal.scenario if card else None,
        "scenario_reason": card.proposal.reason if card else "no_data",
        "scenario_tracks": list(card.proposal.tracks) if card else [],
        "scenario_details": plain(dict(card.proposal.details)) if card else {},
    }
    if card and card.proposal.raised_from is not None:
        scenario["raised_from"] = card.proposal.raised_from
    offers = []
    for offer in provider.offers.order_by("name", "ref"):
        colours = card.offers.get(offer.pk) if card else None
        if colours is None and not offer.active:
            continue
        offers.append({"offer": offer, "tracks": entries(_snapshot(colours or empty_tracks()))})
    return {
        "period": period,
        "tracks": entries(tracks),
        "scenario": scenario["scenario"],
        "scenario_reason": reasons.scenario_reason(scenario),
        "offers": offers,
    }


def published_offer_colours(offer: Offer) -> dict | None:
    """The offer's colours in the newest published report that has it: per half-year, newest first,
    the newest published version that is not discarded (the half-year's decision); the first whose
    snapshot lists the offer. Versions compiled before offers were coloured have no `offers`."""
    published = QualityReport.objects.filter(publication__published_at__isnull=False, discard__isnull=True)
    seen = set()
    for report in published.order_by("-period", "-version").only("pk", "period", "version").iterator():
        if report.period in seen:
            continue  # an older version of a half-year already looked at: not its decision
        seen.add(report.period)
        data = QualityReport.objects.values_list("data", flat=True).get(pk=report.pk)
        for row in data.get("providers", []):
            for entry in row.get("offers") or []:
                if entry.get("offer_ref") == offer.ref:
                    return {"report": report, "tracks": entries(entry.get("tracks", {}))}
    return None


def offer_colours(*, offer: Offer) -> dict:
    """The offer page's panel: the offer's live colours and its colours in the newest published report."""
    period = live_period()
    card = _card(offer.provider_id, period)
    colours = card.offers.get(offer.pk) if card else None
    return {
        "offer": offer,
        "period": period,
        "tracks": entries(_snapshot(colours or empty_tracks())),
        "published": published_offer_colours(offer),
    }
