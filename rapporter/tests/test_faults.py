"""The whole stack under faults, with real services of its own: a PostgreSQL cluster and a Redis
server started by these tests on spare ports (the shared ones stay untouched), and Celery worker
processes compiling reports on them.

- a worker compiles a report end to end on PostgreSQL;
- a worker killed (SIGKILL) mid-compile: the run's heartbeat stops, the sweeper gives the run to a
  new worker, and it ends with exactly one finished version and no run left running;
- a broker restart with runs queued loses none: the run rows are the durable record and the
  sweeper sends them again;
- a database restart during a compile: clear errors while it is down, then recovery, and no
  partial snapshot.

"Mid-compile" is made real, not mocked: the test holds an ACCESS EXCLUSIVE lock on a table the
compile reads half-way, so the worker has claimed the run and is waiting inside the compile.
Heartbeat and resend timeouts are short through the environment.
"""

from __future__ import annotations

import contextlib
import json
import os
import re

import psycopg2
import pytest
import redis

from rapporter.compile import digest
from rapporter.tests.stack import Stack, require_tools, wait_for

pytestmark = pytest.mark.services

HEARTBEAT_TIMEOUT = 2  # seconds without a heartbeat before the sweeper takes a run back

SEED = """
from datetime import date
from kvalitet.models import Complaint
from leverandoer.tests import factories
provider = factories.provider(ref="LEV-0100", name="Rød ApS")
for n in range(3):
    Complaint.objects.create(
        ref=f"K-{n}", provider=provider, kind="formality", received_on=date(2025, 1, 5),
        decision="upheld", decided_on=date(2025, 2, 1),
    )
factories.provider(ref="LEV-0200", name="Grøn A/S")
"""


def start_run(stack: Stack, period: str = "2025-H1") -> int:
    """A compile started as the web app starts it: the row, then the task once it is committed."""
    result = stack.django(
        "from kvalitet.periods import HalfYear; from rapporter.services import report_run_start; "
        f"print(report_run_start(period=HalfYear.parse({period!r})).pk)"
    )
    return int(result.stdout.strip().splitlines()[-1])


def status(stack: Stack, run_id: int) -> str:
    return stack.postgres.sql("SELECT status FROM rapporter_reportrun WHERE id = %s", (run_id,))[0][0]


def assert_whole_snapshots(stack: Stack) -> None:
    """Every stored version is complete: its hash is the hash of its content."""
    for period, version, sha256, content in stack.postgres.sql(
        "SELECT period, version, sha256, data::text FROM rapporter_qualityreport"
    ):
        assert digest(json.loads(content)) == sha256, f"{period} v{version} is not whole"


class TableLock:
    """Holds ACCESS EXCLUSIVE on a table the compile reads after it has claimed its run and sent
    its first heartbeats, so that a worker waits mid-compile until the lock goes."""

    def __init__(self, stack: Stack, table: str = "leverandoer_frameworkagreement") -> None:
        self.stack = stack
        self.connection = stack.postgres.connect()
        self.connection.autocommit = False
        with self.connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

    def someone_waits(self) -> bool:
        return (
            self.stack.postgres.sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = 'tilsyn' AND wait_event_type = 'Lock'"
            )[0][0]
            > 0
        )

    def release(self) -> None:
        # The database may have been stopped under it: then the lock went with it.
        with contextlib.suppress(psycopg2.Error):
            self.connection.rollback()
        self.connection.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    # Like every `services` test (whose gate runs only after this module-wide fixture): in CI always,
    # elsewhere when the environment names PostgreSQL; the tools themselves are checked too.
    if not os.environ.get("CI") and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("Real services needed: DATABASE_URL does not point at PostgreSQL")
    require_tools()
    stack = Stack(
        tmp_path_factory.mktemp("faults"),
        REPORT_HEARTBEAT_TIMEOUT=str(HEARTBEAT_TIMEOUT),
        REPORT_PENDING_RESEND="1",
    )
    try:
        stack.start()
        stack.django(SEED)
        yield stack
    finally:
        stack.close()


@pytest.fixture
def private(stack):
    """A clean slate of runs and versions, no workers left over, the services up."""
    yield stack
    for process, _log in stack.workers:
        if process.poll() is None:
            stack.kill(process)
    print(stack.logs())
    stack.workers.clear()
    if not stack.redis.ready():
        stack.redis.start()
    if not stack.postgres.ready():
        stack.postgres.start()
    stack.postgres.sql("TRUNCATE rapporter_qualityreport, rapporter_reportrun RESTART IDENTITY CASCADE")
    redis.Redis(port=stack.redis.port).flushall()


