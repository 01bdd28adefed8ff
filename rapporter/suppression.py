"""Small numbers are not published (issue 13, item 3), as Danish official statistics do.

Wherever the secretariat or anyone outside the staff looks (the committee PDF, the exports, the
report pages as the secretariat sees them) a percentage or mean over fewer than `MIN_COUNT`
citizens, answers or reports reads "<5", and a comparable-group figure from fewer than
`MIN_PROVIDERS` providers reads "–", each with a footnote. Hours and complaint counts are never
suppressed, and a colour always stays.

Render-time only and pure: these functions take the snapshot's plain data and return a copy for
display; the stored snapshot and its hash never change. A version compiled before the n's were in
the snapshot has nothing to count on, so its figures are shown as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MIN_COUNT = 5  # citizens, answers or reports behind a percentage or a mean
MIN_PROVIDERS = 3  # providers behind a comparable-group figure

SMALL = "small"
GROUP = "group"
KINDS = (SMALL, GROUP)
SYMBOLS = {SMALL: f"<{MIN_COUNT}", GROUP: "–"}
MARKS = {SMALL: "¹", GROUP: "²"}

# In track figures: which figures rest on which count (the keys of kvalitet.scoring's figures).
TRACK_SMALL = [
    ("answers", ["mean"]),
    ("cases", ["compliance"]),
    ("n", ["rate", "interval_low", "interval_high", "gap"]),
    ("reports_due", ["reports_on_time_pct"]),
]
GROUP_FIGURES = ["group_rate", "group_n", "gap"]  # the group n too: with few providers it points at them
# In a benchmark row (a comparable group's pooled figures); hours are not suppressed.
BENCHMARK_SMALL = [
    ("survey_answers", ["survey_mean"]),
    ("progress_reports_due", ["progress_reports_on_time_pct"]),
    ("outcome_citizens", ["outcome_rate_pct"]),
]
# Key figures, the trend and Table F (totals per half-year or year) and Table D (per provider).
DELIVERY_SMALL = [
    ("progress_reports_due", ["progress_reports_submitted_pct", "progress_reports_on_time_pct"]),
    ("attendance_registrations", ["attendance_registered_pct"]),
]


class Suppressed(str):
    """A figure withheld from the public. It reads as its symbol ("<5" or "–") wherever the figure
    would stand, so that a template or an export cannot show the number by mistake, and it knows
    which footnote it needs."""

    kind: str

    def __new__(cls, kind: str) -> Suppressed:
        value = super().__new__(cls, SYMBOLS[kind])
        value.kind = kind
        return value

    @property
    def mark(self) -> str:
        return MARKS[self.kind]

    def marked(self) -> str:
        """The symbol with its footnote mark, as the page and the PDF show it."""
        return f"{self}{self.mark}"


def footnote(kind: str, *, marked: bool = True) -> str:
    """The footnote a suppression gets, once per table or section."""
    if kind == SMALL:
        text = _(
            "%(symbol)s: computed on fewer than %(minimum)s citizens, answers or reports; the figure is not published."
        )
        text %= {"symbol": SYMBOLS[SMALL], "minimum": MIN_COUNT}
    else:
        text = _("%(symbol)s: the comparable group has fewer than %(minimum)s providers; the figure is not published.")
        text %= {"symbol": SYMBOLS[GROUP], "minimum": MIN_PROVIDERS}
    return f"{MARKS[kind]} {text}" if marked else text


def footnotes(kinds: set[str], *, marked: bool = True) -> list[str]:
    """The footnotes of a table or section, in a fixed order ("<5" before "–")."""
    return [footnote(kind, marked=marked) for kind in KINDS if kind in kinds]


def comparison_suppressed() -> str:
    """What a colour's reason adds when the group it was compared with is too small to publish."""
    return _("The comparison is suppressed: fewer than %(minimum)s providers in the group.") % {
        "minimum": MIN_PROVIDERS
    }


def staff_warning() -> str:
    """What the staff read above a version with small numbers: they see the figures, others do not."""
    return _(
        "Small numbers: some figures on this page rest on fewer than %(minimum)s citizens, answers or "
        "reports, or compare with a group of fewer than %(providers)s providers. You see them as staff; the "
        "PDF, the exports and the secretariat show them as “%(small)s” and “%(group)s”."
    ) % {"minimum": MIN_COUNT, "providers": MIN_PROVIDERS, "small": SYMBOLS[SMALL], "group": SYMBOLS[GROUP]}


def is_suppressed(value) -> bool:
    return isinstance(value, Suppressed)


def _count(value) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _few(figures: dict, key: str, minimum: int) -> bool:
    count = _count(figures.get(key))
    return count is not None and count < minimum


