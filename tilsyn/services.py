"""Writes in the supervision domain."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import WorkerPing


def worker_ping_request(*, by) -> WorkerPing:
    """Record a ping and send it to a worker once the row is committed."""
    from .tasks import worker_ping_answer

    with transaction.atomic():
        ping = WorkerPing.objects.create(requested_by=by)
        worker_ping_answer.delay_on_commit(ping.pk)
    return ping


def worker_ping_answer(*, ping_id: int, worker: str) -> bool:
    """Stamp a ping as answered; answering twice changes nothing (idempotent by state)."""
    return (
        WorkerPing.objects.filter(pk=ping_id, answered_at__isnull=True).update(
            answered_at=timezone.now(), worker=worker[:200]
        )
        == 1
    )
