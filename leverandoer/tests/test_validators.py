from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from leverandoer.validators import cvr_is_valid, validate_cvr


@pytest.mark.parametrize("cvr", ["10150817", "25313763", "29403473", "12345674"])
def test_valid_cvr_numbers_pass_the_modulus_11_check(cvr):
    assert cvr_is_valid(cvr)


@pytest.mark.parametrize(
    ("cvr", "why"),
    [
        ("10150818", "check digit off by one"),
        ("12345678", "weighted sum not divisible by 11"),
        ("01234567", "leading zero"),
        ("1234567", "seven digits"),
        ("123456740", "nine digits"),
        ("1234567a", "a letter"),
        ("１２３４５６７４", "full-width digits"),
        ("", "empty"),
    ],
)
def test_invalid_cvr_numbers_fail(cvr, why):
    assert not cvr_is_valid(cvr), why


def test_validate_cvr_names_the_value_in_its_message():
    with pytest.raises(ValidationError) as raised:
        validate_cvr("12345678")
    assert raised.value.code == "invalid_cvr"
    assert "12345678" in raised.value.messages[0]
