"""Demo data for every app, and one demo user per role whose logins `make run` prints.

The passwords are random, kept in the git-ignored file `.demo-logins.txt`, and re-applied on
every run so that the file and the database always agree. Data is only seeded into an empty
database (no providers); the users are ensured every time.
"""

from __future__ import annotations

import random
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from kvalitet.demo import seed_tracks
from kvalitet.periods import HalfYear
from leverandoer.access import Role
from leverandoer.demo import seed_providers
from leverandoer.models import Provider
from leverandoer.services import referral_status_set
from rapporter.services import compile_now
from tilsyn.demo import seed_supervision

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

    def handle(self, *args, seed: int, logins_file: Path, **options):
        users = self._ensure_users(logins_file)
        if Provider.objects.exists():
            self.stdout.write("Demo data: the database already holds providers; nothing added.")
        else:
            with transaction.atomic():
                self._seed(random.Random(seed), users)
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

    def _seed(self, rng: random.Random, users: dict) -> None:
        providers = seed_providers(
            rng=rng,
            contract_managers=[users["kontraktansvarlig"], users["kontraktansvarlig2"]],
            referral_setter=lambda **kwargs: referral_status_set(by=users["kontraktansvarlig"], **kwargs),
        )
        offers = sum(provider.offers.count() for provider in providers)
        inspections = seed_supervision(
            rng=rng,
            providers=providers,
            managers=[users["kontraktansvarlig"], users["kontraktansvarlig2"]],
            inspectors=[users["inspektoer-a"], users["inspektoer-b"]],
        )
        tracks = seed_tracks(
            rng=rng,
            providers=providers,
            managers=[users["kontraktansvarlig"], users["kontraktansvarlig2"]],
            caseworker=users["sagsbehandler"],
        )
        self.stdout.write(
            f"Demo data: {len(providers)} providers, {offers} offers and {inspections} inspections created."
        )
        self.stdout.write("Track data: " + ", ".join(f"{count} {kind}" for kind, count in tracks.items()))
        reports = [
            compile_now(period=HalfYear(year, half), by=users["kontraktansvarlig"])
            for year in (2023, 2024, 2025)
            for half in (1, 2)
        ]
        self.stdout.write("Quality reports: " + ", ".join(f"{r.period} v{r.version}" for r in reports))
