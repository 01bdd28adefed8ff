"""Starting, running and sweeping report compiles. Idempotent by the run row's state: a worker
claims a run with a conditional update, so a duplicate delivery does no work twice."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalitet.periods import HalfYear

from . import compile as compiler
from .models import Publication, QualityReport, ReportRun, ScenarioOverride


def report_run_start(*, period: HalfYear, by=None) -> ReportRun:
    """Record the request; the compile task is sent once the row is committed."""
    from .tasks import compile_report

    with transaction.atomic():
        run = ReportRun.objects.create(period=period.report_code, started_by=by)
        compile_report.delay_on_commit(run.pk)
    return run


def run_compile(*, run_id: int) -> QualityReport | None:
    """Compile a claimed run into a new version. Returns None when the run was not pending (another
    worker has it, or it is finished): a duplicate delivery does nothing."""
    claimed = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.PENDING).update(
        status=ReportRun.Status.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
        progress=0,
    )
    if claimed != 1:
        return None
    run = ReportRun.objects.get(pk=run_id)

    def beat(pct: int) -> None:
        ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).update(
            progress=pct, heartbeat_at=timezone.now()
        )

    try:
        period = HalfYear.parse(run.period)
        data = compiler.build(period=period, progress=beat)
        report = _store_version(period=period, data=data, run=run)
    except Exception as error:
        ReportRun.objects.filter(pk=run_id).update(
            status=ReportRun.Status.FAILED, error=repr(error)[:2000], finished_at=timezone.now()
        )
        raise
    ReportRun.objects.filter(pk=run_id).update(status=ReportRun.Status.DONE, progress=100, finished_at=timezone.now())
    return report


def compile_now(*, period: HalfYear, by=None) -> QualityReport:
    """The synchronous path (the command, and the browser without a broker): the same run row and
    the same versions as a worker makes."""
    run = ReportRun.objects.create(period=period.report_code, started_by=by)
    return run_compile(run_id=run.pk)


def _store_version(*, period: HalfYear, data: dict, run: ReportRun) -> QualityReport:
    """Snapshot and run finish together: no half a snapshot. Two compiles at once may draw the same
    version number; the unique constraint makes the loser draw again."""
    sha256 = compiler.digest(data)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                last = QualityReport.objects.filter(period=period.report_code).aggregate(v=Max("version"))["v"] or 0
                return QualityReport.objects.create(
                    period=period.report_code,
                    version=last + 1,
                    sha256=sha256,
                    data=data,
                    run=run,
                    compiled_by=run.started_by,
                )
        except IntegrityError:
            continue
    raise RuntimeError("No free version number")


def runs_sweep() -> dict[str, int]:
    """Re-send runs left pending (the broker lost them) and fail runs whose heartbeat stopped (the
    worker died): no run stays "running"."""
    from .tasks import compile_report

    now = timezone.now()
    stale = now - timedelta(seconds=settings.REPORT_HEARTBEAT_TIMEOUT)
    failed = ReportRun.objects.filter(status=ReportRun.Status.RUNNING, heartbeat_at__lt=stale).update(
        status=ReportRun.Status.FAILED, error="The worker stopped sending heartbeats.", finished_at=now
    )
    waiting = list(
        ReportRun.objects.filter(
            status=ReportRun.Status.PENDING, created_at__lt=now - timedelta(seconds=settings.REPORT_PENDING_RESEND)
        ).values_list("pk", flat=True)
    )
    for run_id in waiting:
        compile_report.delay(run_id)
    return {"failed": failed, "resent": len(waiting)}


# --- Review, four-eyes approval and publication ----------------------------------------------


def _proposal_of(report: QualityReport, provider_ref: str) -> int | None:
    for row in report.data["providers"]:
        if row["provider_ref"] == provider_ref:
            return row["proposed_scenario"]
    raise ValidationError(_("The provider is not in this version of the report."))


def _unpublished(report: QualityReport) -> None:
    if Publication.objects.filter(report=report, published_at__isnull=False).exists():
        raise ValidationError(_("The version is published; its scenarios can no longer change."))


@transaction.atomic
def scenario_decide(*, report: QualityReport, provider_ref: str, scenario: int, justification: str, by):
    """Confirm the proposed scenario (no override kept) or choose another with a justification."""
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    _unpublished(report)
    proposed = _proposal_of(report, provider_ref)
    justification = justification.strip()
    existing = ScenarioOverride.objects.filter(report=report, provider_ref=provider_ref).first()
    if scenario == proposed:
        if existing:
            existing.delete()
        return None
    if not justification:
        raise ValidationError({"justification": _("Explain why you choose another scenario than the proposed one.")})
    override = existing or ScenarioOverride(report=report, provider_ref=provider_ref)
    override.scenario, override.justification, override.changed_by = scenario, justification, by
    override.save()
    # A changed decision needs a fresh approval by someone else.
    Publication.objects.filter(report=report, published_at__isnull=True).delete()
    return override


@transaction.atomic
def report_approve(*, report: QualityReport, by) -> Publication:
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    if Publication.objects.filter(report=report).exists():
        raise ValidationError(_("The version is already approved."))
    last_override = ScenarioOverride.objects.filter(report=report).order_by("-changed_at").first()
    if report.compiled_by_id == by.pk or (last_override and last_override.changed_by_id == by.pk):
        raise ValidationError(
            _("Another contract manager must approve: you compiled this version or last changed a scenario in it.")
        )
    return Publication.objects.create(report=report, approved_by=by)


@transaction.atomic
def report_publish(*, report: QualityReport, by) -> Publication:
    publication = Publication.objects.select_for_update().filter(report=report).first()
    if publication is None:
        raise ValidationError(_("Only an approved version can be published."))
    if publication.published_at:
        raise ValidationError(_("The version is already published."))
    publication.published_by, publication.published_at = by, timezone.now()
    publication.save()
    return publication


def effective_rows(report: QualityReport) -> list[dict]:
    """The snapshot's provider rows with each override applied (the snapshot itself is untouched)."""
    overrides = {o.provider_ref: o for o in report.overrides.select_related("changed_by")}
    rows = []
    for row in report.data["providers"]:
        override = overrides.get(row["provider_ref"])
        rows.append(
            {
                **row,
                "scenario": override.scenario if override else row["proposed_scenario"],
                "override": override,
            }
        )
    return rows
