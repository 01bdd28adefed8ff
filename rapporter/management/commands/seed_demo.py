"""Demo data for every app, and one demo user per role whose logins `make run` prints.

The demo lives around today: its three years are the two before today's and today's own (in
progress), read once from the clock (or `--today`) and passed down, so nothing is measured, due,
answered or decided after it. Every complete half-year's report is compiled by one contract manager
and approved and published by the other, as a real administration would have done; the half-year
in progress is not compiled.

The passwords are random, kept in the git-ignored file `.demo-logins.txt`, and re-applied on
every run so that the file and the database always agree. Data is only seeded into an empty
database (no providers); the users are ensured every time.
"""

from __future__ import annotations

import random
import secrets
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from kvalitet.demo import seed_tracks
from kvalitet.periods import HalfYear
from leverandoer.access import Role
from leverandoer.demo import seed_providers
from leverandoer.models import Provider
from leverandoer.services import referral_status_set
from rapporter.models import Publication, QualityReport, ReportRun
from rapporter.services import compile_now, report_approve, report_publish
from tilsyn.demo import seed_supervision, settle_case
from tilsyn.models import CaseEvent, FollowUpCase

LOGINS_FILE = Path(settings.BASE_DIR) / ".demo-logins.txt"

DEMO_USERS = [
    ("kontraktansvarlig", "Karin", "Kjær", Role.CONTRACT_MANAGER),
    ("kontraktansvarlig2", "Mads", "Holm", Role.CONTRACT_MANAGER),
    ("inspektoer-a", "Ida", "Berg", Role.INSPECTOR),
    ("inspektoer-b", "Jonas", "Lund", Role.INSPECTOR),
    ("sekretariat", "Sofie", "Dahl", Role.SECRETARIAT),
    ("sagsbehandler", "Ahmed", "Nielsen", Role.CASEWORKER),
    ("administrator", "Anne", "Winther", Role.ADMINISTRATOR),
]


def _read_logins(logins_file: Path) -> dict[str, str]:
    if not logins_file.exists():
        return {}
    logins = {}
    for line in logins_file.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            logins[parts[0]] = parts[1]
    return logins


class Command(BaseCommand):
    help = "Create demo users (one per role) and, in an empty database, realistic demo data."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2025, help="Random seed for reproducible demo data.")
        parser.add_argument("--logins-file", type=Path, default=LOGINS_FILE, help="Where the demo logins are kept.")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="The day the demo lives up to (YYYY-MM-DD); today's date when left out.",
        )

    def handle(self, *args, seed: int, logins_file: Path, today: date | None = None, **options):
        today = today or timezone.localdate()  # read once, passed down
        users = self._ensure_users(logins_file)
        if Provider.objects.exists():
            self.stdout.write("Demo data: the database already holds providers; nothing added.")
        else:
            started = time.monotonic()
            with transaction.atomic():
                self._seed(random.Random(seed), users, today)
            self.stdout.write(f"Demo data up to {today:%Y-%m-%d}, seeded in {time.monotonic() - started:.0f} s.")
        self.stdout.write(logins_file.read_text(encoding="utf-8"))

    def _ensure_users(self, logins_file: Path) -> dict:
        User = get_user_model()
        logins = _read_logins(logins_file)
        users = {}
        lines = ["# Demo logins for Tilsyn (user, password, role). Not for production.\n"]
        for username, first, last, role in DEMO_USERS:
            password = logins.get(username) or secrets.token_urlsafe(9)
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.email = f"{username}@tilsyn.example.dk"
            user.is_active = True
            user.is_staff = role == Role.ADMINISTRATOR
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            users[username] = user
            lines.append(f"{username:<20} {password:<16} {Role(role).label}\n")
        logins_file.write_text("".join(lines), encoding="utf-8")
        return users

    def _seed(self, rng: random.Random, users: dict, today: date) -> None:
        managers = [users["kontraktansvarlig"], users["kontraktansvarlig2"]]
        providers = seed_providers(
            rng=rng,
            contract_managers=managers,
            referral_setter=lambda **kwargs: referral_status_set(by=users["kontraktansvarlig"], **kwargs),
            today=today,
        )
        offers = sum(provider.offers.count() for provider in providers)
        inspections = seed_supervision(
            rng=rng,
            providers=providers,
            managers=managers,
            inspectors=[users["inspektoer-a"], users["inspektoer-b"]],
            today=today,
        )
        tracks = seed_tracks(
            rng=rng, providers=providers, managers=managers, caseworker=users["sagsbehandler"], today=today
        )
        self.stdout.write(
            f"Demo data: {len(providers)} providers, {offers} offers and {inspections} inspections created."
        )
        self.stdout.write("Track data: " + ", ".join(f"{count} {kind}" for kind, count in tracks.items()))
        reports = [self._publish(period, *managers, today=today) for period in complete_half_years(today)]
        self.stdout.write("Quality reports published: " + ", ".join(f"{r.period} v{r.version}" for r in reports))
        # Seeded out of order (supervision, then tracks, then reports), a case is dated by its first
        # escalation and named by what started it.
        for case in FollowUpCase.objects.prefetch_related("events"):
            first = min(case.events.all(), key=lambda event: event.at)
            FollowUpCase.objects.filter(pk=case.pk).update(opened_at=first.at, source=first.source)

    @staticmethod
    def _publish(period: HalfYear, compiler, approver, *, today: date) -> QualityReport:
        """Compile, approve (four eyes: not the compiler) and publish, through the services, oldest
        first, so that each half-year's proposal looks back on the previous one's decision. Then
        dated as the administration would have done it, in the weeks after the half-year ended."""
        report = compile_now(period=period, by=compiler)
        report_approve(report=report, by=approver)
        report_publish(report=report, by=approver)

        def at(days: int, hour: int) -> datetime:
            return timezone.make_aware(datetime.combine(min(period.end + timedelta(days=days), today), clock(hour)))

        ReportRun.objects.filter(pk=report.run_id).update(
            created_at=at(21, 9), started_at=at(21, 9), heartbeat_at=at(21, 9), finished_at=at(21, 9)
        )
        QualityReport.objects.filter(pk=report.pk).update(created_at=at(21, 9))
        Publication.objects.filter(report=report).update(approved_at=at(30, 10), published_at=at(30, 11))
        # What publication set in motion happened on the day it was published.
        published = CaseEvent.objects.filter(reference=period.report_code, source__in=["half_year", "survey"])
        FollowUpCase.objects.filter(events__in=published, source__in=["half_year", "survey"]).filter(
            opened_at__gt=at(30, 11)
        ).update(opened_at=at(30, 11))
        published.update(at=at(30, 11))
        # Cases older than nine months ran their course: closed, referrals open again.
        if period.end < today - timedelta(days=270):
            running = FollowUpCase.objects.exclude(status=FollowUpCase.Status.CLOSED).filter(opened_at__lte=at(60, 12))
            for case in running.select_related("provider"):
                settle_case(case=case, by=approver, on=min(period.end + timedelta(days=150), today))
        return report


def complete_half_years(today: date) -> list[HalfYear]:
    """The demo's living half-years that have ended before today, oldest first."""
    years = (today.year - 2, today.year - 1, today.year)
    return [HalfYear(year, half) for year in years for half in (1, 2) if HalfYear(year, half).end < today]
