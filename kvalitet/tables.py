"""Reading CSV and XLSX files as Danish offices write them, and parsing their cells.

CSV: the separator (comma or semicolon) is taken from the header row; UTF-8 with or without BOM,
else Windows-1252 (what Danish Excel writes). XLSX: the first sheet. Row numbers are as in Excel:
the header is row 1.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from leverandoer.validators import EARLIEST_DATE, LATEST_DATE

XLSX_MAGIC = b"PK\x03\x04"
# Files people pick by mistake. A PDF may begin with nothing but bytes that decode as Windows-1252,
# so it is known by its signature; the others also by the control characters no CSV file contains.
BINARY_MAGICS = (b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0")
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class TableError(Exception):
    """The file as a whole cannot be read."""


class CellError(Exception):
    """One cell is wrong; the importer adds row number and column."""


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    decimal_comma: bool = False
    # CSV rows with filled cells beyond the header: an unquoted decimal comma or a stray separator
    # would otherwise shift values silently into the wrong columns.
    overflowing: list[int] = field(default_factory=list)
    # Header cells left empty above cells that hold values (1-based positions). An empty header cell
    # above an empty column is what Excel leaves after a deleted column, and is no column at all.
    unnamed: list[int] = field(default_factory=list)


def read_table(data: bytes, filename: str) -> Table:
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TableError(_("The file is saved as UTF-16. Save it as “CSV UTF-8” (or CSV) and import it again."))
    if data.startswith(BINARY_MAGICS) or CONTROL_BYTES.search(data[:4096]):
        raise TableError(_("The file is neither CSV nor XLSX."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="strict") if _is_cp1252(data) else None
        if text is None:
            raise TableError(_("The file is neither CSV nor XLSX.")) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise TableError(_("The file is empty or has no header row."))
    separator = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        raw = list(reader)
    except csv.Error as error:
        raise TableError(_("The file could not be read as CSV: %(error)s") % {"error": error}) from error
    header = [_column_name(cell) for cell in raw[0]]
    rows, overflowing, unnamed = [], [], set()
    for number, cells in enumerate(raw[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            overflowing.append(number)
        unnamed |= {i + 1 for i, name in enumerate(header) if not name and i < len(cells) and cells[i].strip()}
        rows.append((number, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}))
    return Table(
        header=header,
        rows=rows,
        decimal_comma=separator == ";",
        overflowing=overflowing,
        unnamed=sorted(unnamed),
    )


def _column_name(cell) -> str:
    """A header cell as the importer matches it: without case, surrounding spaces (also no-break
    spaces) or a stray byte order mark, which a file saved twice as "CSV UTF-8" carries into a cell."""
    return str(cell or "").replace("\ufeff", "").replace("\u200b", "").strip().lower()


def _is_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _read_xlsx(data: bytes) -> Table:
    import zipfile

    from openpyxl import load_workbook

    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile as error:
        raise TableError(_("The XLSX file could not be read: it may be damaged.")) from error
    if "xl/workbook.xml" not in names:
        raise TableError(_("The file is neither CSV nor XLSX."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        values = list(workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
    except Exception as error:  # openpyxl and its XML parser raise many kinds for a damaged file
        raise TableError(_("The XLSX file could not be read: it may be damaged.")) from error
    if not values or not any(values[0]):
        raise TableError(_("The file is empty or has no header row."))
    header = [_column_name(cell) for cell in values[0]]
    while header and not header[-1]:
        header.pop()  # read-only sheets pad the header to the widest row
    rows, unnamed = [], set()
    for number, cells in enumerate(values[1:], start=2):
        texts = [_xlsx_text(cell) for cell in cells]
        if not any(texts):
            continue
        unnamed |= {i + 1 for i, text in enumerate(texts) if text and (i >= len(header) or not header[i])}
        rows.append((number, {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(header)}))
    return Table(header=header, rows=rows, decimal_comma=False, unnamed=sorted(unnamed))


def _xlsx_text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, float):
        # As Excel shows it: 15 significant digits, so that a computed 116.10000000000001 is 116.1.
        return f"{cell:.15g}"
    return str(cell).strip()


# --- Cells -------------------------------------------------------------------------------------

ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DANISH_DATE = re.compile(r"^(\d{2})-(\d{2})-(\d{4})$")


def parse_date(text: str) -> date:
    if match := ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := DANISH_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise CellError(_("“%(value)s” is not a date; write YYYY-MM-DD or DD-MM-YYYY.") % {"value": text})
    try:
        value = date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a date that exists.") % {"value": text}) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise CellError(_("“%(value)s” is not a plausible date; check the year.") % {"value": text})
    return value


def parse_month(text: str) -> date:
    """YYYY-MM; or a date on the first of the month, which is what Excel makes of a typed 2025-03."""
    if ISO_DATE.match(text) or DANISH_DATE.match(text):
        value = parse_date(text)
        if value.day == 1:
            return value
    match = re.match(r"^(\d{4})-(\d{2})$", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CellError(_("“%(value)s” is not a month; write YYYY-MM.") % {"value": text})
    return parse_date(f"{match.group(1)}-{match.group(2)}-01")


def parse_decimal(text: str, *, decimal_comma: bool, minimum: Decimal | None = Decimal(0)) -> Decimal:
    cleaned = text.replace(" ", "").replace("\xa0", "")
    # A comma in a comma-separated file was quoted: a decimal comma too, unless a point is the decimal
    # mark (1,234.5 is refused as ambiguous rather than guessed).
    if "," in cleaned and (decimal_comma or "." not in cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not value.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": text})
    if minimum is not None and value < minimum:
        raise CellError(_("%(value)s is negative; it must be 0 or more.") % {"value": text})
    if abs(value) >= Decimal("10000000"):
        raise CellError(_("%(value)s is too large.") % {"value": text})
    return value


def parse_int(text: str, *, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": text})
    value = int(text)
    if not low <= value <= high:
        raise CellError(_("%(value)s is outside %(low)s–%(high)s.") % {"value": value, "low": low, "high": high})
    return value


YES = {"yes", "ja", "y", "j", "1", "true"}
NO = {"no", "nej", "n", "0", "false"}


def parse_yes_no(text: str, *, allow_empty: bool = False) -> bool | None:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    if allow_empty and value == "":
        return None
    raise CellError(_("“%(value)s” must be yes or no.") % {"value": text})


def parse_choice(text: str, choices: dict[str, str]) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise CellError(_("“%(value)s” must be one of: %(choices)s.") % {"value": text, "choices": ", ".join(choices)})
    return choices[value]
