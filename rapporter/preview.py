"""What an edited scoring rule would change, before it is saved (issue 13, item 6).

The latest compiled half-year is recomputed twice from today's data, once with the stored rules and
once with the edited rule in their place, and the two sets of scorecards are compared. It lives in
`rapporter` because "the latest compiled half-year" is a report's notion; `kvalitet` may not look
up here. A read: nothing is stored.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from kvalitet import scoring
from kvalitet.figures import offer_sums
from kvalitet.periods import HalfYear
from kvalitet.scorecard import rules, scorecards
from leverandoer.models import Provider

from . import reasons
from .compile import previous_half_year
from .models import QualityReport


@dataclass(frozen=True)
class Change:
    """One provider whose colour on one track, or whose proposed scenario (`track` None), differs."""

    provider_id: int
    provider_name: str
    provider_ref: str
    track: str | None
    before: str | int | None
    after: str | int | None


@dataclass(frozen=True)
class RulePreview:
    period: HalfYear | None  # None: no compiled half-year to recompute
    report: QualityReport | None = None
    colours: dict[str, list[Change]] = field(default_factory=dict)  # per track, in TRACKS order
    scenarios: list[Change] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [change for track in scoring.TRACKS for change in self.colours.get(track, [])] + self.scenarios

    def tally(self, changes: list[Change]) -> list[tuple[tuple, int]]:
        """(before, after) pairs with how many providers make that move, the commonest first."""
        counts = Counter((change.before, change.after) for change in changes)
        return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))


def latest_compiled_period() -> tuple[HalfYear, QualityReport] | tuple[None, None]:
    """The half-year of the newest compiled version that has not been discarded."""
    report = QualityReport.objects.filter(discard__isnull=True).defer("data").order_by("-period", "-version").first()
    period = HalfYear.parse(report.period) if report else None
    return (period, report) if period else (None, None)


def rule_change_preview(*, edited: scoring.Rule) -> RulePreview:
    """The stored rule set against the same set with `edited` in place of its stored row. Two
    scorecard computations over one set of offer sums, whatever the number of providers."""
    period, report = latest_compiled_period()
    if period is None:
        return RulePreview(period=None)
    stored = rules()
    sums = offer_sums(period=period)
    previous = previous_half_year(period)  # as the compile sees it, so that the proposals are the compile's
    before = scorecards(period=period, sums=sums, rule_set=stored, previous=previous)
    after = scorecards(period=period, sums=sums, rule_set={**stored, edited.code: edited}, previous=previous)
    raw: list[tuple[int, str | None, object, object]] = []
    for provider_id in set(before) | set(after):
        old, new = before.get(provider_id), after.get(provider_id)
        for track in scoring.TRACKS:
            was, now = _colour(old, track), _colour(new, track)
            if was != now:
                raw.append((provider_id, track, was, now))
        was = old.proposal.scenario if old else None
        now = new.proposal.scenario if new else None
        if was != now:
            raw.append((provider_id, None, was, now))
    names = dict(
        (pk, (name, ref))
        for pk, name, ref in Provider.objects.filter(pk__in={row[0] for row in raw}).values_list("pk", "name", "ref")
    )
    changes = sorted(
        (Change(pk, *names.get(pk, ("", "")), track, was, now) for pk, track, was, now in raw),
        key=lambda change: (change.provider_name, change.provider_ref),
    )
    return RulePreview(
        period=period,
        report=report,
        colours={
            track: [c for c in changes if c.track == track]
            for track in scoring.TRACKS
            if any(c.track == track for c in changes)
        },
        scenarios=[c for c in changes if c.track is None],
    )


def _colour(card, track: str) -> str:
    if card is None or track not in card.tracks:
        return scoring.NONE
    return card.tracks[track].colour


def colour_word(colour: str) -> str:
    return {
        scoring.GREEN: pgettext("rule preview", "green"),
        scoring.YELLOW: pgettext("rule preview", "yellow"),
        scoring.RED: pgettext("rule preview", "red"),
    }.get(colour, pgettext("rule preview", "no colour"))


def scenario_word(scenario: int | None) -> str:
    if scenario is None:
        return _("no scenario")
    return _("scenario %(scenario)s") % {"scenario": scenario}


def colour_sentence(preview: RulePreview, changes: list[Change]) -> str:
    """ "2 leverandører skifter farve: 1 grøn→gul, 1 gul→rød." """
    moves = ", ".join(
        f"{count} {colour_word(before)}\u2192{colour_word(after)}" for (before, after), count in preview.tally(changes)
    )
    count = len(changes)
    return ngettext(
        "%(count)s provider changes colour: %(moves)s.", "%(count)s providers change colour: %(moves)s.", count
    ) % {"count": count, "moves": moves}


def scenario_sentence(preview: RulePreview) -> str:
    """ "1 leverandør skifter foreslået scenarie: 1 fra scenarie 1 til scenarie 2." """
    moves = ", ".join(
        _("%(count)s from %(before)s to %(after)s")
        % {"count": count, "before": scenario_word(before), "after": scenario_word(after)}
        for (before, after), count in preview.tally(preview.scenarios)
    )
    count = len(preview.scenarios)
    return ngettext(
        "%(count)s provider changes proposed scenario: %(moves)s.",
        "%(count)s providers change proposed scenario: %(moves)s.",
        count,
    ) % {"count": count, "moves": moves}


def preview_display(preview: RulePreview) -> dict:
    """The preview as the admin page shows it: a sentence per track, one for the scenarios, and a
    table row per change with the providers named."""
    if preview.period is None:
        return {"available": False}
    labels = reasons.track_labels()
    rows = [
        {
            "provider": f"{change.provider_name} ({change.provider_ref})",
            "what": capfirst(labels[change.track]) if change.track else _("Proposed scenario"),
            "before": colour_word(change.before) if change.track else scenario_word(change.before),
            "after": colour_word(change.after) if change.track else scenario_word(change.after),
        }
        for change in preview.changes
    ]
    return {
        "available": True,
        "period": preview.period,
        "version": preview.report.version,
        "tracks": [
            {"label": capfirst(labels[track]), "sentence": colour_sentence(preview, changes)}
            for track, changes in preview.colours.items()
        ],
        "scenarios": scenario_sentence(preview) if preview.scenarios else "",
        "rows": rows,
    }
