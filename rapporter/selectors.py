"""Reads of reports and compile runs. Object-level access lives here: a version outside a user's
reach is not found (404), whatever its period and number."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from leverandoer.access import STAFF, Role, has_role

from .models import QualityReport, ReportRun


def reports_visible_to(user) -> QuerySet[QualityReport]:
    """Staff see every version; the committee secretariat published versions only; nobody else any."""
    reports = QualityReport.objects.select_related("compiled_by", "publication").defer("data")
    if has_role(user, *STAFF):
        return reports
    if has_role(user, Role.SECRETARIAT):
        return reports.filter(publication__published_at__isnull=False)
    return reports.none()


def report_get(*, user, period: str, version: int) -> QualityReport:
    try:
        return reports_visible_to(user).defer(None).get(period=period, version=version)
    except QualityReport.DoesNotExist as missing:
        raise Http404 from missing


def runs_visible_to(user) -> QuerySet[ReportRun]:
    """Compile runs are the staff's working objects."""
    runs = ReportRun.objects.select_related("started_by")
    return runs if has_role(user, *STAFF) else runs.none()


def run_get(*, user, pk: int) -> ReportRun:
    try:
        return runs_visible_to(user).get(pk=pk)
    except ReportRun.DoesNotExist as missing:
        raise Http404 from missing