def _hide(figures: dict, keys: list[str], kind: str, kinds: set[str]) -> None:
    for key in keys:
        value = figures.get(key)
        if value is not None and not isinstance(value, Suppressed):
            figures[key] = Suppressed(kind)
            kinds.add(kind)


def track(entry: dict) -> tuple[dict, set[str]]:
    """A track's colour as the public sees it: the colour stays, figures over small numbers and a
    comparison with a group of too few providers are withheld. Works on every reason code, the
    offer's `provider_level` one included, since it reads the counts the figures carry."""
    figures = dict(entry.get("figures") or {})
    kinds: set[str] = set()
    if _few(figures, "group_providers", MIN_PROVIDERS):
        _hide(figures, GROUP_FIGURES, GROUP, kinds)
    elif _few(figures, "group_n", MIN_COUNT):
        _hide(figures, GROUP_FIGURES, SMALL, kinds)
    for count, keys in TRACK_SMALL:
        if _few(figures, count, MIN_COUNT):
            _hide(figures, keys, SMALL, kinds)
    if not kinds:
        return entry, kinds
    return {**entry, "figures": figures, "suppressed": sorted(kinds)}, kinds


def _tracks(tracks: dict, kinds: set[str]) -> dict:
    result = {}
    for name, entry in tracks.items():
        result[name], found = track(entry)
        kinds |= found
    return result


def row(provider: dict, kinds: set[str], offer_kinds: set[str]) -> dict:
    """A provider row (and its offers) as the public sees it; the kinds found are added to the sets."""
    offers = [
        {**offer, "tracks": _tracks(offer.get("tracks") or {}, offer_kinds)} for offer in provider.get("offers", [])
    ]
    return {**provider, "tracks": _tracks(provider.get("tracks") or {}, kinds), "offers": offers}


def figures(values: dict, rules: list[tuple[str, list[str]]], kinds: set[str], *, providers: str | None = None) -> dict:
    """A row of plain figures as the public sees it: each figure over a count below `MIN_COUNT` is
    withheld, and with `providers`, every figure but hours when the group has too few providers."""
    result = dict(values)
    if providers and _few(values, providers, MIN_PROVIDERS):
        _hide(result, [key for _count_key, keys in rules for key in keys], GROUP, kinds)
    for count, keys in rules:
        if _few(values, count, MIN_COUNT):
            _hide(result, keys, SMALL, kinds)
    return result


@dataclass
class Public:
    """A version as the public sees it: the data and the provider rows with small numbers withheld,
    and per table or section the kinds of suppression it needs footnotes for."""

    data: dict
    rows: list[dict]
    kinds: dict[str, set[str]] = field(default_factory=dict)

    def footnotes(self, *, marked: bool = True) -> dict[str, list[str]]:
        """Per section that needs any, its footnote texts."""
        return {section: footnotes(kinds, marked=marked) for section, kinds in self.kinds.items() if kinds}

    @property
    def any(self) -> bool:
        return any(self.kinds.values())


def public(data: dict, rows: list[dict]) -> Public:
    """The version's data and provider rows (overrides applied) as the public sees them.
    Sections: providers (the provider tracks), offers, benchmarks, key_figures, trend, and in an
    H2 version annual_d (Table D, per provider) and annual_f (Table F)."""
    kinds: dict[str, set[str]] = {name: set() for name in ("providers", "offers", "benchmarks", "key_figures", "trend")}
    shown = [row(provider, kinds["providers"], kinds["offers"]) for provider in rows]
    result = dict(data)
    result["providers"] = [row(provider, set(), set()) for provider in data.get("providers", [])]
    result["benchmarks"] = [
        figures(benchmark, BENCHMARK_SMALL, kinds["benchmarks"], providers="providers")
        for benchmark in data.get("benchmarks", [])
    ]
    if data.get("key_figures"):
        result["key_figures"] = figures(data["key_figures"], DELIVERY_SMALL, kinds["key_figures"])
    result["trend"] = [figures(year, DELIVERY_SMALL, kinds["trend"]) for year in data.get("trend", [])]
    if data.get("annual"):
        annual = dict(data["annual"])
        kinds["annual_d"], kinds["annual_f"] = set(), set()
        annual["data_checks"] = [
            figures(check, DELIVERY_SMALL, kinds["annual_d"]) for check in annual.get("data_checks", [])
        ]
        annual["key_figures"] = [
            figures(year, DELIVERY_SMALL, kinds["annual_f"]) for year in annual.get("key_figures", [])
        ]
        result["annual"] = annual
    return Public(data=result, rows=shown, kinds=kinds)


def entry_kinds(entries) -> set[str]:
    """The kinds of suppression among track entries already made public (see `track`)."""
    return {kind for entry in entries for kind in entry.get("suppressed", ())}
