"""Wall-clock and query count of the list pages, the supervision plan and the start page at growing
numbers of providers.

Builds its own data in a throw-away SQLite database (or in an empty DATABASE_URL), prints a table.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tilsyn.settings")
BENCH_DB = Path(tempfile.gettempdir()) / "tilsyn-benchmark.sqlite3"
if "DATABASE_URL" not in os.environ:
    BENCH_DB.unlink(missing_ok=True)  # a fresh database every run
    os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_DB}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

from leverandoer.access import Role  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    from django.contrib.auth.models import Group, User

    from leverandoer.tests import factories

    user = User.objects.create_user("bench", password="x")
    user.groups.add(Group.objects.get(name=Role.CONTRACT_MANAGER))
    client = Client()
    client.force_login(user)
    print(f"{'providers':>10} {'page':<26} {'queries':>8} {'ms':>8}")
    created = 0
    for target in (10, 100, 1000):
        while created < target:
            factories.offer()
            created += 1
        for page in ("/leverandoerer/", "/tilbud/", "/sammenlignelige-grupper/", "/plan/", "/"):
            with override_settings(DEBUG=True):
                reset_queries()
                start = time.perf_counter()
                response = client.get(page)
                elapsed = (time.perf_counter() - start) * 1000
                queries = len(connection.queries)
            assert response.status_code == 200
            print(f"{target:>10} {page:<26} {queries:>8} {elapsed:>8.1f}")


if __name__ == "__main__":
    main()
