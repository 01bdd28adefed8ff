"""A version's tables as XLSX (one sheet per table) and CSV (one file per table), the same tables
as the PDF. Values are plain: numbers as numbers, colours and reasons as text."""

from __future__ import annotations

import csv
import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from kvalitet.scoring import TRACKS

from . import reasons, services
from .models import QualityReport

TABLES = ["scenarios", "colours", "matrix", "standing_out", "benchmarks"]


def tables(report: QualityReport) -> dict[str, list[list]]:
    with translation.override(settings.LANGUAGE_CODE):
        rows = services.effective_rows(report)
        labels = reasons.track_labels()
        data = report.data
        result = {
            "scenarios": [[_("Scenario"), _("Providers")]]
            + [[key, count] for key, count in data["key_figures"]["providers_by_scenario"].items()],
            "colours": [[_("Track"), "green", "yellow", "red", "none"]]
            + [
                [
                    labels[track],
                    *[
                        sum(1 for row in rows if row["tracks"][track]["colour"] == c)
                        for c in ("green", "yellow", "red", "none")
                    ],
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
                    _("Justification"),
                ]
            ]
            + [
                [
                    row["provider_ref"],
                    row["name"],
                    *[row["tracks"][t]["colour"] for t in TRACKS],
                    row["proposed_scenario"],
                    row["scenario"],
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
                    row["tracks"][t]["colour"],
                    reasons.track_reason(row["tracks"][t]),
                ]
                for row in rows
                if row["scenario"] in (3, 4)
                for t in TRACKS
            ],
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
        }
    return result


def as_xlsx(report: QualityReport) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in tables(report).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def as_csv(report: QualityReport, table: str) -> bytes:
    """Semicolon-separated UTF-8 with BOM: what Danish Excel opens without asking."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in tables(report)[table]:
        writer.writerow(
            ["" if cell is None else str(cell).replace(".", ",") if isinstance(cell, float) else cell for cell in row]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
