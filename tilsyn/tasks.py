from __future__ import annotations

from celery import shared_task

from . import notifications, services


@shared_task(bind=True, acks_late=True)
def worker_ping_answer(self, ping_id: int) -> None:
    worker = "eager" if self.request.is_eager else (self.request.hostname or "")
    services.worker_ping_answer(ping_id=ping_id, worker=worker)


@shared_task
def inspection_assignment_notify(inspection_id: int) -> None:
    notifications.inspection_assigned(inspection_id=inspection_id)


@shared_task(autoretry_for=(services.ReminderFailures,), retry_backoff=60, max_retries=5)
def send_reminders() -> int:
    """Daily (see the beat schedule in tilsyn/celery.py). Safe to run twice: see reminders_send."""
    return services.reminders_send()
