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

from django.conf import settings
from django.utils.formats import number_format
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
    # The longest cell the importer accepts (IMPORT_MAX_CELL_CHARS); longer ones are errors of their row.
    cell_limit: int = 2000


def read_table(data: bytes, filename: str) -> Table:
    """The file's header and rows, within the bounds of the settings (IMPORT_MAX_*): the size first,
    an XLSX file's unpacked size from its zip directory before anything is unpacked, then the rows
    counted while they are read, so that a hostile file is refused before it is parsed whole."""
    if len(data) > settings.IMPORT_MAX_MB * 1024 * 1024:
        raise TableError(
            _("The file is larger than %(limit)s MB. Split it into smaller files.") % {"limit": settings.IMPORT_MAX_MB}
        )
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
    first = next(iter(io.StringIO(text, newline=None)), "")
    if not first.strip():
        raise TableError(_("The file is empty or has no header row."))
    separator = max(SEPARATORS, key=first.count)  # on a tie the earlier: comma before semicolon, tab
    # Strict: a quote opened and never closed is an error rather than one field of every row after it.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    header: list[str] | None = None
    rows, overflowing, unnamed = [], [], set()
    number = 0
    limit = settings.IMPORT_MAX_CELL_CHARS
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise TableError(_csv_error(error, number)) from error
        if header is None:
            header = [_column_name(cell) for cell in cells]
            continue
        if number > settings.IMPORT_MAX_ROWS + 1:
            raise TableError(_too_many_rows())
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[len(header) :]):
            overflowing.append(number)
        unnamed |= {i + 1 for i, name in enumerate(header) if not name and i < len(cells) and cells[i].strip()}
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        rows.append((number, row))
    return Table(
        header=header or [],
        rows=rows,
        decimal_comma=separator != ",",
        overflowing=overflowing,
        unnamed=sorted(unnamed),
        cell_limit=limit,
    )


SEPARATORS = (",", ";", "\t")


def _csv_error(error: csv.Error, number: int) -> str:
    """What Python's csv module refuses, named by the row (the record) it begins in."""
    text = str(error)
    if "unexpected end of data" in text:
        return _(
            "Row %(row)s: a quotation mark is never closed; the row and all after it would be read as one field."
        ) % {"row": number}
    if "field larger than field limit" in text:
        return _("Row %(row)s: a cell is longer than %(limit)s characters.") % {
            "row": number,
            "limit": settings.IMPORT_MAX_CELL_CHARS,
        }
    return _(
        "Row %(row)s: a quotation mark is misplaced; a cell in quotation marks must end with the closing "
        "quotation mark right before the separator or the end of the line."
    ) % {"row": number}


def _too_many_rows() -> str:
    return _("The file has more than %(limit)s rows. Split it into smaller files.") % {
        "limit": number_format(settings.IMPORT_MAX_ROWS, force_grouping=True)
    }


def shorten(value, length: int = 60) -> str:
    """A value quoted in a message, cut to `length` characters: a message names the cell, it does
    not repeat a value that may be thousands of characters long."""
    text = str(value)
    return text if len(text) <= length else text[: length - 1] + "…"


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


# The parts an XLSX workbook is made of (ECMA-376 part names, as Excel and LibreOffice write them).
# Anything else — macros, embedded objects, ActiveX, or a name that climbs out of the archive — is
# refused, so that openpyxl never opens a part we did not expect.
XLSX_PARTS = re.compile(
    r"^(\[Content_Types\]\.xml|_rels/\.rels|docProps/[\w.-]+\.xml|customXml/[\w./-]+\.xml(\.rels)?"
    r"|xl/(workbook\.xml|styles\.xml|sharedStrings\.xml|calcChain\.xml|metadata\.xml|connections\.xml"
    r"|_rels/workbook\.xml\.rels|theme/theme\d+\.xml|worksheets/sheet\d+\.xml"
    r"|worksheets/_rels/sheet\d+\.xml\.rels|printerSettings/printerSettings\d+\.bin"
    r"|(comments|tables/table|drawings/drawing|drawings/vmlDrawing|persons/person|threadedComments/threadedComment)"
    r"\d*\.(xml|vml)|drawings/_rels/(drawing|vmlDrawing)\d+\.(xml|vml)\.rels|richData/[\w.-]+\.xml"
    r"|richData/_rels/[\w.-]+\.rels|tables/_rels/table\d+\.xml\.rels|media/image\d+\.(png|jpe?g|gif|emf|wmf)"
    r"|externalLinks/[\w./-]+\.xml(\.rels)?))$"
)
# No more columns than this are read; a row with a value beyond them is refused.
MAX_COLUMNS = 100


