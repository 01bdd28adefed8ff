"""A private stack for the fault tests: a PostgreSQL cluster and a Redis server of their own, on
spare ports, and Celery worker processes bound to them. The shared services (5432, 6379) stay
untouched, so that the tests may stop, restart and kill what they started.

As root the cluster is made with Debian's `pg_createcluster` (initdb refuses to run as root) and
dropped again at the end; otherwise with `initdb` and `pg_ctl` in a temporary folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg2
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout: float = 60.0, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, f"{' '.join(map(str, command))}: {result.stdout}{result.stderr}"
    return result


def pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def missing_tools() -> list[str]:
    problems = []
    if not shutil.which("redis-server"):
        problems.append("redis-server is missing (apt-get install redis-server)")
    if pg_bin() is None:
        problems.append("the PostgreSQL server is missing (apt-get install postgresql)")
    elif os.geteuid() == 0 and not shutil.which("pg_createcluster"):
        problems.append("pg_createcluster is missing (apt-get install postgresql-common)")
    return problems


def require_tools() -> None:
    if problems := missing_tools():
        message = "The fault tests need: " + "; ".join(problems)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class Postgres:
    def __init__(self, workdir: Path) -> None:
        self.port = spare_port()
        self.bin = pg_bin()
        self.version = self.bin.parts[4]
        self.as_root = os.geteuid() == 0
        self.name = f"tilsyn-faults-{self.port}"
        self.datadir = workdir / "pgdata"
        self.log = workdir / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/tilsyn"

    def create(self) -> None:
        if self.as_root:
            run(
                [
                    "pg_createcluster", self.version, self.name, "--port", str(self.port),
                    "-o", "fsync=off", "-o", "synchronous_commit=off", "-o", "full_page_writes=off",
                    "--", "--auth=trust", "--username=postgres",
                ],
            )  # fmt: skip
        else:
            run(
                [self.bin / "initdb", "-D", self.datadir, "--auth=trust", "--username=postgres"],
            )  # fmt: skip
        self.start()
        self.sql("CREATE DATABASE tilsyn", dbname="postgres")

    def start(self) -> None:
        if self.as_root:
            run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "start"],
            )  # fmt: skip
        else:
            options = f"-p {self.port} -k {self.datadir} -c listen_addresses=127.0.0.1 -c fsync=off"
            run(
                [self.bin / "pg_ctl", "-D", self.datadir, "-o", options, "-l", self.log, "-w", "start"],
            )  # fmt: skip
        assert wait_for(self.ready, 30), "the private PostgreSQL did not start"

    def stop(self) -> None:
        if self.as_root:
            command = ["pg_ctlcluster", "--skip-systemctl-redirect", self.version, self.name, "stop", "-m", "fast"]
        else:
            command = [self.bin / "pg_ctl", "-D", self.datadir, "-m", "fast", "-w", "stop"]
        subprocess.run(command, check=False, capture_output=True)

    def drop(self) -> None:
        self.stop()
        if self.as_root:
            run(["pg_dropcluster", "--stop", self.version, self.name])

    @staticmethod
    def drop_leftovers() -> None:
        """Clusters of an earlier run that was killed before it could drop its own (those still
        online may belong to a run going on beside this one, and stay)."""
        if os.geteuid() != 0 or not shutil.which("pg_lsclusters"):
            return
        for line in subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.splitlines():
            version, name, _port, state, *_rest = line.split()
            if name.startswith("tilsyn-faults-") and state == "down":
                subprocess.run(["pg_dropcluster", version, name], capture_output=True)

    def ready(self) -> bool:
        try:
            self.sql("SELECT 1", dbname="postgres")
        except psycopg2.OperationalError:
            return False
        return True

    def connect(self, dbname: str = "tilsyn"):
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=dbname)
        connection.autocommit = True
        return connection

    def sql(self, query: str, params=(), dbname: str = "tilsyn") -> list[tuple]:
        connection = self.connect(dbname)
        try:
            with connection.cursor() as cursor:
                cursor.execute(query, params)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()


class Redis:
    def __init__(self, workdir: Path) -> None:
        self.port = spare_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # Like the shared one: nothing kept on disk, so a restart loses every queued message.
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.ready, 20), "the private Redis did not start"

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def restart(self) -> None:
        self.stop()
        self.start()

    def ready(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return False

    def queued(self, queue: str = "celery") -> int:
        import redis

        return redis.Redis(port=self.port).llen(queue)


class Stack:
    """The private PostgreSQL and Redis, and Django/Celery processes pointed at them."""

    def __init__(self, workdir: Path, **settings: str) -> None:
        self.workdir = workdir
        self.postgres = Postgres(workdir)
        self.redis = Redis(workdir)
        self.workers: list[tuple[subprocess.Popen, Path]] = []
        self.env = {
            **os.environ,
            "DATABASE_URL": self.postgres.url,
            "CELERY_BROKER_URL": self.redis.url,
            "DJANGO_SETTINGS_MODULE": "tilsyn.settings",
            **settings,
        }
        self.env.pop("CI", None)

    def start(self) -> None:
        Postgres.drop_leftovers()
        self.postgres.create()
        self.redis.start()
        self.manage("migrate", "--noinput", "-v0")

    def close(self) -> None:
        for process, _log in self.workers:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        self.redis.stop()
        self.postgres.drop()

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            check=check,
        )

    def django(self, code: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run Python in a Django process bound to the private stack (as the web app would)."""
        result = self.manage("shell", "-c", code, check=False)
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def worker(self) -> subprocess.Popen:
        log = self.workdir / f"worker-{uuid.uuid4().hex[:6]}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tilsyn", "worker", "--pool=solo", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{log.stem}@%h"],
            cwd=BASE_DIR, env=self.env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        self.workers.append((process, log))
        assert wait_for(lambda: "ready." in log.read_text(), 60), log.read_text()
        return process

    @staticmethod
    def kill(process: subprocess.Popen) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def sweep(self) -> None:
        """The sweeper task, sent through the private broker to a worker, as beat would send it."""
        self.django("from rapporter.tasks import sweep_report_runs; sweep_report_runs.delay()")

    def logs(self, tail: int = 4000) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-tail:]}" for _process, log in self.workers)

    def runs(self) -> list[tuple]:
        return self.postgres.sql("SELECT id, status, attempts, error FROM rapporter_reportrun ORDER BY id")

    def versions(self) -> list[tuple]:
        return self.postgres.sql(
            "SELECT period, version, sha256, run_id FROM rapporter_qualityreport ORDER BY period, version"
        )
