"""Validators for Danish identifiers."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


# --- CPR numbers --------------------------------------------------------------------------------
#
# A CPR number is ten digits, DDMMYY then four, and people type it in every way: 010190-1234,
# 01.01.90-1234, 0101 90 12 34, 01-01-90-1234, 0 1 0 1 9 0 1 2 3 4, 010190 – 1234, 010190+1234, with a
# non-breaking hyphen from Word or a thin space from a PDF. So the digits may be split anywhere by
# up to three separators (SEPARATORS), and a number is found by its digits, not its punctuation:
# ten digits in a row of digit groups whose first six form a valid date, in any century (the 7th
# digit's century rule is not applied: a false "yes" masks a little text, a false "no" leaks).
#
# What else people write with digits and separators, and must stay readable, is told apart by its
# shape (see `_looks_like_something_else`): dates with a four-digit year followed by a number or
# time (15.03.2025 14.00), a date with a two-digit year followed by a clock time (15.03.25 10.30),
# amounts in thousands (3.101.901.234), and phone numbers after their country code (+45 ...).
# Dates alone, phone numbers, CVR and case numbers have fewer than ten digits in a row of groups,
# or a first six that is no date (2025-1739746, 24/12345, 12 34 56 78, 1.234.567,89).
#
# A four-digit year with the four after a dash, 01.01.1990-1234, is a CPR number too.

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
SPACES = " \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"  # soft hyphen, zero-width space/joiners, BOM
SEPARATORS = DASHES + SPACES + INVISIBLE + "+./\u2024\uff0e\uff0f"
_SEP = f"[{SEPARATORS}]"
# A row of digit groups joined by separators; each group is one \d+ (any script's digits).
_DIGIT_ROW = re.compile(rf"\d+(?:{_SEP}{{1,3}}\d+)*")
_GROUP = re.compile(r"\d+")
_DASH = re.compile(f"[{DASHES}]")
_DOT_OR_SPACE_ONLY = re.compile(rf"[.{SPACES}]+")
_WHITESPACE_ONLY = re.compile(f"[{SPACES}]+")


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _is_ddmmyy(digits: str) -> bool:
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    return any(_is_date(year + century, month, day) for century in (1900, 2000))


def _looks_like_something_else(groups: list[str], gaps: list[str], *, more_follows: bool) -> bool:
    """Ten digits in `groups` (joined by the separators in `gaps`) that form a valid date but are
    written as something a person writes every day, not as a CPR number."""
    lengths = [len(group) for group in groups]
    ends = [sum(lengths[: i + 1]) for i in range(len(lengths))]  # digit positions of the gaps
    digits = "".join(groups)
    # 15.03.2025 14.00, 01.01.2025 10 borgere: a date with a four-digit year, then a number.
    if ends[:3] == [2, 4, 8] and digits[4:6] in {"19", "20"}:
        return True
    # 3.101.901.234: an amount in thousands.
    if lengths == [1, 3, 3, 3] and all(_DOT_OR_SPACE_ONLY.fullmatch(gap) for gap in gaps):
        return True
    # 15.03.25 10.30: a date with a two-digit year, then a clock time.
    if (
        lengths == [2, 2, 2, 2, 2]
        and gaps[0] == gaps[1]
        and not _WHITESPACE_ONLY.fullmatch(gaps[0])
        and _WHITESPACE_ONLY.fullmatch(gaps[2])
        and gaps[3] == "."
        and int(groups[3]) <= 23
        and int(groups[4]) <= 59
    ):
        return True
    # 01.01.25-31.12.25, 12 34 56 78 90 12: part of a longer row of digits (a date range, numbers
    # in a list) whose last four are split is no CPR number; one whose last four stand together is
    # (010190-1234 / 020290-1234).
    return more_follows and any(end in (7, 8, 9) for end in ends)


def cpr_spans(text: str) -> list[tuple[int, int]]:
    """Where in `text` the CPR numbers are, as (start, end), in order and not overlapping."""
    spans: list[tuple[int, int]] = []
    for row in _DIGIT_ROW.finditer(text or ""):
        groups = [(row.start() + g.start(), row.start() + g.end()) for g in _GROUP.finditer(row.group())]
        i = 0
        while i < len(groups):
            found = _cpr_from(text, groups, i)
            if found is None:
                start, end = groups[i]
                if end - start == 9 and _is_ddmmyy("0" + text[start:end]):  # a spreadsheet ate the 0
                    spans.append((start, end))
                i += 1
                continue
            spans.append((groups[i][0], groups[found][1]))
            i = found + 1
    return spans


def _cpr_from(text: str, groups: list[tuple[int, int]], first: int) -> int | None:
    """The index of the last group of a CPR number that starts at group `first`, or None."""
    if first == 0 and text[: groups[0][0]].endswith("+"):  # +45 ...: a phone number's country code
        return None
    count = 0
    for last in range(first, len(groups)):
        count += groups[last][1] - groups[last][0]
        if count < 10:
            continue
        part = groups[first : last + 1]
        digits = "".join(text[s:e] for s, e in part)
        if count == 10 and not _is_ddmmyy(digits):
            continue  # 10 digits that are no CPR number; 12 may be one with a four-digit year
        gaps = [text[part[k][1] : part[k + 1][0]] for k in range(len(part) - 1)]
        if count == 10:
            if not _looks_like_something_else([text[s:e] for s, e in part], gaps, more_follows=last + 1 < len(groups)):
                return last
            continue
        if count == 12 and _is_ddmmyyyy_dash_four(digits, part, gaps):
            return last
        return None
    return None


def _is_ddmmyyyy_dash_four(digits: str, part: list[tuple[int, int]], gaps: list[str]) -> bool:
    """01.01.1990-1234: a birth date with its four-digit year, a dash, and the last four."""
    ends, position = set(), 0
    for start, end in part:
        position += end - start
        ends.add(position)
    day, month, year = int(digits[:2]), int(digits[2:4]), int(digits[4:8])
    return (
        digits[4:6] in {"19", "20"}
        and _is_date(year, month, day)
        and 8 in ends
        and not ends & {5, 6, 7, 9, 10, 11}  # the year and the last four each stand together
        and bool(_DASH.search(gaps[-1]))
    )


def cpr_numbers_in(text: str) -> list[str]:
    """Every CPR number in `text`, as written there: ten digits whose first six form a valid date
    (DDMMYY, any century), split by separators in any way a person types them; nine digits that
    lost their leading zero in a spreadsheet; DD.MM.YYYY-XXXX."""
    return [text[start:end] for start, end in cpr_spans(text)]


def validate_not_cpr(value: str) -> None:
    """A citizen is referred to by a pseudonym, never by a CPR number in clear text."""
    if cpr_numbers_in(value):
        raise ValidationError(
            _("This looks like a CPR number. Use the citizen's pseudonymous reference instead."), code="cpr"
        )


def mask_cpr(text: str) -> str:
    """`text` with the digits of every CPR number replaced by X: 010190-1234 becomes XXXXXX-XXXX,
    0101 90 12 34 becomes XXXX XX XX XX. The length and the separators stay, so a masked value
    still fits its field and reads as a masked number. The one masking used everywhere: free-text
    fields, logs, the complaint search, imports, the login's user name."""
    spans = cpr_spans(text or "")
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for index in range(start, end):
            if chars[index].isdigit():
                chars[index] = "X"
    return "".join(chars)


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