def _check_zip(data: bytes):
    """The archive's directory, checked before a byte is unpacked: expected parts only, the sum of
    their declared sizes and how much larger that is than the file. The sizes are read from the
    directory; zipfile refuses to unpack a member that grows beyond its declared size."""
    import zipfile

    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise TableError(_("The XLSX file could not be read: it may be damaged.")) from error
    names = [member.filename for member in members]
    if "xl/workbook.xml" not in names:
        raise TableError(_("The file is neither CSV nor XLSX."))
    for name in names:
        if not XLSX_PARTS.match(name):
            raise TableError(
                _("The XLSX file holds a part an Excel workbook does not have (%(name)s); save it again as XLSX.")
                % {"name": shorten(name)}
            )
    unpacked = sum(member.file_size for member in members)
    packed = max(sum(member.compress_size for member in members), 1)
    if (
        unpacked > settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024
        or unpacked > packed * settings.IMPORT_MAX_PACKING_RATIO
    ):
        raise TableError(
            _("The XLSX file unpacks to %(size)s MB; at most %(limit)s MB (and %(ratio)s times its size) is read.")
            % {
                "size": number_format(unpacked / 1024 / 1024, 0, force_grouping=True),
                "limit": settings.IMPORT_MAX_UNPACKED_MB,
                "ratio": settings.IMPORT_MAX_PACKING_RATIO,
            }
        )


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    _check_zip(data)
    limit = settings.IMPORT_MAX_CELL_CHARS
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl and its XML parser raise many kinds for a damaged file
        raise TableError(_("The XLSX file could not be read: it may be damaged.")) from error
    try:
        sheet = workbook.worksheets[0]
        header, rows, unnamed = None, [], set()
        # One column more than is read, to know whether a row has a value beyond them.
        for number, cells in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1), start=1):
            if header is None:
                if not cells or not any(cells):
                    raise TableError(_("The file is empty or has no header row."))
                header = [_column_name(cell) for cell in cells[:MAX_COLUMNS]]
                while header and not header[-1]:
                    header.pop()  # read-only sheets pad the header to the widest row
                continue
            if number > settings.IMPORT_MAX_ROWS + 1:
                raise TableError(_too_many_rows())
            texts = [_xlsx_text(cell) for cell in cells]
            if not any(texts):
                continue
            if len(texts) > MAX_COLUMNS and texts[MAX_COLUMNS]:
                raise TableError(
                    _("Row %(row)s: the sheet has values beyond column %(letter)s; an import has far fewer columns.")
                    % {"row": number, "letter": get_column_letter(MAX_COLUMNS)}
                )
            unnamed |= {i + 1 for i, text in enumerate(texts) if text and (i >= len(header) or not header[i])}
            rows.append((number, {name: (texts[i] if i < len(texts) else "") for i, name in enumerate(header)}))
    except TableError:
        raise
    except Exception as error:
        raise TableError(_("The XLSX file could not be read: it may be damaged.")) from error
    finally:
        workbook.close()
    if header is None:
        raise TableError(_("The file is empty or has no header row."))
    return Table(header=header, rows=rows, decimal_comma=False, unnamed=sorted(unnamed), cell_limit=limit)


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
        raise CellError(_("“%(value)s” is not a date; write YYYY-MM-DD or DD-MM-YYYY.") % {"value": shorten(text)})
    try:
        value = date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a date that exists.") % {"value": shorten(text)}) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise CellError(_("“%(value)s” is not a plausible date; check the year.") % {"value": shorten(text)})
    return value


def parse_month(text: str) -> date:
    """YYYY-MM; or a date on the first of the month, which is what Excel makes of a typed 2025-03."""
    if ISO_DATE.match(text) or DANISH_DATE.match(text):
        value = parse_date(text)
        if value.day == 1:
            return value
    match = re.match(r"^(\d{4})-(\d{2})$", text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CellError(_("“%(value)s” is not a month; write YYYY-MM.") % {"value": shorten(text)})
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
        raise CellError(_("“%(value)s” is not a number.") % {"value": shorten(text)}) from None
    if not value.is_finite():
        raise CellError(_("“%(value)s” is not a number.") % {"value": shorten(text)})
    if minimum is not None and value < minimum:
        raise CellError(_("%(value)s is negative; it must be 0 or more.") % {"value": shorten(text)})
    if abs(value) >= Decimal("10000000"):
        raise CellError(_("%(value)s is too large.") % {"value": shorten(text)})
    return value


def parse_int(text: str, *, low: int, high: int) -> int:
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": shorten(text)})
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
    raise CellError(_("“%(value)s” must be yes or no.") % {"value": shorten(text)})


def parse_choice(text: str, choices: dict[str, str]) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise CellError(
            _("“%(value)s” must be one of: %(choices)s.") % {"value": shorten(text), "choices": ", ".join(choices)}
        )
    return choices[value]
