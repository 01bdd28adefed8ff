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


@pytest.mark.parametrize(
    "text",
    ["01.01.90-1234", "010190\u20111234", "01 01 90 1234", "010190 1234", "31.12.99.1234", "0101901234"],
)
def test_cpr_numbers_written_with_dots_spaces_or_other_hyphens_are_found_and_masked(text):
    """QA finding: 01.01.90-1234, a non-breaking hyphen and 01 01 90 1234 were stored as typed."""
    from leverandoer.fields import mask_cpr_keeping_length
    from leverandoer.validators import cpr_numbers_in, mask_cpr

    assert cpr_numbers_in(f"Borger {text} ringede") == [text]
    assert not any(ch.isdigit() for ch in mask_cpr(text))
    assert not any(ch.isdigit() for ch in mask_cpr_keeping_length(text))


@pytest.mark.parametrize("text", ["tlf 12 34 56 78", "mødet 01.01.2025 kl 10", "beløb 1.234.567", "sag 2025-1234"])
def test_phone_numbers_dates_amounts_and_case_numbers_are_not_cpr(text):
    from leverandoer.validators import cpr_numbers_in

    assert cpr_numbers_in(text) == []
