"""Writes in the supervision domain: planning, findings, assessment, measures and follow-up."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leverandoer.access import Role, has_role
from leverandoer.models import Provider, ReferralStatus
from leverandoer.services import referral_status_set, save_with_ref

from . import notifications, planning, selectors
from .models import (
    ActionPlan,
    Assessment,
    CalendarFeed,
    ControlArea,
    Finding,
    FollowUp,
    Inspection,
    Measure,
    ReminderLog,
    ScenarioPolicy,
    WorkerPing,
)


def _notify_if_newly_assigned(inspection: Inspection, previous_performer_id: int | None) -> None:
    from .tasks import inspection_assignment_notify

    if (
        inspection.performer_id
        and inspection.performer_id != previous_performer_id
        and has_role(inspection.performer, Role.INSPECTOR)
    ):
        inspection_assignment_notify.delay_on_commit(inspection.pk)


@transaction.atomic
def inspection_save(*, inspection: Inspection | None, data: dict[str, Any], offers, by) -> Inspection:
    """Plan an inspection (inspection None) or change a plan; tells a newly assigned inspector."""
    _check_offers(data["provider"], offers)
    if inspection is None:
        previous_performer_id = None
        prefix = f"INS-{data['planned_on']:%Y}-"
        inspection = save_with_ref(
            instance=None, model=Inspection, data={**data, "created_by": by}, prefix=prefix, width=4
        )
    else:
        # Compare with the stored row: a bound ModelForm has already copied its input onto `inspection`.
        stored = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if stored.is_locked:
            raise ValidationError(_("The inspection has been submitted and can no longer be changed."))
        has_results = stored.findings.exists() or bool(stored.report_file)
        if has_results and data["provider"].pk != stored.provider_id:
            raise ValidationError(
                {"provider": _("Findings or a report are recorded for this provider; the provider cannot change.")}
            )
        if stored.performed_on and data["planned_on"] > stored.performed_on:
            raise ValidationError(
                {"planned_on": _("The planned date cannot be after the date the inspection was performed.")}
            )
        previous_performer_id = stored.performer_id
        inspection = save_with_ref(instance=stored, model=Inspection, data=data, prefix="", width=4)
    inspection.offers.set(offers)
    _notify_if_newly_assigned(inspection, previous_performer_id)
    return inspection


def _replace_file(field, upload, name: str) -> None:
    """Store a validated upload under a generated name, after every check has passed; the file it
    replaces is removed once the change is committed."""
    old_name, storage = field.name, field.storage
    field.save(name, upload, save=False)
    if old_name:
        transaction.on_commit(lambda: storage.delete(old_name))


def _check_offers(provider, offers) -> None:
    foreign = [offer for offer in offers if offer.provider_id != provider.pk]
    if foreign:
        raise ValidationError(
            {"offers": _("These offers belong to another provider: %s") % ", ".join(o.name for o in foreign)}
        )


@transaction.atomic
def inspection_record(
    *,
    inspection: Inspection,
    performed_on: date | None,
    findings: list[dict[str, Any]],
    report=None,
    submit: bool,
    by,
) -> Inspection:
    """Record what an inspection found, and submit it when asked.

    `findings` holds one dict per checked control area (`area`, `rating`, `remark`,
    `gross_violation`); areas not in it were not checked. Submitting needs the performed date and
    at least one finding, and an external inspector's visit report; afterwards nothing changes.
    """
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.is_locked:
        raise ValidationError(_("The inspection has been submitted and can no longer be changed."))
    if performed_on and performed_on > timezone.localdate():
        raise ValidationError({"performed_on": _("The performed date cannot be in the future.")})
    if performed_on and performed_on < inspection.planned_on - timedelta(days=366):
        raise ValidationError(
            {"performed_on": _("The performed date is more than a year before the planned date; check the year.")}
        )
    if submit:
        errors = {}
        if not performed_on:
            errors["performed_on"] = _("Give the date the inspection was performed.")
        if not findings:
            errors["__all__"] = _("Record at least one finding before submitting.")
        if has_role(by, Role.INSPECTOR) and not (inspection.report_file or report):
            errors["report"] = _("Upload the visit report as a PDF before submitting.")
        if errors:
            raise ValidationError(errors)
    if report is not None:
        _replace_file(inspection.report_file, report, "report.pdf")
        inspection.report_filename = report.display_name

    areas = {area.code: area for area in ControlArea.objects.filter(code__in=[f["area"] for f in findings])}
    for gone in inspection.findings.exclude(control_area__code__in=list(areas)):
        gone.delete()  # one by one, so that the history keeps each deletion
    existing = {row.control_area_id: row for row in inspection.findings.all()}
    for finding in findings:
        area = areas[finding["area"]]
        row = existing.get(area.pk) or Finding(inspection=inspection, control_area=area)
        values = (finding["rating"], finding.get("remark", ""), bool(finding.get("gross_violation")))
        if row.pk and (row.rating, row.remark, row.gross_violation) == values:
            continue  # unchanged: no new history entry
        row.rating, row.remark, row.gross_violation = values
        row.full_clean()
        row.save()

    inspection.performed_on = performed_on
    if submit:
        inspection.status = Inspection.Status.SUBMITTED
        inspection.submitted_at = timezone.now()
        inspection.submitted_by = by
    elif performed_on:
        inspection.status = Inspection.Status.PERFORMED
    inspection.save()
    return inspection


@transaction.atomic
def assessment_confirm(
    *, inspection: Inspection, scenario: int, justification: str, by, decided_on: date | None = None
) -> Assessment:
    """Confirm the proposed scenario, or choose another with a written justification.

    Creates the scenario's measures and follow-up items and, where the policy says so, demands an
    action plan with its deadline, counted from `decided_on` (today unless recording an earlier
    decision). Both the proposal and the decision are kept.
    """
    today = timezone.localdate()
    decided_on = decided_on or today
    decided_at = timezone.now() if decided_on == today else timezone.make_aware(datetime.combine(decided_on, time(12)))
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != Inspection.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted inspection that has not been assessed can be assessed."))
    proposal = selectors.proposal_for(inspection=inspection)
    justification = justification.strip()
    if scenario != proposal.scenario and not justification:
        raise ValidationError({"justification": _("Explain why you choose another scenario than the proposed one.")})
    assessment = Assessment.objects.create(
        inspection=inspection,
        proposed_scenario=proposal.scenario,
        proposal_rule=proposal.rule,
        proposal_explanation=selectors.explain(proposal),
        scenario=scenario,
        justification=justification,
        confirmed_by=by,
        confirmed_at=decided_at,
    )
    policy = ScenarioPolicy.objects.get(scenario=scenario)
    due = decided_on + timedelta(days=policy.action_plan_days) if policy.action_plan_days else None
    # Created one by one (there are a handful) so that each has its history from the start.
    for kind in policy.measures:
        Measure.objects.create(assessment=assessment, kind=kind)
    for kind in policy.follow_ups:
        FollowUp.objects.create(assessment=assessment, kind=kind, due_on=due)
    if due and Measure.Kind.ACTION_PLAN in policy.measures:
        ActionPlan.objects.create(assessment=assessment, provider=inspection.provider, deadline=due)
    inspection.status = Inspection.Status.ASSESSED
    inspection.save(update_fields=["status"])
    return assessment


@transaction.atomic
def measure_complete(*, measure: Measure, note: str, by) -> Measure:
    """Tick a measure off. Stopping referrals or changing the referral strategy takes effect on the
    provider at once, and shows wherever the provider appears."""
    if measure.done_on:
        raise ValidationError(_("The measure is already marked as done."))
    provider = measure.assessment.inspection.provider
    reason = _("%(measure)s after inspection %(ref)s.") % {
        "measure": measure.get_kind_display(),
        "ref": measure.assessment.inspection.ref,
    }
    if note:
        reason = f"{reason} {note}"
    if measure.kind == Measure.Kind.REFERRAL_STOP:
        referral_status_set(target=provider, status=ReferralStatus.STOPPED, reason=reason, by=by)
    elif measure.kind == Measure.Kind.REFERRAL_STRATEGY and provider.referral_status == ReferralStatus.OPEN:
        referral_status_set(target=provider, status=ReferralStatus.RESTRICTED, reason=reason, by=by)
    measure.done_on = timezone.localdate()
    measure.done_by = by
    measure.note = note
    measure.save()
    return measure


@transaction.atomic
def follow_up_complete(*, follow_up: FollowUp, note: str, by) -> FollowUp:
    if follow_up.done_on:
        raise ValidationError(_("The follow-up is already marked as done."))
    follow_up.done_on = timezone.localdate()
    follow_up.note = note
    follow_up.save()
    return follow_up


@transaction.atomic
def action_plan_update(*, plan: ActionPlan, status: str, note: str, upload=None, by) -> ActionPlan:
    order = [ActionPlan.Status.DEMANDED, ActionPlan.Status.RECEIVED, ActionPlan.Status.APPROVED]
    if order.index(status) < order.index(plan.status):
        raise ValidationError({"status": _("An action plan's status cannot go back.")})
    if status != ActionPlan.Status.DEMANDED and not (plan.file or upload):
        raise ValidationError({"file": _("Attach the provider's action plan before marking it received.")})
    if upload is not None:
        _replace_file(plan.file, upload, "plan.pdf")
        plan.filename = upload.display_name
    plan.status = status
    plan.note = note
    plan.save()
    return plan


@transaction.atomic
def inspection_close(*, inspection: Inspection, by) -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != Inspection.Status.ASSESSED:
        raise ValidationError(_("Only an assessed inspection can be closed."))
    assessment = inspection.assessment
    open_items = [str(m) for m in assessment.measures.filter(done_on__isnull=True)]
    open_items += [str(f) for f in assessment.follow_ups.filter(done_on__isnull=True)]
    plan = getattr(assessment, "action_plan", None)
    if plan is not None and plan.status != ActionPlan.Status.APPROVED:
        open_items.append(_("the action plan is not approved"))
    if open_items:
        raise ValidationError(
            _("The inspection can be closed when everything is done. Still open: %(items)s.")
            % {"items": "; ".join(open_items)}
        )
    inspection.status = Inspection.Status.CLOSED
    inspection.save(update_fields=["status"])
    return inspection


# --- System status ----------------------------------------------------------------------------


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


# --- Planning and follow-through ---------------------------------------------------------------


@transaction.atomic
def inspection_plan_from_suggestion(*, provider: Provider, year: int, by) -> Inspection:
    """Turn the risk score's suggestion into a planned annual inspection in one step.

    The suggestion is computed again here, never taken from the request. The visit is planned two
    weeks ahead (inside `year`), performed by the provider's contract manager until someone assigns
    an external inspector.
    """
    today = timezone.localdate()
    if year < today.year:
        raise ValidationError(_("%(year)s is over; plan the inspection in the current year.") % {"year": year})
    if year > today.year + 1:
        raise ValidationError(_("Inspections can be planned from suggestions for this year and next year only."))
    already = Inspection.objects.filter(provider=provider, planned_on__year=year, status=Inspection.Status.PLANNED)
    if first := already.first():
        raise ValidationError(
            _("%(provider)s already has inspection %(ref)s planned in %(year)s.")
            % {"provider": provider.name, "ref": first.ref, "year": year}
        )
    risk = planning.provider_risk(provider=provider, as_of=min(today, date(year, 12, 31)))
    # Two weeks ahead, but inside the chosen year (late December plans on the 31st).
    planned_on = max(min(today + timedelta(days=14), date(year, 12, 31)), date(year, 1, 1))
    method = Inspection.Method.VISIT if risk.suggest_visit else Inspection.Method.DATA_CHECK
    data = {
        "provider": provider,
        "method": method,
        "kind": Inspection.Kind.ANNUAL_BASE,
        "announced": not (risk.suggest_visit and risk.suggest_unannounced),
        "planned_on": planned_on,
        "performer": provider.contract_manager or by,
        "report_deadline": planned_on + timedelta(days=21),
        "case_number": "",
    }
    return inspection_save(inspection=None, data=data, offers=[], by=by)


def reminders_send(*, today: date | None = None) -> int:
    """E-mail reminders for action plans and follow-ups due within 7 days or overdue (to the
    provider's contract manager) and report deadlines (to the inspector). At most one e-mail per
    item, person and day: each is claimed in the database before it is sent, so a second run, or a
    retry after a crash, skips what was already sent. A failed send releases its claim."""
    today = today or timezone.localdate()
    sent, failures = 0, []
    for reminder in notifications.due_reminders(today=today):
        try:
            with transaction.atomic():
                log = ReminderLog.objects.create(
                    kind=reminder.kind, object_id=reminder.object_id, recipient=reminder.recipient, sent_on=today
                )
        except IntegrityError:
            continue  # already sent today
        try:
            notifications.send_reminder(reminder)
        except Exception as error:  # one failing address must not stop the others
            log.delete()
            failures.append(error)
            continue
        sent += 1
    if failures:
        raise ReminderFailures(sent=sent, failures=failures)
    return sent


class ReminderFailures(Exception):
    """Some reminders could not be sent; their claims were released, so a retry sends only those."""

    def __init__(self, *, sent: int, failures: list[Exception]):
        super().__init__(f"{len(failures)} reminder(s) failed, {sent} sent: {failures[0]!r}")
        self.sent, self.failures = sent, failures


def calendar_feed_renew(*, user) -> CalendarFeed:
    """A new secret calendar address for the user; the old one stops working."""
    feed, _created = CalendarFeed.objects.update_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed
