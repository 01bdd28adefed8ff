"""The scenario rules of Table 1 as plain functions over plain data, testable without a database.

The rules, in the order they are tried:

- 4 `gross_violation`: a finding flags a gross violation of the framework agreement;
- 4 `repeated_red`: a red finding in a control area that was also red for the same provider in a
  submitted or imported inspection performed within the 365 days before;
- 3 `red`: at least one red finding;
- 2 `yellow`: at least one yellow finding and no red;
- 1 `no_remarks`: no yellow or red findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

REPEAT_WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class FindingFact:
    area: str
    rating: str  # "green" | "yellow" | "red"
    gross_violation: bool = False


@dataclass(frozen=True)
class EarlierRed:
    """A red finding in an earlier submitted or imported inspection of the same provider."""

    area: str
    performed_on: date
    inspection_ref: str


@dataclass(frozen=True)
class Proposal:
    scenario: int
    rule: str
    areas: tuple[str, ...] = ()
    earlier: tuple[str, ...] = field(default=())  # refs of the earlier inspections a repeat refers to


def repeated_red_areas(
    *, findings: Iterable[FindingFact], performed_on: date, earlier_reds: Iterable[EarlierRed]
) -> dict[str, list[str]]:
    """Control areas red now and red before, within the 365 days before `performed_on`.

    Maps each such area to the refs of the earlier inspections in which it was red.
    """
    red_now = {finding.area for finding in findings if finding.rating == "red"}
    repeats: dict[str, list[str]] = {}
    for earlier in earlier_reds:
        if earlier.area in red_now and performed_on - REPEAT_WINDOW <= earlier.performed_on < performed_on:
            repeats.setdefault(earlier.area, []).append(earlier.inspection_ref)
    return repeats


def propose_scenario(
    *, findings: Iterable[FindingFact], performed_on: date, earlier_reds: Iterable[EarlierRed] = ()
) -> Proposal:
    findings = list(findings)
    gross = tuple(finding.area for finding in findings if finding.gross_violation)
    if gross:
        return Proposal(scenario=4, rule="gross_violation", areas=gross)
    repeats = repeated_red_areas(findings=findings, performed_on=performed_on, earlier_reds=earlier_reds)
    if repeats:
        refs = tuple(sorted({ref for refs in repeats.values() for ref in refs}))
        return Proposal(scenario=4, rule="repeated_red", areas=tuple(sorted(repeats)), earlier=refs)
    red = tuple(finding.area for finding in findings if finding.rating == "red")
    if red:
        return Proposal(scenario=3, rule="red", areas=red)
    yellow = tuple(finding.area for finding in findings if finding.rating == "yellow")
    if yellow:
        return Proposal(scenario=2, rule="yellow", areas=yellow)
    return Proposal(scenario=1, rule="no_remarks")
