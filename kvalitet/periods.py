"""Half-years: H1 is 1 January–30 June, H2 is 1 July–31 December."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

PATTERN = re.compile(r"^(\d{4})\s*-?\s*H([12])$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    half: int

    @classmethod
    def containing(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def parse(cls, text: str) -> HalfYear | None:
        match = PATTERN.match((text or "").strip())
        if not match or not 2000 <= int(match.group(1)) <= 2100:
            return None
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.half == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def code(self) -> str:
        return f"{self.year}H{self.half}"

    @property
    def report_code(self) -> str:
        """The form the committee's reports use: 2024-H2."""
        return f"{self.year}-H{self.half}"

    @property
    def label(self) -> str:
        return _("%(half)s. half-year %(year)s") % {"half": self.half, "year": self.year}

    def previous(self) -> HalfYear:
        return HalfYear(self.year, 1) if self.half == 2 else HalfYear(self.year - 1, 2)

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True, order=True)
class Year:
    """A calendar year, usable wherever a period's `start` and `end` are what counts."""

    year: int

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 12, 31)

    def __str__(self) -> str:
        return str(self.year)
