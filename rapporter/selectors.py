"""Reads of reports and compile runs. Object-level access lives here: a version outside a user's
reach is not found (404), whatever its period and number."""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.http import Http404

from leverandoer.access import STAFF, Role, has_role

from .models import QualityReport, ReportRun, ScenarioOverride


def reports_visible_to(user, *, discarded: bool = False) -> QuerySet[QualityReport]:
    """Staff see every version but the discarded ones (those too with `discarded`, to read one
    shown as discarded); the committee secretariat published versions only; nobody else any.
    `provisional` says whether the version was compiled before its half-year ended, without
    loading the snapshot."""
    reports = (
        QualityReport.objects.select_related("compiled_by", "publication", "discard")
        .annotate(provisional=ExpressionWrapper(Q(data__provisional=True), output_field=BooleanField()))
        .defer("data")
    )
    if has_role(user, *STAFF):
        return reports if discarded else reports.filter(discard__isnull=True)
    if has_role(user, Role.SECRETARIAT):
        return reports.filter(publication__published_at__isnull=False)
    return reports.none()


def report_get(*, user, period: str, version: int, discarded: bool = False) -> QualityReport:
    """One version within the user's reach; a discarded one only with `discarded` (its page), so
    that nothing can be reviewed, approved, published or downloaded in it (404)."""
    try:
        return reports_visible_to(user, discarded=discarded).defer(None).get(period=period, version=version)
    except QualityReport.DoesNotExist as missing:
        raise Http404 from missing


def published_version(period_code: str) -> QualityReport | None:
    """A half-year's decision: its newest published version, or None while it is undecided.
    An unpublished version decides nothing, anywhere (issue: escalation); a discarded one is never
    published (rapporter.services.report_discard), and is excluded all the same."""
    return (
        QualityReport.objects.filter(period=period_code, publication__published_at__isnull=False, discard__isnull=True)
        .order_by("-version")
        .first()
    )


def decided_scenarios(report: QualityReport) -> dict[str, int | None]:
    """Per provider ref, the scenario a version ends with: its override, else the proposal."""
    overrides = dict(ScenarioOverride.objects.filter(report=report).values_list("provider_ref", "scenario"))
    return {
        row["provider_ref"]: overrides.get(row["provider_ref"], row.get("proposed_scenario"))
        for row in report.data["providers"]
    }


def runs_visible_to(user) -> QuerySet[ReportRun]:
    """Compile runs are the staff's working objects."""
    runs = ReportRun.objects.select_related("started_by")
    return runs if has_role(user, *STAFF) else runs.none()


def run_get(*, user, pk: int) -> ReportRun:
    try:
        return runs_visible_to(user).get(pk=pk)
    except ReportRun.DoesNotExist as missing:
        raise Http404 from missing


def home_reports(*, user) -> dict | None:
    """The start page's reports: the secretariat's newest published versions; for contract managers
    the versions waiting for approval or publication."""
    if has_role(user, Role.SECRETARIAT):
        published = reports_visible_to(user).filter(publication__published_at__isnull=False)
        return {"published": list(published.order_by("-publication__published_at")[:5])}
    if has_role(user, Role.CONTRACT_MANAGER):
        waiting = reports_visible_to(user).filter(publication__published_at__isnull=True)
        return {"waiting": list(waiting.order_by("-period", "-version")[:5])}
    return None
