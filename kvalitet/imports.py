"""Imports of every kind of data, all-or-nothing.

Each kind declares its required and optional columns, the key that identifies a row, and how one
row becomes model values. The importer reads the whole file, collects every error as
`Række N, kolonne X: reason`, and stores nothing unless there are none. A known key with new values
updates the row (saved one by one, so the history keeps it); unchanged rows are left alone, so the
same file imported twice changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, InterfaceError, models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from leverandoer.models import Offer, OfferType, Provider, TargetGroup
from leverandoer.validators import cpr_numbers_in, cvr_is_valid, mask_cpr
from tilsyn.models import ControlArea, Finding, Inspection, Rating

from . import tables
from .models import (
    CASE_HANDLING_KINDS,
    Attendance,
    Case,
    Complaint,
    HoursRecord,
    ImportLog,
    ImportRun,
    Outcome,
    ProgressReport,
    SurveyResponse,
)
from .tables import CellError, TableError, shorten

# At most this many errors are listed; the rest are counted. A file of a million bad rows answers
# with a page a person can read, not a million lines.
SHOWN_ERRORS = 50


class ImportFailed(Exception):
    """Every error found; `lines` is what a person is shown: the first SHOWN_ERRORS, then a count."""

    def __init__(self, errors: list[str]):
        self.total = len(errors)
        self.errors = errors[:SHOWN_ERRORS]
        super().__init__("\n".join(self.errors))

    @property
    def lines(self) -> list[str]:
        rest = self.total - len(self.errors)
        if rest <= 0:
            return list(self.errors)
        more = ngettext("… and %(count)s more error", "… and %(count)s more errors", rest) % {
            "count": number_format(rest, force_grouping=True)
        }
        return [*self.errors, more]


@dataclass
class Result:
    kind: str
    rows: int
    added: int
    updated: int
    log: ImportLog | None = None


@dataclass
class Kind:
    name: str
    required: list[str]
    optional: dict[str, str] = field(default_factory=dict)
    # parse(row, context) -> (key, values); raises CellError via context.cell
    parse: Callable[..., tuple[tuple, dict[str, Any]]] | None = None
    model: type[models.Model] | None = None
    # Optional columns that, when the file lacks them, leave a known row's value as it is instead of
    # resetting it to the default (an offers file without addresses must not blank the addresses).
    kept_if_absent: tuple[str, ...] = ()


class RowContext:
    """What a row parser needs: lookups prepared for the whole file, and error collection."""

    def __init__(self, table: tables.Table, kind: Kind):
        self.table = table
        self.kind = kind
        self.errors: list[str] = []
        self.number = 0
        self.row: dict[str, str] = {}

    def cell(self, column: str, parser: Callable[[str], Any] | None = None, *, required: bool = True) -> Any:
        text = self.row.get(column, "")
        if text == "" and column in self.kind.optional:
            text = self.kind.optional[column]
        if text == "":
            if required:
                raise CellError(_("is empty"), column)
            return None
        if parser is None:
            return text
        try:
            return parser(text)
        except CellError as error:
            raise CellError(str(error.args[0]), column) from None

    def fail(self, column: str, reason: str) -> None:
        raise CellError(reason, column)


def _error(number: int, column: str | None, reason: str) -> str:
    if column:
        return _("Row %(row)s, column %(column)s: %(reason)s") % {
            "row": number,
            "column": shorten(column),
            "reason": reason,
        }
    return _("Row %(row)s: %(reason)s") % {"row": number, "reason": reason}


# --- Lookups -----------------------------------------------------------------------------------


def _refs(table: tables.Table, column: str) -> set[str]:
    return {row.get(column, "").strip().upper() for _number, row in table.rows if row.get(column)}


class Lookups:
    def __init__(self, table: tables.Table):
        self.offers = {o.ref: o for o in in_chunks(Offer.objects.all(), "ref", _refs(table, "offer_ref"))}
        self.providers = {p.ref: p for p in in_chunks(Provider.objects.all(), "ref", _refs(table, "provider_ref"))}
        self.offer_types = {t.code: t for t in OfferType.objects.all()} | {
            t.name.lower(): t for t in OfferType.objects.all()
        }
        self.target_groups = {g.code: g for g in TargetGroup.objects.all()} | {
            g.name.lower(): g for g in TargetGroup.objects.all()
        }
        self.areas = {a.code: a for a in ControlArea.objects.all()}

    def offer(self, ctx: RowContext) -> Offer:
        ref = ctx.cell("offer_ref").upper()
        if ref not in self.offers:
            ctx.fail("offer_ref", _("no offer has the reference %(ref)s") % {"ref": shorten(ref)})
        return self.offers[ref]

    def provider(self, ctx: RowContext) -> Provider:
        ref = ctx.cell("provider_ref").upper()
        if ref not in self.providers:
            ctx.fail("provider_ref", _("no provider has the reference %(ref)s") % {"ref": shorten(ref)})
        return self.providers[ref]


def key_cell(
    ctx: RowContext, column: str, model: type[models.Model], field_name: str = "ref", *, upper: bool = True
) -> str:
    """A reference that identifies a row, checked like the model field it goes into (pattern,
    reserved words, length) rather than cut short, so that two refs never become one."""
    value = ctx.cell(column)
    value = value.upper() if upper else value
    if cpr_numbers_in(value):
        ctx.fail(column, _("looks like a CPR number; use the citizen's pseudonymous reference"))
    try:
        model._meta.get_field(field_name).run_validators(value)
    except ValidationError as error:
        ctx.fail(column, " ".join(error.messages))
    return value


def citizen(ctx: RowContext, column: str = "citizen_ref", *, required: bool = True) -> str:
    value = ctx.cell(column, required=required) or ""
    if cpr_numbers_in(value):
        ctx.fail(column, _("looks like a CPR number; use the citizen's pseudonymous reference"))
    if len(value) > 40:
        ctx.fail(column, _("is longer than 40 characters"))
    return value


# --- The kinds ---------------------------------------------------------------------------------


def parse_provider(ctx: RowContext, lookups: Lookups):
    ref = key_cell(ctx, "provider_ref", Provider)
    kind = ctx.cell(
        "kind",
        lambda t: tables.parse_choice(
            t, {"external": "external", "internal": "internal", "anden_aktoer": "anden_aktoer"}
        ),
    )
    cvr = "".join((ctx.cell("cvr", required=False) or "").split())
    administration = (ctx.cell("administration", required=False) or "").upper()
    if kind == "external" and not cvr_is_valid(cvr):
        ctx.fail("cvr", _("an external provider needs a valid CVR number (8 digits, modulus 11)"))
    if kind != "external" and cvr and not cvr_is_valid(cvr):
        ctx.fail("cvr", _("is not a valid CVR number"))
    if kind == "internal" and administration not in {"SUF", "SOF", "BIF"}:
        ctx.fail("administration", _("an internal provider belongs to SUF, SOF or BIF"))
    if kind != "internal" and administration:
        ctx.fail("administration", _("only internal providers belong to an administration"))
    if kind == "internal" and cvr:
        ctx.fail("cvr", _("an internal provider has no CVR number"))
    name = ctx.cell("name")
    return (ref,), {"ref": ref, "name": name[:200], "kind": kind, "cvr": cvr, "administration": administration}


def parse_offer(ctx: RowContext, lookups: Lookups):
    ref = key_cell(ctx, "offer_ref", Offer)
    provider = lookups.provider(ctx)
    offer_type = lookups.offer_types.get(ctx.cell("offer_type").lower())
    if offer_type is None:
        ctx.fail("offer_type", _("unknown offer type"))
    target_group = lookups.target_groups.get(ctx.cell("target_group").lower())
    if target_group is None:
        ctx.fail("target_group", _("unknown target group"))
    basis = ctx.cell("result_basis", lambda t: tables.parse_choice(t, {"start": "start", "end": "end"}))
    months = ctx.cell("result_months", lambda t: tables.parse_int(t, low=1, high=36))
    values = {
        "ref": ref,
        "provider": provider,
        "name": ctx.cell("name")[:200],
        "offer_type": offer_type,
        "target_group": target_group,
        "delivery_address": (ctx.cell("delivery_address", required=False) or "")[:255],
        "result_basis": basis,
        "result_months": months,
    }
    return (ref,), values


def parse_hours(ctx: RowContext, lookups: Lookups):
    offer = lookups.offer(ctx)
    start = ctx.cell("period_start", tables.parse_date)
    end = ctx.cell("period_end", tables.parse_date)
    if end < start:
        ctx.fail("period_end", _("the period ends before it starts"))
    number = lambda text: tables.parse_decimal(text, decimal_comma=ctx.table.decimal_comma)  # noqa: E731
    order_ref = key_cell(ctx, "order_ref", HoursRecord, "order_ref", upper=False)
    values = {
        "offer": offer,
        "order_ref": order_ref,
        "period_start": start,
        "period_end": end,
        "ordered_hours": ctx.cell("ordered_hours", number),
        "delivered_hours": ctx.cell("delivered_hours", number),
    }
    return (order_ref, start), values


def parse_progress_report(ctx: RowContext, lookups: Lookups):
    offer = lookups.offer(ctx)
    citizen_ref = citizen(ctx)
    due = ctx.cell("due_date", tables.parse_date)
    submitted = ctx.cell("submitted_date", tables.parse_date, required=False)
    approved = ctx.cell("content_approved", lambda t: tables.parse_yes_no(t, allow_empty=True), required=False)
    if approved is not None and submitted is None:
        ctx.fail("content_approved", _("a report that was not submitted cannot have its content judged"))
    values = {
        "offer": offer,
        "citizen_ref": citizen_ref,
        "due_date": due,
        "submitted_date": submitted,
        "content_approved": approved,
    }
    return (offer.pk, citizen_ref, due), values


def parse_attendance(ctx: RowContext, lookups: Lookups):
    offer = lookups.offer(ctx)
    citizen_ref = citizen(ctx)
    month = ctx.cell("month", tables.parse_month)
    values = {
        "offer": offer,
        "citizen_ref": citizen_ref,
        "month": month,
        "registered_correctly": ctx.cell("registered_correctly", tables.parse_yes_no),
    }
    return (offer.pk, citizen_ref, month), values


def parse_outcome(ctx: RowContext, lookups: Lookups):
    offer = lookups.offer(ctx)
    citizen_ref = citizen(ctx)
    start = ctx.cell("course_start", tables.parse_date)
    end = ctx.cell("course_end", tables.parse_date)
    if end < start:
        ctx.fail("course_end", _("the course ends before it starts"))
    months = ctx.cell("months_after", lambda t: tables.parse_int(t, low=1, high=36), required=False)
    months = months or offer.result_months
    basis_day = start if offer.result_basis == Offer.ResultBasis.COURSE_START else end
    values = {
        "offer": offer,
        "citizen_ref": citizen_ref,
        "course_start": start,
        "course_end": end,
        "months_after": months,
        "off_public_support": ctx.cell("off_public_support", tables.parse_yes_no),
        "follow_up_on": basis_day + relativedelta(months=months),
    }
    return (offer.pk, citizen_ref, start), values


def parse_survey(ctx: RowContext, lookups: Lookups):
    offer = lookups.offer(ctx)
    answered_on = ctx.cell("answered_on", tables.parse_date)
    if answered_on > date.today():
        ctx.fail("answered_on", _("lies in the future"))
    score = ctx.cell("score", lambda t: tables.parse_int(t, low=1, high=5))
    comment = mask_cpr(ctx.cell("comment", required=False) or "")[:2000]
    response_ref = ctx.cell("response_ref", required=False)
    if response_ref and cpr_numbers_in(response_ref):
        ctx.fail("response_ref", _("looks like a CPR number; use the citizen's pseudonymous reference"))
    if response_ref:
        key = f"ref:{offer.pk}:{response_ref}"
    else:
        content = f"{offer.pk}|{answered_on}|{score}|{comment}"
        ctx.seen[content] = ctx.seen.get(content, 0) + 1
        key = "row:" + hashlib.sha256(f"{content}|{ctx.seen[content]}".encode()).hexdigest()
    values = {"offer": offer, "answered_on": answered_on, "score": score, "comment": comment, "imported": True}
    return (key,), {**values, "import_key": key}


def parse_complaint(ctx: RowContext, lookups: Lookups):
    ref = key_cell(ctx, "complaint_ref", Complaint)
    provider = lookups.provider(ctx)
    kind = ctx.cell("kind", lambda t: tables.parse_choice(t, {"formality": "formality", "reality": "reality"}))
    if kind == "reality" and provider.kind != Provider.Kind.ANDEN_AKTOER:
        ctx.fail("kind", _("a reality complaint concerns a decision by an Anden Aktør provider"))
    received = ctx.cell("received_on", tables.parse_date)
    if received > date.today():
        ctx.fail("received_on", _("lies in the future"))
    decision = (
        ctx.cell(
            "decision",
            lambda t: tables.parse_choice(t, {code: code for code in Complaint.Decision.values}),
            required=False,
        )
        or ""
    )
    decided = ctx.cell("decided_on", tables.parse_date, required=False)
    if decision and not decided:
        ctx.fail("decided_on", _("a decision needs its date"))
    if decided and not decision:
        ctx.fail("decision", _("a decision date needs the decision it belongs to"))
    if decided and decided < received:
        ctx.fail("decided_on", _("the decision is dated before the complaint was received"))
    forwarded = ctx.cell("forwarded_on", tables.parse_date, required=False)
    if forwarded and decided and forwarded < decided:
        ctx.fail("forwarded_on", _("the decision cannot be forwarded before it was made"))
    values = {
        "ref": ref,
        "provider": provider,
        "kind": kind,
        "received_on": received,
        "decision": decision,
        "decided_on": decided,
        "general_practice": ctx.cell("general_practice", tables.parse_yes_no),
        "subject": mask_cpr(ctx.cell("subject", required=False) or "")[:300],
        "citizen_ref": citizen(ctx, required=False),
        "forwarded_on": forwarded,
    }
    return (ref,), values


def parse_case(ctx: RowContext, lookups: Lookups):
    provider = lookups.provider(ctx)
    if provider.kind not in CASE_HANDLING_KINDS:
        ctx.fail("provider_ref", _("cases are imported for Anden Aktør and the municipality's own centres only"))
    case_ref = citizen(ctx, "case_ref")
    status = ctx.cell("status", lambda t: tables.parse_choice(t, {"ongoing": "ongoing", "completed": "completed"}))
    return (provider.pk, case_ref), {"provider": provider, "case_ref": case_ref, "status": status}


METHODS = {
    "visit": Inspection.Method.VISIT,
    "data": Inspection.Method.DATA_CHECK,
    "case_review": Inspection.Method.CASE_REVIEW,
}
KINDS = {
    "base": Inspection.Kind.ANNUAL_BASE,
    "extra": Inspection.Kind.EXTRA,
    "follow_up": Inspection.Kind.FOLLOW_UP,
    "internal_control": Inspection.Kind.INTERNAL_CONTROL,
}


def parse_inspection_finding(ctx: RowContext, lookups: Lookups):
    ref = key_cell(ctx, "inspection_ref", Inspection)
    provider = lookups.provider(ctx)
    method = ctx.cell("method", lambda t: tables.parse_choice(t, METHODS))
    kind = ctx.cell("kind", lambda t: tables.parse_choice(t, KINDS))
    unannounced = ctx.cell("unannounced", tables.parse_yes_no)
    performed_on = ctx.cell("performed_on", tables.parse_date)
    area_code = ctx.cell("control_area").lower()
    if area_code not in lookups.areas:
        ctx.fail("control_area", _("unknown control area"))
    rating = ctx.cell("rating", lambda t: tables.parse_choice(t, {r: r for r in Rating.values}))
    gross = ctx.cell("gross_violation", tables.parse_yes_no)
    if gross and rating != Rating.RED:
        ctx.fail("gross_violation", _("a gross violation can only be flagged on a red finding"))
    header = (provider.pk, method, kind, unannounced, performed_on)
    first = ctx.inspections.setdefault(ref, (header, ctx.number))
    if first[0] != header:
        ctx.fail(
            "inspection_ref",
            _("disagrees with row %(row)s on provider, method, kind or date") % {"row": first[1]},
        )
    decided = ctx.cell("decided_scenario", lambda t: tables.parse_int(t, low=1, high=4), required=False)
    first_decided = ctx.decided.setdefault(ref, (decided, ctx.number))
    if first_decided[0] != decided:
        ctx.fail("decided_scenario", _disagreement(first_decided[0], first_decided[1]))
    values = {
        "inspection_ref": ref,
        "provider": provider,
        "method": method,
        "kind": kind,
        "announced": not unannounced,
        "performed_on": performed_on,
        "control_area": lookups.areas[area_code],
        "rating": rating,
        "gross_violation": gross,
        "remark": mask_cpr(ctx.cell("remark", required=False) or "")[:5000],
        "decided_scenario": decided,
    }
    return (ref, area_code), values


def _disagreement(other: int | None, row: int) -> str:
    """Why a row's decided scenario is refused: the scenario is the inspection's, not the finding's."""
    if other is None:
        reason = _("disagrees with row %(row)s, which leaves it empty (not decided)") % {"row": row}
    else:
        reason = _("disagrees with row %(row)s, which gives scenario %(scenario)s") % {"row": row, "scenario": other}
    return reason + "; " + _("every row of an inspection must give the same decided scenario, or all leave it empty")


