"""The Celery application. Tasks are thin wrappers that load rows by primary key and call a
service; the database, not the broker, is the durable record of every piece of work."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tilsyn.settings")

app = Celery("tilsyn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Periodic schedules are declared here, in one place, and run under `celery beat`.
app.conf.beat_schedule = {
    "reminders-every-morning": {"task": "tilsyn.tasks.send_reminders", "schedule": crontab(hour=7, minute=0)},
    "sweep-report-runs": {"task": "rapporter.tasks.sweep_report_runs", "schedule": crontab(minute="*/5")},
    "sweep-import-runs": {"task": "kvalitet.tasks.sweep_import_runs", "schedule": crontab(minute="*/5")},
    "draft-report-each-half-year": {
        "task": "rapporter.tasks.compile_draft_for_last_half_year",
        "schedule": crontab(hour=2, minute=0, day_of_month=1, month_of_year="1,7"),
    },
    "delete-complaint-data-past-retention": {
        "task": "kvalitet.tasks.delete_complaint_data_past_retention",
        "schedule": crontab(hour=3, minute=30),
    },
}
