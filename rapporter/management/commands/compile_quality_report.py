"""`python manage.py compile_quality_report 2024-H2 [--by USER] [--json FILE] [--pdf FILE]`: the same
compile as the browser and the worker, run synchronously, making the same versions. `--by` names the
contract manager it is compiled for, who then may not approve it (four eyes)."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kvalitet.periods import HalfYear
from rapporter.services import compile_now, is_provisional


class Command(BaseCommand):
    help = "Compile the quality report of a half-year (e.g. 2024-H2) into a new version."

    def add_arguments(self, parser):
        parser.add_argument("period", help="The half-year, e.g. 2024-H2.")
        parser.add_argument("--json", type=Path, help="Write the report's JSON here.")
        parser.add_argument("--pdf", type=Path, help="Write the report's PDF here.")
        parser.add_argument("--by", help="The user name of the contract manager the version is compiled for.")

    def handle(self, *args, period: str, pdf: Path | None, **options):
        json_file: Path | None = options["json"]
        half_year = HalfYear.parse(period)
        if half_year is None:
            raise CommandError(f"Ugyldigt halvår: {period!r}. Skriv fx 2024-H1 eller 2024-H2.")
        by = _contract_manager(options.get("by"))
        if is_provisional(half_year):
            self.stderr.write(
                f"Advarsel: {half_year.report_code} er ikke slut (slutter {half_year.end:%d.%m.%Y}): "
                "versionen bliver foreløbig, og dens tal kan stadig ændre sig."
            )
        report = compile_now(period=half_year, by=by)
        if pdf:
            from rapporter.pdf import render_pdf

            pdf.write_bytes(render_pdf(report))
        document = {"version": report.version, "hash": report.sha256, **report.data}
        if json_file:
            json_file.write_text(_dumps(document), encoding="utf-8")
        providers = len(report.data["providers"])
        note = " (ingen data for halvåret)" if not providers else ""
        if report.data.get("provisional"):
            note += " (foreløbig)"
        self.stdout.write(
            f"{report.period} version {report.version}: {providers} leverandører{note}, hash {report.sha256}"
        )


def _contract_manager(username: str | None):
    if not username:
        return None
    from django.contrib.auth import get_user_model

    from leverandoer.access import Role, has_role

    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not has_role(user, Role.CONTRACT_MANAGER):
        raise CommandError(f"{username!r} er ikke en aktiv kontraktansvarlig.")
    return user


def _dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
