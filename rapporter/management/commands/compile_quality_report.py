"""`python manage.py compile_quality_report 2024-H2 [--json FILE] [--pdf FILE]`: the same compile
as the browser and the worker, run synchronously, making the same versions."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kvalitet.periods import HalfYear
from rapporter.services import compile_now


class Command(BaseCommand):
    help = "Compile the quality report of a half-year (e.g. 2024-H2) into a new version."

    def add_arguments(self, parser):
        parser.add_argument("period", help="The half-year, e.g. 2024-H2.")
        parser.add_argument("--json", type=Path, help="Write the report's JSON here.")
        parser.add_argument("--pdf", type=Path, help="Write the report's PDF here.")

    def handle(self, *args, period: str, pdf: Path | None, **options):
        json_file: Path | None = options["json"]
        half_year = HalfYear.parse(period)
        if half_year is None:
            raise CommandError(f"Ugyldigt halvår: {period!r}. Skriv fx 2024-H1 eller 2024-H2.")
        report = compile_now(period=half_year)
        if pdf:
            from rapporter.pdf import render_pdf

            pdf.write_bytes(render_pdf(report))
        document = {"version": report.version, "hash": report.sha256, **report.data}
        if json_file:
            json_file.write_text(_dumps(document), encoding="utf-8")
        providers = len(report.data["providers"])
        note = " (ingen data for halvåret)" if not providers else ""
        self.stdout.write(
            f"{report.period} version {report.version}: {providers} leverandører{note}, hash {report.sha256}"
        )


def _dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
