"""The scenario rules of Table 1 for one inspection, as plain functions over plain data, testable
without a database.

The rules, in the order they are tried:

- 4 `gross_violation`: a finding flags a gross violation of the framework agreement;
- 4 `repeated_red`: a red finding repeats a decided "more criticisable" remark (`repeats`);
- 3 `red`: at least one red finding;
- 2 `yellow`: at least one yellow finding and no red;
- 1 `no_remarks`: no yellow or red findings.

A repeat, as Table 1's scenario 4 means it (one definition, used for an inspection's assessment and
for the half-year report): a red finding, and an earlier inspection of the same provider that was
performed within the repeat window before this one (calendar months, `EscalationRule`), had a red
finding in the same control area, and was *decided* as scenario 3 or 4 — by its confirmed
assessment, or for an imported inspection by the scenario decided before Tilsyn. An earlier red
decided as 1 or 2, or never decided, is no repeat: the rules never propose 4 again where a person
decided lower. Those earlier reds are still returned, so that the page can say why they do not count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

REPEAT_WINDOW_MONTHS = 12
MORE_CRITICISABLE = (3, 4)


@dataclass(frozen=True)
class FindingFact:
    area: str
    rating: str  # "green" | "yellow" | "red"
    gross_violation: bool = False


@dataclass(frozen=True)
class EarlierRed:
    """A red finding in an earlier submitted or imported inspection of the same provider, with the
    scenario decided on that inspection (None: never decided)."""

    area: str
    performed_on: date
    inspection_ref: str
    decided_scenario: int | None = None

    @property
    def decided_more_criticisable(self) -> bool:
        return self.decided_scenario in MORE_CRITICISABLE


@dataclass(frozen=True)
class Proposal:
    scenario: int
    rule: str
    areas: tuple[str, ...] = ()
    earlier: tuple[str, ...] = ()  # refs of the earlier inspections a repeat refers to
    not_repeats: tuple[EarlierRed, ...] = ()  # earlier reds in the window that do not count, and why


@dataclass(frozen=True)
class Repeats:
    areas: dict[str, list[str]]  # area → refs of the decided earlier inspections it repeats
    not_repeats: tuple[EarlierRed, ...]


def window_start(performed_on: date, months: int) -> date:
    """The first day an earlier inspection may have been performed on to count: `months` calendar
    months before (1 June 2025 with 12 months: 1 June 2024, which counts)."""
    return performed_on - relativedelta(months=months)


def repeats(
    *,
    findings: Iterable[FindingFact],
    performed_on: date,
    earlier_reds: Iterable[EarlierRed],
    window_months: int = REPEAT_WINDOW_MONTHS,
) -> Repeats:
    """The red findings now that repeat a decided "more criticisable" remark, and the earlier reds of
    the same areas within the window that do not, because nobody decided them as scenario 3 or 4."""
    red_now = {finding.area for finding in findings if finding.rating == "red"}
    since = window_start(performed_on, window_months)
    areas: dict[str, list[str]] = {}
    not_repeats = []
    for earlier in sorted(earlier_reds, key=lambda red: (red.performed_on, red.inspection_ref)):
        if earlier.area not in red_now or not since <= earlier.performed_on < performed_on:
            continue
        if earlier.decided_more_criticisable:
            areas.setdefault(earlier.area, []).append(earlier.inspection_ref)
        else:
            not_repeats.append(earlier)
    return Repeats(areas=areas, not_repeats=tuple(not_repeats))


def propose_inspection_scenario(
    *,
    findings: Iterable[FindingFact],
    performed_on: date,
    earlier_reds: Iterable[EarlierRed] = (),
    window_months: int = REPEAT_WINDOW_MONTHS,
) -> Proposal:
    """The scenario the rules propose for one inspection from its findings (see the module)."""
    findings = list(findings)
    found = repeats(
        findings=findings, performed_on=performed_on, earlier_reds=earlier_reds, window_months=window_months
    )
    not_repeats = tuple(red for red in found.not_repeats if red.area not in found.areas)
    gross = tuple(finding.area for finding in findings if finding.gross_violation)
    if gross:
        return Proposal(scenario=4, rule="gross_violation", areas=gross, not_repeats=not_repeats)
    if found.areas:
        refs = tuple(sorted({ref for refs in found.areas.values() for ref in refs}))
        return Proposal(
            scenario=4, rule="repeated_red", areas=tuple(sorted(found.areas)), earlier=refs, not_repeats=not_repeats
        )
    red = tuple(finding.area for finding in findings if finding.rating == "red")
    if red:
        return Proposal(scenario=3, rule="red", areas=red, not_repeats=not_repeats)
    yellow = tuple(finding.area for finding in findings if finding.rating == "yellow")
    if yellow:
        return Proposal(scenario=2, rule="yellow", areas=yellow)
    return Proposal(scenario=1, rule="no_remarks")
