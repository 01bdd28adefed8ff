"""A version's tables as XLSX (one sheet per table) and CSV (one file per table), the same tables
as the PDF. Values are plain: numbers as numbers, colours and reasons as text."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kvalitet.scoring import TRACKS
from leverandoer.models import ReferralStatus
from tilsyn.models import Inspection

from . import charts, reasons, services, summary, suppression
from .models import QualityReport

TABLES = [
    "scenarios",
    "colours",
    "matrix",
    "standing_out",
    "offers",
    "benchmarks",
    "trend",
    "changes",
    "colour_changes",
    "version",
]
ANNUAL_TABLES = ["annual_a", "annual_b", "annual_c", "annual_d", "annual_e", "annual_f"]


def _word(colour: str | None) -> str:
    """A colour or rating as the word the PDF uses (Grøn, Gul, Rød, Ingen farve)."""
    return charts.colour_words().get(colour or "none", colour)


def referral_word(row: dict) -> str:
    """A provider's or an offer's referral status at compile time, in words. Versions compiled
    before the status was recorded have none: they count as open."""
    status = row.get("referral_status") or ReferralStatus.OPEN
    return str(ReferralStatus(status).label) if status in ReferralStatus.values else status


def table_label(name: str) -> str:
    return {
        "scenarios": _("Providers by scenario"),
        "colours": _("Colour distribution per track"),
        "matrix": _("Providers × tracks"),
        "standing_out": _("Providers standing out negatively"),
        "offers": _("Offers × tracks"),
        "benchmarks": _("Benchmarks per comparable group"),
        "trend": _("Key figures per year, all providers"),
        "changes": _("Changed scenarios"),
        "colour_changes": _("Colour changes per track"),
        "version": _("About this version"),
        "annual_a": _("Table A. External providers"),
        "annual_b": _("Table B. Internal providers"),
        "annual_c": _("Table C. Visits performed"),
        "annual_d": _("Table D. Data-based supervision per provider"),
        "annual_e": _("Table E. Internal centres (BIF): ordered and delivered hours"),
        "annual_f": _("Table F. Key figures of the year and their trend (external providers)"),
    }.get(name, name)


def sheet_label(name: str) -> str:
    """A sheet name within Excel's 31 characters."""
    return {
        "scenarios": _("Scenarios"),
        "colours": _("Colours per track"),
        "matrix": _("Traffic lights"),
        "standing_out": _("Standing out"),
        "offers": _("Offers"),
        "benchmarks": _("Benchmarks"),
        "trend": _("Key figures per year"),
        "changes": _("Changed scenarios"),
        "colour_changes": _("Colour changes"),
        "version": _("About this version"),
        "annual_a": _("Table A"),
        "annual_b": _("Table B"),
        "annual_c": _("Table C"),
        "annual_d": _("Table D"),
        "annual_e": _("Table E"),
        "annual_f": _("Table F"),
    }.get(name, name)


def table_names(report: QualityReport) -> list[str]:
    return TABLES + (ANNUAL_TABLES if "annual" in report.data else [])


def _trend(rows: list[dict]) -> list[list]:
    return [[_("Year"), _("Hours delivered"), _("Progression reports submitted"), _("Progression reports on time")]] + [
        [
            f"{row['year']}{'*' if row['partial'] else ''}",
            row["hours_delivered_pct"],
            row["progress_reports_submitted_pct"],
            row["progress_reports_on_time_pct"],
        ]
        for row in rows
    ]


def _changes(data: dict, rows: list[dict]) -> list[list]:
    header = [[_("Reference"), _("Provider"), _("Before"), _("Now"), _("Direction")]]
    undecided = summary.previous_undecided(data)
    if undecided:
        return [*header, [_undecided(undecided), "", "", "", ""]]
    return header + [
        [
            change["provider_ref"],
            change["name"],
            change["before"],
            change["after"],
            summary.direction_word(change["direction"]),
        ]
        for change in summary.scenario_changes(data, rows)
    ]


def _undecided(period: str) -> str:
    return _("The previous half-year (%(period)s) is not decided: no published version.") % {"period": period}


def _colour_changes(data: dict) -> list[list]:
    """Per track; an empty cell where the version was compiled before that move was counted."""
    labels = reasons.track_labels()
    header = [[_("Track"), _("Better"), _("Worse"), _("No data now"), _("New data")]]
    undecided = summary.previous_undecided(data)
    if undecided:
        return [*header, [_undecided(undecided), "", "", "", ""]]
    return header + [
        [labels[moved["track"]], *[moved[move] for move in summary.COLOUR_MOVES]]
        for moved in summary.colour_changes(data)
    ]


