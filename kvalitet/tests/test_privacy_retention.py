"""Personal data: complaint data past COMPLAINT_RETENTION_DAYS is deleted by a periodic task — rows and
their history — and the access log past its own retention. Run through the real Celery task (eager)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kvalitet.models import Complaint, ComplaintAccess
from kvalitet.tasks import delete_complaint_data_past_retention
from leverandoer.tests import factories
from tilsyn.celery import app

pytestmark = pytest.mark.django_db


def complaint(ref: str, *, received_days_ago: int, decided_days_ago: int | None = None) -> Complaint:
    today = timezone.localdate()
    return Complaint.objects.create(
        ref=ref,
        received_on=today - timedelta(days=received_days_ago),
        kind=Complaint.Kind.FORMALITY,
        provider=factories.provider(),
        citizen_ref=f"B-{ref}",
        subject="Manglende partshøring",
        decision=Complaint.Decision.UPHELD if decided_days_ago is not None else "",
        decided_on=today - timedelta(days=decided_days_ago) if decided_days_ago is not None else None,
    )


def test_complaints_past_retention_go_with_their_history_and_a_second_run_finds_nothing(settings, personas):
    settings.COMPLAINT_RETENTION_DAYS = 1000
    decided_long_ago = complaint("OLD-1", received_days_ago=1100, decided_days_ago=1001)
    never_decided = complaint("OLD-2", received_days_ago=1001)
    decided_lately = complaint("KEEP-1", received_days_ago=1100, decided_days_ago=999)  # counted from the decision
    received_lately = complaint("KEEP-2", received_days_ago=10)
    for case in (decided_long_ago, decided_lately):
        case.subject = "Rettet emne"
        case.save()
    # Deleted earlier by other means: its history stays until its own dates are past the limit.
    removed_old, removed_recent = complaint("GONE-1", received_days_ago=1500), complaint("GONE-2", received_days_ago=5)
    removed_old_id, removed_recent_id = removed_old.pk, removed_recent.pk
    removed_old.delete()
    removed_recent.delete()

    result = delete_complaint_data_past_retention.delay()

    assert result.get() == {"complaints": 2, "history": 3 + 2 + 2, "access_log": 0}
    assert set(Complaint.objects.values_list("ref", flat=True)) == {decided_lately.ref, received_lately.ref}
    gone_ids = {decided_long_ago.pk, never_decided.pk, removed_old_id}
    assert not Complaint.history.filter(id__in=gone_ids).exists()
    assert Complaint.history.filter(id=decided_lately.pk).count() == 2
    assert Complaint.history.filter(id=removed_recent_id).count() == 2  # created and deleted, recently
    assert not Complaint.history.filter(citizen_ref__in=["B-OLD-1", "B-OLD-2", "B-GONE-1"]).exists()

    assert delete_complaint_data_past_retention.delay().get() == {"complaints": 0, "history": 0, "access_log": 0}
    assert Complaint.objects.count() == 2


def test_the_access_log_is_kept_for_its_own_period(settings, personas):
    settings.COMPLAINT_ACCESS_LOG_RETENTION_DAYS = 183
    now = timezone.now()
    user = personas["caseworker"]
    old = ComplaintAccess.objects.create(at=now - timedelta(days=184), user=user, action="view", complaint_ref="K-1")
    recent = ComplaintAccess.objects.create(at=now - timedelta(days=182), user=user, action="view", complaint_ref="K-2")
    assert delete_complaint_data_past_retention.delay().get()["access_log"] == 1
    assert list(ComplaintAccess.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk
    assert delete_complaint_data_past_retention.delay().get()["access_log"] == 0


def test_the_task_is_scheduled_every_night():
    schedules = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    schedule = schedules["kvalitet.tasks.delete_complaint_data_past_retention"]
    assert (schedule.hour, schedule.minute) == ({3}, {30})
