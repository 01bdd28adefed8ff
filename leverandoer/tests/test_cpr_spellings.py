"""Issue 14, point 2: a CPR number is masked in every spelling a person might type, and nothing
else people write with digits is.

Before this, "0101 90 12 34", "01-01-90-1234", "0 1 0 1 9 0 1 2 3 4", "010190 - 1234", an en dash
or a thin space were stored as typed, and reached pages, exports and the committee PDF (all of which
read stored free-text fields, override justifications included)."""

from __future__ import annotations

import io

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from leverandoer.models import Provider
from leverandoer.tests import factories
from leverandoer.validators import cpr_numbers_in, mask_cpr

NBSP, THIN, NARROW_NBSP, NB_HYPHEN = "\u00a0", "\u2009", "\u202f", "\u2011"

MASKED = [
    ("010190-1234", "XXXXXX-XXXX"),
    ("0101901234", "XXXXXXXXXX"),
    ("0101 90 12 34", "XXXX XX XX XX"),
    ("01-01-90-1234", "XX-XX-XX-XXXX"),
    ("0 1 0 1 9 0 1 2 3 4", "X X X X X X X X X X"),
    ("010190 - 1234", "XXXXXX - XXXX"),
    ("01.01.90-1234", "XX.XX.XX-XXXX"),
    ("01/01/90/1234", "XX/XX/XX/XXXX"),
    ("010190+1234", "XXXXXX+XXXX"),
    ("01 01 90 12 34", "XX XX XX XX XX"),
    ("010190\u20101234", "XXXXXX\u2010XXXX"),  # hyphen
    (f"010190{NB_HYPHEN}1234", f"XXXXXX{NB_HYPHEN}XXXX"),
    ("010190\u20131234", "XXXXXX\u2013XXXX"),  # en dash
    ("010190\u20141234", "XXXXXX\u2014XXXX"),  # em dash
    ("010190\u22121234", "XXXXXX\u2212XXXX"),  # minus sign
    (f"010190{NBSP}1234", f"XXXXXX{NBSP}XXXX"),
    (f"01{THIN}01{THIN}90{THIN}1234", f"XX{THIN}XX{THIN}XX{THIN}XXXX"),
    (f"010190{NARROW_NBSP}-{NARROW_NBSP}1234", f"XXXXXX{NARROW_NBSP}-{NARROW_NBSP}XXXX"),
    ("010190\u00ad1234", "XXXXXX\u00adXXXX"),  # a soft hyphen pasted from a word processor
    ("01..01--90  1234", "XX..XX--XX  XXXX"),
    ("311299-9999", "XXXXXX-XXXX"),
    ("290200-1234", "XXXXXX-XXXX"),  # 29 February 2000
    ("101901234", "XXXXXXXXX"),  # a spreadsheet's number cell ate the leading zero
    ("01.01.1990-1234", "XX.XX.XXXX-XXXX"),  # decided: a four-digit year with a dash, then the four
    ("01011990 - 1234", "XXXXXXXX - XXXX"),
    ("\uff10\uff11\uff10\uff11\uff19\uff10-\uff11\uff12\uff13\uff14", "XXXXXX-XXXX"),  # full-width digits
    ("Borger 010190-1234 ringede.", "Borger XXXXXX-XXXX ringede."),
    ("010190-1234 / 020290-1234", "XXXXXX-XXXX / XXXXXX-XXXX"),
    ("010190-1234, tlf. 12 34 56 78", "XXXXXX-XXXX, tlf. 12 34 56 78"),
    ("010190-1234 12 34 56 78", "XXXXXX-XXXX 12 34 56 78"),
]

NOT_MASKED = [
    "+45 12 34 56 78",
    "+4512345678",
    "12 34 56 78",
    "tlf. 12345678 eller 87 65 43 21",
    "1.234.567,89 kr.",
    "3.101.901.234 kr.",
    "12 345 678 kr.",
    "01-01-1990",
    "01.01.90",
    "2025-01-01",
    "2025-01-01 10:00",
    "besøg 15.03.2025 14.00",
    "mødet 01.01.2025 10 borgere",
    "besøg 15.03.25 10.30",
    "perioden 01.01.25-31.12.25",
    "perioden 01.01.2025-31.12.2025",
    "01.01.1990 1234 kr.",  # a four-digit year without a dash: a date and a number
    "2025-1739746",
    "24/12345",
    "00.01.00-G01-1-24",  # a KL journal plan number
    "10150817",  # a CVR number
    "CVR 25313763",
    "1234567890",  # ten digits whose first six are no date
    "3213901234",  # day 32
    "0113901234",  # month 13
    "290201-1234",  # 29 February 1901/2001 never was
    "12345678901",  # eleven digits
    "010190-12345",
]


