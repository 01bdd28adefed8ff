"""Personal data in complaints: the log of who read them, and deletion once they are kept no longer.

Complaints are the one place a citizen's own case is recorded (by pseudonymous reference). Every
page that shows complaint data writes a row to the access log, so an administrator can answer
"who has looked at this citizen's complaints?". Complaints are kept COMPLAINT_RETENTION_DAYS after
their decision (or after receipt when never decided); then the rows and their history go. The
access log has its own, shorter retention, counted from each read.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Complaint, ComplaintAccess


def complaint_reads_log(*, user, action: str, complaints: Iterable[Complaint]) -> int:
    """Record that `user` read these complaints: one row per complaint shown, so that a search by
    citizen reference finds every list and page the citizen's complaint appeared on."""
    now = timezone.now()
    rows = [
        ComplaintAccess(
            at=now, user=user, action=action, complaint_ref=complaint.ref, citizen_ref=complaint.citizen_ref
        )
        for complaint in complaints
    ]
    ComplaintAccess.objects.bulk_create(rows)
    return len(rows)


def complaint_retention_cutoff(*, today: date | None = None) -> date:
    """Complaints whose decision (or receipt, when undecided) lies before this date are deleted."""
    return (today or timezone.localdate()) - timedelta(days=settings.COMPLAINT_RETENTION_DAYS)


@transaction.atomic
def complaints_past_retention_delete(*, today: date | None = None) -> dict[str, int]:
    """Delete complaints kept longer than COMPLAINT_RETENTION_DAYS, with every history row of them,
    including history rows of complaints deleted earlier by other means once their last recorded
    date is past the limit. Complaints have no files; an action plan a complaint led to is the
    provider's and stays. Running it twice deletes nothing the second time."""
    cutoff = complaint_retention_cutoff(today=today)
    expired = Complaint.objects.annotate(kept_from=Coalesce("decided_on", "received_on")).filter(kept_from__lt=cutoff)
    ids = set(expired.values_list("pk", flat=True))
    _total, per_model = Complaint.objects.filter(pk__in=ids).delete()
    # History rows of complaints that no longer exist (deleted just now, by an administrator, or
    # before this task ran), once the newest date they record is past the limit.
    gone = (
        Complaint.history.exclude(id__in=Complaint.objects.values("pk"))
        .values("id")
        .annotate(last=Max(Coalesce("decided_on", "received_on")))
        .filter(last__lt=cutoff)
        .values_list("id", flat=True)
    )
    history_deleted, _per_model = Complaint.history.filter(id__in=set(gone) | ids).delete()
    return {"complaints": per_model.get(Complaint._meta.label, 0), "history": history_deleted}


def access_log_past_retention_delete(*, now: datetime | None = None) -> int:
    """Delete access-log rows older than COMPLAINT_ACCESS_LOG_RETENTION_DAYS."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.COMPLAINT_ACCESS_LOG_RETENTION_DAYS)
    deleted, _per_model = ComplaintAccess.objects.filter(at__lt=cutoff).delete()
    return deleted
