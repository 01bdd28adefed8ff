from __future__ import annotations

from celery import shared_task

from . import privacy


@shared_task(acks_late=True)
def delete_complaint_data_past_retention() -> dict[str, int]:
    """Nightly (see the beat schedule in tilsyn/celery.py): complaints and their history past
    COMPLAINT_RETENTION_DAYS, and access-log rows past COMPLAINT_ACCESS_LOG_RETENTION_DAYS. Safe to
    run twice or to be delivered twice: it deletes by date, so a second run finds nothing."""
    counts = privacy.complaints_past_retention_delete()
    counts["access_log"] = privacy.access_log_past_retention_delete()
    return counts


@shared_task(acks_late=True)
def import_run(run_id: int) -> None:
    """Idempotent by the run row: a second delivery of the same run finds it claimed and stops."""
    from .imports import import_run_execute

    import_run_execute(run_id=run_id)


@shared_task
def sweep_import_runs() -> dict[str, int]:
    from .imports import import_runs_sweep

    return import_runs_sweep()
