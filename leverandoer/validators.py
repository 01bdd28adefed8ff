"""Validators for Danish identifiers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)


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
