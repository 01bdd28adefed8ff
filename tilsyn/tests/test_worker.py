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
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from leverandoer.tests import factories as provider_factories
from tilsyn import celery_app, services
from tilsyn.models import ActionPlan, FollowUp, ReminderLog, WorkerPing
from tilsyn.tasks import send_reminders, worker_ping_answer
from tilsyn.tests import factories as supervision

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def mail_dir(tmp_path):
    return tmp_path / "mail"


@pytest.fixture
def worker(mail_dir):
    """A Celery worker process bound to the test database, consuming a queue of its own, writing
    the e-mails it sends to files in `mail_dir`."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
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


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_reminder_task_run_twice_by_a_real_worker_sends_each_reminder_once(worker, mail_dir, personas):
    manager = personas["contract_manager"]
    manager.email = "karin@tilsyn.example.dk"
    manager.save()
    provider = provider_factories.provider(contract_manager=manager)
    inspection = supervision.submitted(
        performer=personas["inspector_a"], provider=provider, findings=[("premises", "red")]
    )
    services.assessment_confirm(inspection=inspection, scenario=3, justification="", by=manager)
    FollowUp.objects.update(done_on=timezone.localdate())  # only the action plan stays due
    ActionPlan.objects.update(deadline=timezone.localdate() + timedelta(days=2))
    send_reminders.apply_async(queue=worker)
    send_reminders.apply_async(queue=worker)
    # The solo worker takes messages in order: once this ping is answered, both runs are done.
    ping = WorkerPing.objects.create()
    worker_ping_answer.apply_async(args=[ping.pk], queue=worker)
    assert wait_for(lambda: WorkerPing.objects.filter(pk=ping.pk, answered_at__isnull=False).exists())
    mails = "".join(path.read_text() for path in mail_dir.glob("*.log"))
    assert mails.count("Subject: ") == 1
    assert "To: karin@tilsyn.example.dk" in mails
    assert ReminderLog.objects.count() == 1


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
