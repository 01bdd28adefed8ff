"""Validators for Danish identifiers."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


# DDMMYY-XXXX as people write it: the date's parts run together or split by dots or spaces
# (01.01.90, 01 01 90), and any dash, hyphen (also the non-breaking one), dot or space before the four.
CPR_PATTERN = re.compile(
    r"(?<!\d)(\d{2})[. \u00a0]?(\d{2})[. \u00a0]?(\d{2})[-\u2010\u2011\u2012\u2013\u2014. \u00a0]?(\d{4})(?!\d)"
)
# A CPR number that passed through a spreadsheet's number cell lost its leading zero.
CPR_WITHOUT_ZERO = re.compile(r"(?<!\d)\d{9}(?!\d)")


def cpr_numbers_in(text: str) -> list[str]:
    """Anything in `text` that looks like a Danish CPR number: DDMMYY-XXXX, or ten digits whose first
    six form a valid date (DDMMYY, any century)."""
    found = []
    for match in CPR_PATTERN.finditer(text or ""):
        day, month, year = (int(part) for part in match.groups()[:3])
        if any(_is_date(year + century, month, day) for century in (1900, 2000)):
            found.append(match.group(0))
    for match in CPR_WITHOUT_ZERO.finditer(text or ""):
        padded = "0" + match.group(0)
        day, month, year = int(padded[:2]), int(padded[2:4]), int(padded[4:6])
        if any(_is_date(year + century, month, day) for century in (1900, 2000)):
            found.append(match.group(0))
    return found


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def validate_not_cpr(value: str) -> None:
    """A citizen is referred to by a pseudonym, never by a CPR number in clear text."""
    if cpr_numbers_in(value):
        raise ValidationError(
            _("This looks like a CPR number. Use the citizen's pseudonymous reference instead."), code="cpr"
        )


def mask_cpr(text: str) -> str:
    """`text` with the digits of every CPR-like number replaced by X: 010190-1234 becomes
    XXXXXX-XXXX. The length stays the same, so a masked value still fits its field. The one masking
    used everywhere: free-text fields, logs, the complaint search, imports."""
    for number in cpr_numbers_in(text):
        text = text.replace(number, "".join("X" if char.isdigit() else char for char in number))
    return text


def validate_plausible_date(value: date) -> None:
    """Dates in this domain lie between 2000 and 2100; anything else is a typing error."""
    if value and not (EARLIEST_DATE <= value <= LATEST_DATE):
        raise ValidationError(
            _("%(value)s is not a plausible date; check the year."),
            code="implausible_date",
            params={"value": value.strftime("%d.%m.%Y")},
        )


def cvr_is_valid(value: str) -> bool:
    """The official modulus-11 check of a Danish CVR number (eight digits, no leading zero)."""
    if len(value) != 8 or not value.isascii() or not value.isdigit() or value[0] == "0":
        return False
    return sum(int(digit) * weight for digit, weight in zip(value, CVR_WEIGHTS, strict=True)) % 11 == 0


def validate_cvr(value: str) -> None:
    if value and not cvr_is_valid(value):
        raise ValidationError(
            _("%(value)s is not a valid CVR number: it must be eight digits that pass the modulus-11 check."),
            code="invalid_cvr",
            params={"value": value},
        )
