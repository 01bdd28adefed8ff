"""A task through a real Celery worker process on the real broker and PostgreSQL.

The worker is started by the test on its own queue, so that a developer's running worker
(`make run`) on the same Redis cannot take the message.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from tilsyn import celery_app
from tilsyn.models import WorkerPing
from tilsyn.tasks import worker_ping_answer

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    """A Celery worker process bound to the test database, consuming a queue of its own."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tilsyn", "worker", "--pool=solo", "-Q", queue, "--loglevel=INFO"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output)


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_runs_in_a_real_worker_process(worker):
    ping = WorkerPing.objects.create()
    worker_ping_answer.apply_async(args=[ping.pk], queue=worker)
    assert wait_for(lambda: WorkerPing.objects.filter(pk=ping.pk, answered_at__isnull=False).exists())
    ping.refresh_from_db()
    assert ping.worker.startswith("celery@")
    assert ping.worker != "eager"


def test_the_system_page_pings_in_process_in_the_embedded_mode(
    client, administrator, monkeypatch, django_capture_on_commit_callbacks
):
    """Without a broker tasks run in-process, once the row that records the work is committed."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("worker_ping"))
    assert response.status_code == 302
    assert len(callbacks) == 1
    ping = WorkerPing.objects.get()
    assert (ping.requested_by, ping.worker) == (administrator, "eager")
    assert ping.answered_at is not None
    page = client.get(reverse("system_status")).content.decode()
    assert "eager" in page


def test_answering_a_ping_twice_changes_nothing(db):
    from tilsyn.services import worker_ping_answer as answer

    ping = WorkerPing.objects.create()
    assert answer(ping_id=ping.pk, worker="celery@a") is True
    assert answer(ping_id=ping.pk, worker="celery@b") is False
    ping.refresh_from_db()
    assert ping.worker == "celery@a"