def _offers(rows: list[dict]) -> list[list]:
    """Every offer's five colours, each beside its reason. Versions compiled before offers were
    coloured have none: the header alone."""
    labels = reasons.track_labels()
    header = [
        _("Reference"),
        _("Provider"),
        _("Offer reference"),
        _("Offer"),
        _("Offer type"),
        _("Target group"),
        _("Referral"),
    ]
    for track in TRACKS:
        header += [labels[track], _("Reason: %(track)s") % {"track": labels[track]}]
    return [header] + [
        [
            row["provider_ref"],
            row["name"],
            offer["offer_ref"],
            offer["name"],
            offer.get("offer_type", ""),
            offer.get("target_group", ""),
            referral_word(offer),
            *[
                cell
                for track in TRACKS
                for cell in (
                    _word(offer["tracks"][track]["colour"]),
                    reasons.track_reason(offer["tracks"][track]),
                )
            ],
        ]
        for row in rows
        for offer in row.get("offers") or []
    ]


def _version(report: QualityReport) -> list[list]:
    """What the tables are: which version, its status, and whether it is provisional (compiled
    before its half-year ended), so that a table read on its own says so."""
    publication = getattr(report, "publication", None)
    if publication and publication.published_at:
        status = _("Published")
    elif publication:
        status = _("Approved")
    else:
        status = _("Draft")
    return [
        [_("Half-year"), _("Version"), _("Status"), _("Provisional"), _("Compiled"), "SHA-256"],
        [
            report.period,
            report.version,
            status,
            _("Provisional") if report.data.get("provisional") else "",
            timezone.localtime(report.created_at).strftime("%Y-%m-%d %H:%M") if report.created_at else "",
            report.sha256,
        ],
    ]


def _annual(annual: dict) -> dict[str, list[list]]:
    kinds = dict(Inspection.Kind.choices)
    return {
        "annual_a": [
            [
                _("Reference"),
                _("Provider"),
                _("CVR"),
                _("Offers"),
                _("Agreement from"),
                _("Agreement to"),
                _("Visits"),
                _("Data-based"),
                _("Case reviews"),
                _("Worst rating"),
                _("Supervision scenario"),
            ]
        ]
        + [
            [
                row["provider_ref"],
                row["name"],
                row["cvr"],
                row["offers"],
                row["agreement_from"],
                row["agreement_to"],
                row["supervisions"]["visit"],
                row["supervisions"]["data"],
                row["supervisions"]["case_review"],
                _word(row["worst_rating"]),
                row["scenario"],
            ]
            for row in annual["external"]
        ],
        "annual_b": [
            [_("Administration"), _("Reference"), _("Provider"), _("Offers"), _("Supervisions"), _("Worst rating")]
        ]
        + [
            [
                row["administration"],
                row["provider_ref"],
                row["name"],
                row["offers"],
                row["supervisions"],
                _word(row["worst_rating"]),
            ]
            for row in annual["internal"]
        ],
        "annual_c": [[_("Reference"), _("Provider"), _("Date"), _("Kind"), _("Announced"), _("Worst rating")]]
        + [
            [
                row["provider_ref"],
                row["name"],
                row["date"],
                str(kinds.get(row["kind"], row["kind"])),
                _("Announced") if row["announced"] else _("Unannounced"),
                _word(row["worst_rating"]),
            ]
            for row in annual["visits"]
        ],
        "annual_d": [
            [
                _("Reference"),
                _("Provider"),
                _("Checks"),
                _("Hours delivered"),
                _("Progression reports submitted"),
                _("Progression reports on time"),
                _("Attendance registered correctly"),
            ]
        ]
        + [
            [
                row["provider_ref"],
                row["name"],
                row["checks"],
                row["hours_delivered_pct"],
                row["progress_reports_submitted_pct"],
                row["progress_reports_on_time_pct"],
                row["attendance_registered_pct"],
            ]
            for row in annual["data_checks"]
        ],
        "annual_e": [
            [
                _("Reference"),
                _("Centre"),
                _("Offers reviewed (up to 10)"),
                _("Ordered hours"),
                _("Delivered hours"),
                _("Difference (delivered − ordered)"),
            ]
        ]
        + [
            [
                row["provider_ref"],
                row["name"],
                row["offers_reviewed"],
                row["ordered_hours"],
                row["delivered_hours"],
                row["difference_hours"],
            ]
            for row in annual["centres"]
        ],
        "annual_f": _trend(annual["key_figures"]),
    }