KIND_SPECS = {
    "providers": Kind(
        "providers", ["provider_ref", "name", "kind", "cvr", "administration"], parse=parse_provider, model=Provider
    ),
    "offers": Kind(
        "offers",
        ["offer_ref", "provider_ref", "name", "offer_type", "target_group"],
        {"delivery_address": "", "result_basis": "end", "result_months": "6"},
        parse_offer,
        Offer,
        kept_if_absent=("delivery_address", "result_basis", "result_months"),
    ),
    "hours": Kind(
        "hours",
        ["offer_ref", "order_ref", "period_start", "period_end", "ordered_hours", "delivered_hours"],
        parse=parse_hours,
        model=HoursRecord,
    ),
    "progress_reports": Kind(
        "progress_reports",
        ["offer_ref", "citizen_ref", "due_date", "submitted_date", "content_approved"],
        parse=parse_progress_report,
        model=ProgressReport,
    ),
    "attendance": Kind(
        "attendance",
        ["offer_ref", "citizen_ref", "month", "registered_correctly"],
        parse=parse_attendance,
        model=Attendance,
    ),
    "outcomes": Kind(
        "outcomes",
        ["offer_ref", "citizen_ref", "course_start", "course_end", "off_public_support"],
        {"months_after": ""},
        parse_outcome,
        Outcome,
    ),
    "surveys": Kind(
        "surveys",
        ["offer_ref", "answered_on", "score"],
        {"response_ref": "", "comment": ""},
        parse_survey,
        SurveyResponse,
        kept_if_absent=("comment",),
    ),
    "complaints": Kind(
        "complaints",
        ["complaint_ref", "provider_ref", "kind", "received_on", "decision", "decided_on", "general_practice"],
        {"subject": "", "citizen_ref": "", "forwarded_on": ""},
        parse_complaint,
        Complaint,
        kept_if_absent=("subject", "citizen_ref", "forwarded_on"),
    ),
    "cases": Kind("cases", ["provider_ref", "case_ref", "status"], parse=parse_case, model=Case),
    "inspections": Kind(
        "inspections",
        [
            "inspection_ref",
            "provider_ref",
            "method",
            "kind",
            "unannounced",
            "performed_on",
            "control_area",
            "rating",
            "gross_violation",
            "remark",
        ],
        {"decided_scenario": ""},
        parse_inspection_finding,
        Finding,
        kept_if_absent=("decided_scenario",),
    ),
}
KIND_NAMES = list(KIND_SPECS)


