"""`python manage.py import_data KIND FILE`: all-or-nothing, a non-zero exit status on bad rows. Always
in this process, however many rows: the command needs no worker and waits anyway."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kvalitet.imports import KIND_NAMES, ImportFailed, run_import


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of one kind: " + ", ".join(KIND_NAMES)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KIND_NAMES)
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", help="User name recorded in the import log.")

    def handle(self, *args, kind: str, file: Path, user: str | None, **options):
        if not file.is_file():
            raise CommandError(f"Filen findes ikke: {file}")
        if file.stat().st_size > settings.IMPORT_MAX_MB * 1024 * 1024:
            raise CommandError(f"Filen er større end {settings.IMPORT_MAX_MB} MB. Del den i mindre filer.")
        by = get_user_model().objects.filter(username=user).first() if user else None
        if user and by is None:
            raise CommandError(f"Ukendt bruger: {user}")
        try:
            result = run_import(kind=kind, data=file.read_bytes(), filename=file.name, by=by)
        except ImportFailed as failed:
            for line in failed.lines:  # the first 50 errors and a count of the rest
                self.stderr.write(line)
            raise CommandError(f"Intet er importeret: {failed.total} fejl.") from failed
        self.stdout.write(f"{kind}: {result.rows} rækker, {result.added} tilføjet, {result.updated} opdateret.")