def _with_footnotes(table: list[list], kinds: set[str]) -> list[list]:
    """A table with its footnotes under it, once, after an empty row, when it withholds figures."""
    notes = suppression.footnotes(kinds, marked=False)
    return [*table, [], *[[note] for note in notes]] if notes else table


def _plain_cell(value):
    """A withheld figure as its bare symbol ("<5", "–"), never as the str subclass it travels in."""
    return str(value) if isinstance(value, suppression.Suppressed) else value


def tables(report: QualityReport) -> dict[str, list[list]]:
    """The version's tables as the public sees them: small numbers withheld (issue 13), whoever
    downloads them, with the footnotes under each table that withholds any."""
    with translation.override(settings.LANGUAGE_CODE):
        public = suppression.public(report.data, services.effective_rows(report))
        rows, data = public.rows, public.data
        counts = charts.colour_counts(rows)
        labels = reasons.track_labels()
        result = {
            "scenarios": [[_("Scenario"), _("Providers")]]
            + [
                [_("No scenario (too few data)") if key == "none" else key, count]
                for key, count in summary.scenario_counts(rows).items()
            ],
            "colours": [[_("Track"), *[_word(c) for c in charts.COLOURS]]]
            + [
                [
                    labels[track],
                    *[counts[track].get(c, 0) for c in charts.COLOURS],
                ]
                for track in TRACKS
            ],
            "matrix": [
                [
                    _("Reference"),
                    _("Provider"),
                    *[labels[t] for t in TRACKS],
                    _("Proposed"),
                    _("Scenario"),
                    _("Referral"),
                    _("Follow-up case"),
                    _("Justification"),
                ]
            ]
            + [
                [
                    row["provider_ref"],
                    row["name"],
                    *[_word(row["tracks"][t]["colour"]) for t in TRACKS],
                    row["proposed_scenario"],
                    row["scenario"],
                    referral_word(row),
                    (row.get("case") or {}).get("ref", ""),
                    row["override"].justification if row["override"] else "",
                ]
                for row in rows
            ],
            "standing_out": [[_("Reference"), _("Provider"), _("Scenario"), _("Track"), _("Colour"), _("Reason")]]
            + [
                [
                    row["provider_ref"],
                    row["name"],
                    row["scenario"],
                    labels[t],
                    _word(row["tracks"][t]["colour"]),
                    reasons.track_reason(row["tracks"][t]),
                ]
                for row in rows
                if row["scenario"] in (3, 4)
                for t in TRACKS
            ],
            "offers": _offers(rows),
            "benchmarks": [
                [
                    _("Offer type"),
                    _("Target group"),
                    _("Offers"),
                    _("Mean survey score"),
                    _("Hours delivered"),
                    _("Reports on time"),
                    _("Off public support"),
                ]
            ]
            + [
                [
                    b["offer_type"],
                    b["target_group"],
                    b["offers"],
                    b["survey_mean"],
                    b["hours_delivered_pct"],
                    b["progress_reports_on_time_pct"],
                    b["outcome_rate_pct"],
                ]
                for b in data["benchmarks"]
            ],
            "trend": _trend(data.get("trend", [])),
            "changes": _changes(data, rows),
            "colour_changes": _colour_changes(data),
            "version": _version(report),
        }
        if "annual" in data:
            result.update(_annual(data["annual"]))
        standing_out = [row["tracks"][t] for row in rows if row["scenario"] in (3, 4) for t in TRACKS]
        sections = {**public.kinds, "standing_out": suppression.entry_kinds(standing_out)}
        for name in ("standing_out", "benchmarks", "trend", "annual_d", "annual_f"):
            if name in result:
                result[name] = _with_footnotes(result[name], sections.get(name, set()))
    return {name: [[_plain_cell(cell) for cell in row] for row in table] for name, table in result.items()}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_xlsx(report: QualityReport) -> bytes:
    """One sheet per table, named in Danish. Text is always stored as text: a justification that
    starts with "=" stays words, never a formula Excel would run."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override(settings.LANGUAGE_CODE):
        titles = {name: _sheet_title(sheet_label(name)) for name in TABLES + ANNUAL_TABLES}
    for name, rows in tables(report).items():
        sheet = workbook.create_sheet(titles[name])
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(label: str) -> str:
    """Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\."""
    return "".join(ch for ch in label if ch not in "[]:*?/\\")[:31].strip()


def _csv_cell(cell):
    if cell is None:
        return ""
    if isinstance(cell, float):
        return str(cell).replace(".", ",")
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell  # Excel would otherwise run it as a formula (CSV injection)
    return cell


def as_csv(report: QualityReport, table: str) -> bytes:
    """Semicolon-separated UTF-8 with BOM: what Danish Excel opens without asking."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in tables(report)[table]:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
