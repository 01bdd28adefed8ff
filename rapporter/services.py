"""Starting, running and sweeping report compiles. Idempotent by the run row's state: a worker
claims a run with a conditional update, so a duplicate delivery does no work twice."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, InterfaceError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kvalitet.periods import HalfYear
from leverandoer.models import Provider, stricter_referral
from tilsyn import services as supervision
from tilsyn.models import FollowUpCase, Measure

from . import compile as compiler
from .models import Discard, Publication, QualityReport, ReportRun, ScenarioOverride

logger = logging.getLogger(__name__)


def report_run_start(*, period: HalfYear, by=None) -> ReportRun:
    """Record the request; the compile task is sent once the row is committed."""
    from .tasks import compile_report

    with transaction.atomic():
        run = ReportRun.objects.create(period=period.report_code, started_by=by)
        compile_report.delay_on_commit(run.pk)
    return run


def run_compile(*, run_id: int) -> QualityReport | None:
    """Compile a claimed run into a new version. Returns None when the run was not pending (another
    worker has it, or it is finished): a duplicate delivery does nothing.

    The claim is the attempt number: a worker that lost its claim (the sweeper gave the run to
    another after its heartbeat stopped) neither beats, nor stores a version, nor marks the run."""
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
    mine = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING, attempts=run.attempts)

    def beat(pct: int) -> None:
        mine.update(progress=pct, heartbeat_at=timezone.now())

    try:
        period = HalfYear.parse(run.period)
        data = {**compiler.build(period=period, progress=beat), "provisional": is_provisional(period)}
        return _store_version(period=period, data=data, run=run, claim=mine)
    except Exception as error:
        # When the database is gone too, the run stays silent and the sweeper takes it back.
        with contextlib.suppress(DatabaseError, InterfaceError):
            mine.update(status=ReportRun.Status.FAILED, error=repr(error)[:2000], finished_at=timezone.now())
        raise


def is_provisional(period: HalfYear) -> bool:
    """A half-year whose last day is today or later has not ended: its data are incomplete, so a
    version compiled of it is provisional ("foreløbig"). Stored in the snapshot (key `provisional`),
    as it was when compiled; versions compiled before the key existed read as not provisional."""
    return period.end >= timezone.localdate()


def compile_now(*, period: HalfYear, by=None) -> QualityReport:
    """The synchronous path (the command, and the browser without a broker): the same run row and
    the same versions as a worker makes."""
    run = ReportRun.objects.create(period=period.report_code, started_by=by)
    return run_compile(run_id=run.pk)


def _store_version(*, period: HalfYear, data: dict, run: ReportRun, claim) -> QualityReport | None:
    """Snapshot and run finish together, in one transaction: no half a snapshot, and no version
    without its run marked done. Two compiles at once may draw the same version number; the unique
    constraint makes the loser draw again. A worker that lost its claim stores nothing."""
    sha256 = compiler.digest(data)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if not claim.select_for_update().exists():
                    return None
                last = QualityReport.objects.filter(period=period.report_code).aggregate(v=Max("version"))["v"] or 0
                report = QualityReport.objects.create(
                    period=period.report_code,
                    version=last + 1,
                    sha256=sha256,
                    data=data,
                    run=run,
                    compiled_by=run.started_by,
                )
                claim.update(status=ReportRun.Status.DONE, progress=100, finished_at=timezone.now())
                return report
        except IntegrityError:
            continue
    raise RuntimeError("No free version number")


# A run whose worker died is tried again this many times in all, then failed.
MAX_ATTEMPTS = 3


def runs_sweep() -> dict[str, int]:
    """Re-send runs left pending (the broker lost them), and runs whose heartbeat stopped (the
    worker died) until they have had MAX_ATTEMPTS tries, then fail them: no run stays "running"."""
    from .tasks import compile_report

    now = timezone.now()
    stale = now - timedelta(seconds=settings.REPORT_HEARTBEAT_TIMEOUT)
    silent = ReportRun.objects.filter(status=ReportRun.Status.RUNNING, heartbeat_at__lt=stale)
    failed = silent.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=ReportRun.Status.FAILED, error="The worker stopped sending heartbeats.", finished_at=now
    )
    retried = silent.update(
        status=ReportRun.Status.PENDING, error="The worker stopped sending heartbeats; tried again."
    )
    waiting = list(
        ReportRun.objects.filter(
            Q(created_at__lt=now - timedelta(seconds=settings.REPORT_PENDING_RESEND)) | Q(attempts__gt=0),
            status=ReportRun.Status.PENDING,
        ).values_list("pk", flat=True)
    )
    for run_id in waiting:
        compile_report.delay(run_id)
    return {"failed": failed, "retried": retried, "resent": len(waiting)}


# --- Review, four-eyes approval and publication ----------------------------------------------


def _proposal_of(report: QualityReport, provider_ref: str) -> int | None:
    for row in report.data["providers"]:
        if row["provider_ref"] == provider_ref:
            return row["proposed_scenario"]
    raise ValidationError(_("The provider is not in this version of the report."))


def _unpublished(report: QualityReport) -> None:
    if Publication.objects.filter(report=report, published_at__isnull=False).exists():
        raise ValidationError(_("The version is published; its scenarios can no longer change."))


def _not_discarded(report: QualityReport) -> None:
    if Discard.objects.filter(report=report).exists():
        raise ValidationError(_("The version is discarded: it can no longer be approved, changed or published."))


@transaction.atomic
def scenario_decide(*, report: QualityReport, provider_ref: str, scenario: int, justification: str, by):
    """Confirm the proposed scenario (no override kept) or choose another with a justification."""
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    _not_discarded(report)
    _unpublished(report)
    proposed = _proposal_of(report, provider_ref)
    justification = justification.strip()
    existing = ScenarioOverride.objects.filter(report=report, provider_ref=provider_ref).first()
    if scenario == proposed:
        if existing:
            existing._history_user = by  # the history says who took the override back
            existing.delete()
            _withdraw_approval(report)
        return None
    if not justification:
        raise ValidationError({"justification": _("Explain why you choose another scenario than the proposed one.")})
    override = existing or ScenarioOverride(report=report, provider_ref=provider_ref)
    override.scenario, override.justification, override.changed_by = scenario, justification, by
    override._history_user = by
    override.save()
    _withdraw_approval(report)
    return override


def _withdraw_approval(report: QualityReport) -> None:
    """A changed decision needs a fresh approval by someone else."""
    Publication.objects.filter(report=report, published_at__isnull=True).delete()


def approval_barred(report: QualityReport) -> set[int]:
    """The users who may not approve the version: who compiled it and who last changed a scenario."""
    return {pk for pk in (report.compiled_by_id, _last_override_author_id(report)) if pk is not None}


def _last_override_author_id(report: QualityReport) -> int | None:
    """Who last set, changed or took back an override in the version (from the override history,
    which keeps deletions too)."""
    last = ScenarioOverride.history.filter(report_id=report.pk).order_by("-history_date", "-history_id").first()
    return last.history_user_id if last else None


@transaction.atomic
def report_approve(*, report: QualityReport, by) -> Publication:
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    _not_discarded(report)
    if Publication.objects.filter(report=report).exists():
        raise ValidationError(_("The version is already approved."))
    if by.pk in approval_barred(report):
        raise ValidationError(
            _("Another contract manager must approve: you compiled this version or last changed a scenario in it.")
        )
    return Publication.objects.create(report=report, approved_by=by)


@transaction.atomic
def report_publish(*, report: QualityReport, by, provisional_confirmed: bool = False) -> Publication:
    """A provisional version (compiled before its half-year ended) goes to the committee only when
    the publisher confirms it once more: its figures may still change."""
    publication = Publication.objects.select_for_update().filter(report=report).first()
    _not_discarded(report)
    if publication is None:
        raise ValidationError(_("Only an approved version can be published."))
    if publication.published_at:
        raise ValidationError(_("The version is already published."))
    if report.data.get("provisional") and not provisional_confirmed:
        raise ValidationError(
            _(
                "The version is provisional: its half-year had not ended when it was compiled. Tick the box to "
                "confirm that the committee gets a provisional version, or compile again once the half-year has ended."
            )
        )
    publication.published_by, publication.published_at = by, timezone.now()
    # A half-year is decided when published: its escalations take effect in the same transaction,
    # before the PDF is rendered, and what they set in motion is frozen beside the snapshot.
    publication.effects = _escalate_published(report, by=by)
    publication.save()
    transaction.on_commit(lambda: _store_pdf_later(publication.pk))
    return publication


def _escalate_published(report: QualityReport, *, by) -> dict:
    """Each provider decided 2–4 in the version opens its follow-up case or raises the open one,
    with the scenario's measures (scenario 4 stops referrals to an external provider or Anden Aktør
    at once); a red survey colour opens or joins the case with a dialogue (Table 1: red, the
    administration always contacts the provider). Returns, per provider ref, the case, the referral
    status after it and the changes in words."""
    period = report.period

    def red_survey(row: dict) -> bool:
        return row["tracks"].get("user_surveys", {}).get("colour") == "red"

    rows = [
        row
        for row in effective_rows(report, with_effects=False)
        if row["scenario"] in supervision.ESCALATING or red_survey(row)
    ]
    providers = Provider.objects.in_bulk([row["provider_ref"] for row in rows], field_name="ref")
    effects = {}
    for row in rows:
        provider = providers.get(row["provider_ref"])
        if provider is None:
            continue
        changes = []
        if row["scenario"] in supervision.ESCALATING:
            decision = supervision.case_decide(
                provider=provider,
                source=FollowUpCase.Source.HALF_YEAR,
                reference=period,
                scenario=row["scenario"],
                by=by,
                plan_reason=_("Scenario %(scenario)s decided in the quality report %(period)s.")
                % {"scenario": row["scenario"], "period": period},
            )
            changes += decision.messages()
        if red_survey(row):
            decision = supervision.case_decide(
                provider=provider,
                source=FollowUpCase.Source.SURVEY,
                reference=period,
                scenario=None,
                by=by,
                extra_measures=(Measure.Kind.DIALOGUE_MEETING,),
            )
            changes += decision.messages()
        provider.refresh_from_db(fields=["referral_status"])
        effects[row["provider_ref"]] = {
            "case": {"ref": decision.case.ref, "scenario": decision.case.scenario},
            "referral_status": provider.referral_status,
            "changes": changes,
        }
    return effects


@transaction.atomic
def report_discard(*, report: QualityReport, reason: str, by) -> Discard:
    """Set an unapproved version aside, recorded beside the immutable row: it is no longer listed,
    never counts as "previous", and can no longer be approved, changed or published. The reason is
    required: a discarded version stays readable to the staff, and the record says why."""
    report = QualityReport.objects.select_for_update().get(pk=report.pk)
    if Discard.objects.filter(report=report).exists():
        raise ValidationError(_("The version is already discarded."))
    if Publication.objects.filter(report=report).exists():
        raise ValidationError(_("An approved or published version cannot be discarded."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write why the version is discarded.")})
    return Discard.objects.create(report=report, reason=reason, discarded_by=by)


def _store_pdf_later(publication_id: int) -> None:
    """The worker renders the published PDF; if the broker is away, the first download does."""
    from .tasks import store_published_pdf

    try:
        store_published_pdf.delay(publication_id)
    except Exception:
        logger.warning("Could not queue the PDF of publication %s; the first download renders it.", publication_id)


def effective_rows(report: QualityReport, *, with_effects: bool = True) -> list[dict]:
    """The snapshot's provider rows with each override applied (the snapshot itself is untouched),
    and, once published, what publication set in motion: the case and the referral status after
    it, frozen on the publication. Versions compiled before the keys existed read as open, no case."""
    overrides = {o.provider_ref: o for o in report.overrides.select_related("changed_by")}
    effects = {}
    if with_effects:
        effects = Publication.objects.filter(report=report).values_list("effects", flat=True).first() or {}
    rows = []
    for row in report.data["providers"]:
        override = overrides.get(row["provider_ref"])
        effect = effects.get(row["provider_ref"], {})
        status = effect.get("referral_status", row.get("referral_status", "open"))
        rows.append(
            {
                **row,
                "scenario": override.scenario if override else row["proposed_scenario"],
                "override": override,
                "case": effect.get("case", row.get("case")),
                "referral_status": status,
                # An offer is never more open than its provider: a stop at publication covers them all.
                "offers": [
                    {**offer, "referral_status": stricter_referral(offer.get("referral_status", "open"), status)}
                    for offer in row.get("offers", [])
                ],
            }
        )
    return rows