@pytest.mark.parametrize(("text", "masked"), MASKED)
def test_every_spelling_of_a_cpr_number_is_masked(text, masked):
    assert mask_cpr(text) == masked
    assert cpr_numbers_in(text)


@pytest.mark.parametrize("text", NOT_MASKED)
def test_phone_numbers_amounts_dates_case_and_cvr_numbers_are_left_alone(text):
    assert cpr_numbers_in(text) == []
    assert mask_cpr(text) == text


SEPARATOR = st.sampled_from(
    ["-", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212", ".", "/", " ", NBSP, THIN, NARROW_NBSP, "\u00ad"]
)


@st.composite
def typed_cpr(draw) -> tuple[str, str]:
    """A valid CPR number's ten digits with 0–3 random separators between any two of them."""
    birth = draw(st.dates())
    digits = birth.strftime("%d%m%y") + draw(st.from_regex(r"\A[0-9]{4}\Z"))
    gaps = [draw(st.lists(SEPARATOR, max_size=3).map("".join)) for _ in range(9)]
    return "".join(d + g for d, g in zip(digits, [*gaps, ""], strict=True)), digits


def _written_as_something_else(digits: str, gaps: list[str]) -> bool:
    """The shapes deliberately not masked (see leverandoer/validators.py), as a person reads them:
    "15.03.2025 14" (separators after DD and MM, a four-digit year 19xx/20xx standing together),
    "15.03.25 10.30" (a dotted or dashed date, a space, a clock time with a dot) and
    "3.101.901.234" (an amount in thousands)."""
    split_at = {i + 1 for i, gap in enumerate(gaps) if gap}
    four_digit_year = {2, 4, 8} <= split_at and not split_at & {5, 6, 7} and digits[4:6] in {"19", "20"}
    clock = (
        split_at == {2, 4, 6, 8}
        and gaps[1] == gaps[3]
        and gaps[1].strip(" \u00a0\u2009\u202f") != ""
        and gaps[5].strip(" \u00a0\u2009\u202f") == ""
        and gaps[7] == "."
        and int(digits[6:8]) <= 23
        and int(digits[8:]) <= 59
    )
    thousands = split_at == {1, 4, 7} and all(gap.strip(". \u00a0\u2009\u202f") == "" for gap in gaps)
    return four_digit_year or clock or thousands


@given(
    typed=typed_cpr(),
    before=st.sampled_from(["", "Borger ", "cpr: ", "("]),
    after=st.sampled_from(["", " ringede", ")", "."]),
)
def test_any_valid_cpr_number_with_random_separators_is_masked(typed, before, after):
    text, digits = typed
    gaps = _gaps_of(text)
    assume(not _written_as_something_else(digits, gaps))
    masked = mask_cpr(f"{before}{text}{after}")
    assert not any(char.isdigit() for char in masked), masked
    assert masked == before + "".join("X" if char.isdigit() else char for char in text) + after


def _gaps_of(text: str) -> list[str]:
    """The nine separators between the ten digits of `text`."""
    gaps, current, seen = [], "", 0
    for char in text:
        if char.isdigit():
            if seen:
                gaps.append(current)
            current, seen = "", seen + 1
        else:
            current += char
    return gaps


@pytest.mark.django_db
def test_free_text_is_stored_and_kept_in_history_masked():
    """Fields, history rows, and so exports and PDFs that read them: all see the masked text."""
    provider = factories.provider(notes="Borger 0101 90 12 34 og 01-01-90-1234 ringede 15.03.2025 14.00")
    expected = "Borger XXXX XX XX XX og XX-XX-XX-XXXX ringede 15.03.2025 14.00"
    assert Provider.objects.get(pk=provider.pk).notes == expected
    assert provider.history.get().notes == expected
    Provider.objects.filter(pk=provider.pk).update(notes="010190 \u2013 1234")
    assert Provider.objects.get(pk=provider.pk).notes == "XXXXXX \u2013 XXXX"


@pytest.mark.django_db
def test_text_stored_before_a_spelling_was_known_is_masked_by_the_command():
    from django.core.management import call_command
    from django.db import connection

    provider = factories.provider(notes="")
    history = provider.history.model
    with connection.cursor() as cursor:  # as an older version of the masking left it
        cursor.execute("UPDATE leverandoer_provider SET notes = %s WHERE id = %s", ["ring 0101 90 12 34", provider.pk])
        cursor.execute("UPDATE leverandoer_historicalprovider SET notes = %s", ["01-01-90-1234 ringede"])
    call_command("mask_cpr_numbers", stdout=io.StringIO())
    assert Provider.objects.get(pk=provider.pk).notes == "ring XXXX XX XX XX"
    assert list(history.objects.values_list("notes", flat=True)) == ["XX-XX-XX-XXXX ringede"]