# --- Running an import -------------------------------------------------------------------------


def parse_file(
    *,
    kind: str,
    data: bytes,
    filename: str,
    progress: Callable[[int], None] | None = None,
    table: tables.Table | None = None,
) -> tuple[Kind, list[tuple[int, tuple, dict]], set[str]]:
    """Every row parsed, or ImportFailed with every error; nothing is written. Also the fields that
    known rows keep because the file lacks their optional column. `progress` hears the share of rows
    parsed, 0–100."""
    if kind not in KIND_SPECS:
        raise ImportFailed(
            [
                _("Unknown kind “%(kind)s”; use one of: %(kinds)s.")
                % {"kind": shorten(kind), "kinds": ", ".join(KIND_NAMES)}
            ]
        )
    spec = KIND_SPECS[kind]
    if table is None:
        table = read(data=data, filename=filename)
    if header_errors := _header_errors(spec, table):
        raise ImportFailed(header_errors)
    if not table.rows:
        raise ImportFailed([_("The file has no rows below the header.")])
    lookups = Lookups(table)
    ctx = RowContext(table, spec)
    ctx.seen, ctx.inspections, ctx.decided = {}, {}, {}
    parsed, keys = [], {}
    step = max(len(table.rows) // 20, 1)
    for index, (number, row) in enumerate(table.rows):
        if progress and index % step == 0:
            progress(index * 100 // len(table.rows))
        ctx.number, ctx.row = number, row
        if too_long := next((c for c, text in row.items() if len(text) > table.cell_limit), None):
            reason = _("“%(value)s” has %(length)s characters; a cell may have at most %(limit)s.") % {
                "value": shorten(row[too_long]),
                "length": number_format(len(row[too_long]), force_grouping=True),
                "limit": number_format(table.cell_limit, force_grouping=True),
            }
            ctx.errors.append(_error(number, too_long, reason))
            continue
        if number in table.overflowing:
            reason = _(
                "has more cells than the header has columns; in a comma-separated file a number with a "
                "decimal comma must be in quotes"
            )
            ctx.errors.append(_error(number, None, reason))
            continue
        try:
            key, values = spec.parse(ctx, lookups)
        except CellError as error:
            reason, column = error.args[0], (error.args[1] if len(error.args) > 1 else None)
            ctx.errors.append(_error(number, column, reason))
            continue
        if key in keys:
            ctx.errors.append(_error(number, None, _("the same key as row %(row)s") % {"row": keys[key]}))
            continue
        keys[key] = number
        parsed.append((number, key, values))
    if ctx.errors:
        raise ImportFailed(ctx.errors)
    kept = {column for column in spec.kept_if_absent if column not in table.header}
    return spec, parsed, kept


def read(*, data: bytes, filename: str) -> tables.Table:
    """The file as a table, or ImportFailed with the one reason it cannot be read."""
    try:
        return tables.read_table(data, filename)
    except TableError as error:
        raise ImportFailed([str(error)]) from error


def _header_errors(spec: Kind, table: tables.Table) -> list[str]:
    """Every problem with row 1 at once: a misspelt column is both missing and unknown, and the
    person correcting the file should see both. A column the kind does not declare is refused rather
    than ignored, so that a value never silently goes nowhere."""
    from openpyxl.utils import get_column_letter

    errors = []
    missing = [column for column in spec.required if column not in table.header]
    if missing:
        errors.append(
            _("Row 1: missing columns: %(columns)s (the header must name exactly these).")
            % {"columns": ", ".join(missing)}
        )
    known = [*spec.required, *spec.optional]
    for column in dict.fromkeys(name for name in table.header if name and name not in known):
        reason = _("unknown column; %(kind)s has only these columns: %(columns)s") % {
            "kind": spec.name,
            "columns": ", ".join(known),
        }
        errors.append(_error(1, column, reason))
    for position in table.unnamed:
        errors.append(
            _("Row 1: column %(letter)s has no name in the header, but the rows below have values in it.")
            % {"letter": get_column_letter(position)}
        )
    twice = [column for column in known if table.header.count(column) > 1]
    if twice:
        errors.append(_("Row 1: columns named twice: %(columns)s.") % {"columns": ", ".join(twice)})
    return errors


def run_import(
    *,
    kind: str,
    data: bytes,
    filename: str,
    by=None,
    progress: Callable[[int], None] | None = None,
    table: tables.Table | None = None,
) -> Result:
    """Store a parsed file in one transaction. Rows the models refuse are reported like parse
    errors (ImportFailed), after the transaction is rolled back. Failed imports are logged too.
    `progress` hears 0–100 as the rows are parsed; `table` is the file already read."""
    try:
        return _run_import(kind=kind, data=data, filename=filename, by=by, progress=progress, table=table)
    except ImportFailed as failed:
        _failure_logged(kind=kind, data=data, filename=filename, by=by, failed=failed)
        raise


def _run_import(*, kind: str, data: bytes, filename: str, by=None, progress=None, table=None) -> Result:
    # Parsing reports 0–90 %; storing is one transaction, so a progress written inside it would be
    # seen by nobody until it commits: the bar waits at 90 % while the rows are stored.
    parse_progress = (lambda pct: progress(pct * 9 // 10)) if progress else None
    spec, parsed, kept = parse_file(kind=kind, data=data, filename=filename, progress=parse_progress, table=table)
    if progress:
        progress(90)
    with transaction.atomic():
        if kind == "inspections":
            added, updated = _store_inspections(spec, parsed, by, kept=kept)
        else:
            added, updated = _store(spec, parsed, by, kept=kept)
        log = ImportLog.objects.create(
            kind=kind,
            filename=filename[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            rows=len(parsed),
            added=added,
            updated=updated,
            imported_by=by,
        )
    return Result(kind=kind, rows=len(parsed), added=added, updated=updated, log=log)


KEY_FIELDS = {
    Provider: ("ref",),
    Offer: ("ref",),
    HoursRecord: ("order_ref", "period_start"),
    ProgressReport: ("offer_id", "citizen_ref", "due_date"),
    Attendance: ("offer_id", "citizen_ref", "month"),
    Outcome: ("offer_id", "citizen_ref", "course_start"),
    SurveyResponse: ("import_key",),
    Complaint: ("ref",),
    Case: ("provider_id", "case_ref"),
}


LOOKUP_CHUNK = 500  # SQLite allows a limited number of query parameters


def in_chunks(queryset, field_name: str, values) -> list:
    """`queryset.filter(<field>__in=values)`, in chunks, for files with very many keys."""
    ordered = sorted(values)
    rows = []
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        rows.extend(queryset.filter(**{f"{field_name}__in": ordered[start : start + LOOKUP_CHUNK]}))
    return rows


def _existing(model, parsed) -> dict[tuple, models.Model]:
    """The rows already stored under the file's keys, looked up in chunks of the scope values."""
    fields = KEY_FIELDS[model]
    if fields in (("ref",), ("import_key",)):
        column, values = f"{fields[0]}__in", {key[0] for _n, key, _v in parsed}
    elif "offer_id" in fields:
        column, values = "offer_id__in", {values["offer"].pk for _n, _k, values in parsed}
    elif "provider_id" in fields:
        column, values = "provider_id__in", {values["provider"].pk for _n, _k, values in parsed}
    else:
        column, values = "order_ref__in", {key[0] for _n, key, _v in parsed}
    rows = in_chunks(model.objects.all(), column.removesuffix("__in"), values)
    return {tuple(getattr(row, name) for name in fields): row for row in rows}


def _store(spec: Kind, parsed, by, *, kept: set[str] = frozenset()) -> tuple[int, int]:
    from .services import complaint_general_practice_flagged

    model = spec.model
    existing = _existing(model, parsed)
    new, added, updated, errors = [], 0, 0, []
    for number, key, values in parsed:
        row = existing.get(key)
        if row is None:
            row = model(**values)
            errors += _validate(row, number, spec)
            new.append(row)
            continue
        changed = {
            name: value for name, value in values.items() if name not in kept and _value(row, name) != _plain(value)
        }
        if not changed:
            continue
        was_flagged = getattr(row, "general_practice", False)
        for name, value in changed.items():
            setattr(row, name, value)
        if invalid := _validate(row, number, spec):
            errors += invalid
            continue
        row._history_user = by
        row.save()
        updated += 1
        if model is Complaint and row.general_practice and not was_flagged:
            complaint_general_practice_flagged(complaint=row, by=by)
    if errors:
        raise ImportFailed(errors)
    if new:
        if hasattr(model._meta, "simple_history_manager_attribute"):
            bulk_create_with_history(new, model, batch_size=500, default_user=by)
        else:
            model.objects.bulk_create(new, batch_size=500)
        added = len(new)
        if model is Complaint:
            flagged = [row.ref for row in new if row.general_practice]
            for complaint in in_chunks(Complaint.objects.all(), "ref", flagged):
                complaint_general_practice_flagged(complaint=complaint, by=by)
    return added, updated


def _value(row, name):
    field_ = row._meta.get_field(name)
    return getattr(row, field_.attname)


def _plain(value):
    return value.pk if isinstance(value, models.Model) else value


def _validate(row, number: int, spec: Kind) -> list[str]:
    """The model's own checks (e.g. the pattern of a ref), as errors naming row and column."""
    try:
        row.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = []
        for name, messages in error.message_dict.items():
            column = _column_for(spec, name)
            reason = " ".join(messages)
            if column is None and name != NON_FIELD_ERRORS:
                reason = f"{name}: {reason}"
            errors.append(_error(number, column, reason))
        return errors
    return []


def _column_for(spec: Kind, name: str) -> str | None:
    """The file column a model field comes from, where there is one."""
    sources = {
        "ref": spec.required[0],
        "offer": "offer_ref",
        "provider": "provider_ref",
        "inspection": "inspection_ref",
        "announced": "unannounced",
    }
    column = sources.get(name, name)
    return column if column in spec.required or column in spec.optional else None


def _store_inspections(spec: Kind, parsed, by, *, kept: set[str] = frozenset()) -> tuple[int, int]:
    """One inspection per inspection_ref, closed and marked imported; one finding per row. The
    decided scenario belongs to the inspection; a file without its column leaves it as it is."""
    refs = {v["inspection_ref"] for _n, _k, v in parsed}
    inspections = {i.ref: i for i in in_chunks(Inspection.objects.all(), "ref", refs)}
    findings = {
        (f.inspection_id, f.control_area_id): f for f in in_chunks(Finding.objects.all(), "inspection__ref", refs)
    }
    added = updated = 0
    errors, changed_refs = [], set()
    for number, _key, values in parsed:
        ref = values["inspection_ref"]
        header = {
            "provider": values["provider"],
            "method": values["method"],
            "kind": values["kind"],
            "announced": values["announced"],
            "performed_on": values["performed_on"],
        }
        if "decided_scenario" not in kept:
            header["decided_scenario"] = values["decided_scenario"]
        inspection = inspections.get(ref)
        if inspection is None:
            inspection = Inspection(
                ref=ref,
                planned_on=values["performed_on"],
                status=Inspection.Status.CLOSED,
                imported=True,
                performer=None,
                created_by=by,
                **header,
            )
            inspection._history_user = by
            inspection.save()
            inspections[ref] = inspection
        elif not inspection.imported:
            reason = _("inspection %(ref)s exists and was not imported") % {"ref": ref}
            errors.append(_error(number, "inspection_ref", reason))
            continue
        elif any(_value(inspection, name) != _plain(value) for name, value in header.items()):
            for name, value in header.items():
                setattr(inspection, name, value)
            inspection.planned_on = values["performed_on"]
            inspection._history_user = by
            inspection.save()
            changed_refs.add(ref)
        finding = findings.get((inspection.pk, values["control_area"].pk))
        finding_values = {k: values[k] for k in ("rating", "gross_violation", "remark")}
        if finding is None:
            finding = Finding(inspection=inspection, control_area=values["control_area"], **finding_values)
            if invalid := _validate(finding, number, spec):
                errors += invalid
                continue
            finding._history_user = by
            finding.save()
            findings[(inspection.pk, values["control_area"].pk)] = finding
            added += 1
        elif any(getattr(finding, k) != v for k, v in finding_values.items()):
            for name, value in finding_values.items():
                setattr(finding, name, value)
            if invalid := _validate(finding, number, spec):
                errors += invalid
                continue
            finding._history_user = by
            finding.save()
            updated += 1
        elif ref in changed_refs:
            updated += 1  # the finding is unchanged, but its inspection's header or decided scenario changed
    if errors:
        raise ImportFailed(errors)
    return added, updated


# --- Imports as runs ---------------------------------------------------------------------------


def _failure_logged(*, kind: str, data: bytes, filename: str, by, failed: ImportFailed) -> None:
    ImportLog.objects.create(
        kind=kind[:20],
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        rows=0,
        added=0,
        updated=0,
        errors=failed.total,
        imported_by=by,
    )


def import_start(*, kind: str, data: bytes, filename: str, by=None) -> Result | ImportRun:
    """Import a file in the request, or — more rows than IMPORT_BACKGROUND_ROWS — record an ImportRun
    and send it to a worker once committed. The file is read (within its bounds) first, so that a
    file that cannot be read is answered at once; without a broker the task runs in this request."""
    from .tasks import import_run

    try:
        table = read(data=data, filename=filename)
    except ImportFailed as failed:
        _failure_logged(kind=kind, data=data, filename=filename, by=by, failed=failed)
        raise
    if len(table.rows) <= settings.IMPORT_BACKGROUND_ROWS:
        return run_import(kind=kind, data=data, filename=filename, by=by, table=table)
    name = f"{IMPORT_UPLOADS}/{uuid.uuid4().hex}.upload"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    with transaction.atomic():
        run = ImportRun.objects.create(
            kind=kind, filename=filename[:255], upload=name, started_by=by, language=get_language() or "da"
        )
        import_run.delay_on_commit(run.pk)
    return run


# Uploads waiting for their run, under MEDIA_ROOT; no URL serves them.
IMPORT_UPLOADS = "imports"


def import_run_execute(*, run_id: int) -> ImportRun | None:
    """Import a claimed run's stored upload. None when the run was not pending: a duplicate delivery
    does nothing. The upload is deleted when the run ends, done or failed."""
    now = timezone.now()
    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.PENDING).update(
        status=ImportRun.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, progress=0
    )
    if claimed != 1:
        return None
    run = ImportRun.objects.select_related("started_by").get(pk=run_id)
    mine = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.RUNNING, attempts=run.attempts)

    def beat(pct: int) -> None:
        mine.update(progress=pct, heartbeat_at=timezone.now())

    try:
        data = (Path(settings.MEDIA_ROOT) / run.upload).read_bytes()
        with translation.override(run.language):
            try:
                result = run_import(kind=run.kind, data=data, filename=run.filename, by=run.started_by, progress=beat)
            except ImportFailed as failed:
                mine.update(
                    status=ImportRun.Status.FAILED,
                    # Kept on the row: a CPR number quoted back from a cell is masked like free text.
                    errors=[mask_cpr(line) for line in failed.lines],
                    error_count=failed.total,
                    finished_at=timezone.now(),
                )
            else:
                mine.update(
                    status=ImportRun.Status.DONE,
                    progress=100,
                    rows=result.rows,
                    added=result.added,
                    updated=result.updated,
                    log=result.log,
                    finished_at=timezone.now(),
                )
    except Exception as error:
        with contextlib.suppress(DatabaseError, InterfaceError):
            mine.update(status=ImportRun.Status.FAILED, error=repr(error)[:2000], finished_at=timezone.now())
        raise
    finally:
        _upload_delete(run)
    run.refresh_from_db()
    return run


def _upload_delete(run: ImportRun) -> None:
    if run.upload:
        (Path(settings.MEDIA_ROOT) / run.upload).unlink(missing_ok=True)


def import_runs_sweep() -> dict[str, int]:
    """Fail runs whose worker died (no heartbeat for longer than a task may live: the storing
    transaction beats no heartbeat, and it rolled back when its worker died) and delete their
    uploads; send again runs still pending after REPORT_PENDING_RESEND seconds (the broker lost them)."""
    from .tasks import import_run

    now = timezone.now()
    stale = now - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    dead = list(ImportRun.objects.filter(status=ImportRun.Status.RUNNING, heartbeat_at__lt=stale))
    for run in dead:
        updated = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.RUNNING, attempts=run.attempts).update(
            status=ImportRun.Status.FAILED, error="The worker stopped sending heartbeats.", finished_at=now
        )
        if updated:
            _upload_delete(run)
    waiting = list(
        ImportRun.objects.filter(
            status=ImportRun.Status.PENDING, created_at__lt=now - timedelta(seconds=settings.REPORT_PENDING_RESEND)
        ).values_list("pk", flat=True)
    )
    for run_id in waiting:
        import_run.delay(run_id)
    return {"failed": len(dead), "resent": len(waiting)}
