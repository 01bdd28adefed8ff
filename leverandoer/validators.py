"""Validators for Danish identifiers."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


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