def test_a_worker_compiles_end_to_end_and_a_killed_worker_leaves_exactly_one_version(private):
    stack = private
    worker = stack.worker()

    # End to end: the web app's start, the broker, the worker, the snapshot in PostgreSQL.
    first = start_run(stack)
    assert wait_for(lambda: status(stack, first) == "done", 60), stack.logs()
    assert [(period, version, run) for period, version, _sha, run in stack.versions()] == [("2025-H1", 1, first)]
    content = json.loads(stack.postgres.sql("SELECT data::text FROM rapporter_qualityreport")[0][0])
    assert [row["provider_ref"] for row in content["providers"]] == ["LEV-0100"]
    assert content["providers"][0]["proposed_scenario"] == 3

    # Mid-compile: the worker has claimed the run and waits inside the compile. Kill it hard.
    lock = TableLock(stack)
    second = start_run(stack)
    assert wait_for(lambda: status(stack, second) == "running" and lock.someone_waits(), 30), stack.logs()
    stack.kill(worker)
    lock.release()
    assert status(stack, second) == "running"  # nobody is left to say otherwise

    # A new worker, and the sweeper once the heartbeat is older than the timeout.
    stack.worker()
    assert wait_for(lambda: _sweep_until_done(stack, second), 90), stack.logs()
    runs = {run_id: (state, attempts) for run_id, state, attempts, _error in stack.runs()}
    assert runs == {first: ("done", 1), second: ("done", 2)}
    assert [(version, run) for _period, version, _sha, run in stack.versions()] == [(1, first), (2, second)]
    assert_whole_snapshots(stack)


def _sweep_until_done(stack: Stack, run_id: int) -> bool:
    if status(stack, run_id) == "done":
        return True
    stack.sweep()
    return wait_for(lambda: status(stack, run_id) == "done", HEARTBEAT_TIMEOUT + 3)


def test_a_broker_restart_with_runs_queued_loses_none(private):
    stack = private
    runs = [start_run(stack, "2025-H1"), start_run(stack, "2024-H2"), start_run(stack, "2025-H1")]
    assert stack.redis.queued() == 3
    stack.redis.restart()  # Redis keeps nothing on disk: the three messages are gone
    assert stack.redis.queued() == 0
    assert [state for _id, state, _attempts, _error in stack.runs()] == ["pending"] * 3

    stack.worker()
    stack.sweep()  # the run rows are the record: pending runs are sent again
    assert wait_for(lambda: all(status(stack, run) == "done" for run in runs), 60), stack.logs()
    assert sorted((period, version) for period, version, _sha, _run in stack.versions()) == [
        ("2024-H2", 1),
        ("2025-H1", 1),
        ("2025-H1", 2),
    ]
    assert sorted(run for *_rest, run in stack.versions()) == runs

    # The worker rides out a broker restart of its own and takes the next run.
    stack.redis.restart()
    later = start_run(stack)
    assert wait_for(lambda: status(stack, later) == "done", 60), stack.logs()
    assert_whole_snapshots(stack)


def test_a_database_restart_mid_compile_gives_clear_errors_then_recovers_without_a_partial_snapshot(private):
    stack = private
    stack.worker()
    lock = TableLock(stack)
    run = start_run(stack)
    assert wait_for(lambda: status(stack, run) == "running" and lock.someone_waits(), 30), stack.logs()

    stack.postgres.stop()  # every connection is cut, the waiting compile's among them
    lock.release()
    # While it is down, starting a compile fails with a clear error and records nothing.
    refused = stack.django(
        "from kvalitet.periods import HalfYear; from rapporter.services import report_run_start; "
        "report_run_start(period=HalfYear(2025, 1))",
        check=False,
    )
    assert refused.returncode != 0
    assert "OperationalError" in refused.stderr
    assert f"port {stack.postgres.port} failed: Connection refused" in refused.stderr
    stack.postgres.start()

    # The worker said what happened, and stored nothing of the broken compile.
    failure = (
        "Task rapporter.tasks.compile_report[{}] raised unexpected: OperationalError('server closed the connection"
    )
    assert wait_for(lambda: "raised unexpected: OperationalError" in stack.logs(tail=10**6), 20), stack.logs()
    assert re.search(re.escape(failure).replace(r"\{\}", "[^]]+"), stack.logs(tail=10**6)), stack.logs()
    assert stack.versions() == []
    assert [(run_id, state) for run_id, state, _attempts, _error in stack.runs()] == [(run, "running")]

    # Recovery: the sweeper takes the silent run back and the same worker compiles it whole.
    assert wait_for(lambda: _sweep_until_done(stack, run), 90), stack.logs()
    ((_id, state, attempts, error),) = stack.runs()
    assert (state, attempts, error) == ("done", 2, "The worker stopped sending heartbeats; tried again.")
    assert [(version, run_id) for _period, version, _sha, run_id in stack.versions()] == [(1, run)]
    assert_whole_snapshots(stack)
