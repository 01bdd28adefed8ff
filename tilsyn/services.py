"""Writes in the supervision domain: planning, findings, assessment, measures and follow-up."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from leverandoer.access import Role, has_role
from leverandoer.models import Provider, ReferralStatus
from leverandoer.services import referral_status_set, save_with_ref

from . import notifications, planning, selectors
from .models import (
    OFFERS_ONLY_BY_STRATEGY,
    OWN_CENTRE_REFUSED,
    ActionPlan,
    Assessment,
    CalendarFeed,
    CaseEvent,
    ControlArea,
    Finding,
    FollowUp,
    FollowUpCase,
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
    *,
    inspection: Inspection,
    scenario: int,
    justification: str,
    by,
    decided_on: date | None = None,
    restricted_offers=(),
) -> Assessment:
    """Confirm the proposed scenario, or choose another with a written justification.

    A scenario 2–4 opens the provider's follow-up case, or joins and raises its open one, and sets
    Table 1 in motion there (`case_decide`): measures and follow-ups, the action plan with its
    deadline counted from `decided_on` (today unless recording an earlier decision), and the
    measures that take effect at once: scenario 4 stops referrals, scenario 3 restricts the
    `restricted_offers` the manager chose. Both the proposal and the decision are kept.
    """
    decided_on = decided_on or timezone.localdate()
    decided_at = _moment(decided_on)
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.status != Inspection.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted inspection that has not been assessed can be assessed."))
    proposal = selectors.proposal_for(inspection=inspection)
    justification = justification.strip()
    if scenario != proposal.scenario and not justification:
        raise ValidationError({"justification": _("Explain why you choose another scenario than the proposed one.")})
    if restricted_offers and scenario != 3:
        raise ValidationError({"offers": OFFERS_ONLY_BY_STRATEGY})
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
    inspection.status = Inspection.Status.ASSESSED
    inspection.save(update_fields=["status"])
    assessment.decision = None  # what the escalation changed, for the confirmation; not stored
    if scenario in ESCALATING:
        decision = case_decide(
            provider=inspection.provider,
            source=FollowUpCase.Source.INSPECTION,
            reference=inspection.ref,
            scenario=scenario,
            by=by,
            decided_on=decided_on,
            assessment=assessment,
            restricted_offers=restricted_offers,
        )
        assessment.decision = decision
    return assessment


# --- Follow-up cases (Table 1) ----------------------------------------------------------------

# Only these scenarios open or raise a case.
ESCALATING = (2, 3, 4)
CASE_REF_PREFIX = "OPF-"


class CaseDecision:
    """What an escalation changed, for the confirmation a person reads: the case opened or joined,
    its scenario raised, the measures that took effect, the action plan demanded or updated."""

    def __init__(
        self,
        case: FollowUpCase,
        *,
        opened: bool,
        raised: bool = False,
        raised_from: int | None = None,
        repeated: bool = False,
    ):
        self.case, self.opened, self.raised, self.raised_from = case, opened, raised, raised_from
        self.repeated = repeated
        self.changes: list[str] = []

    def messages(self) -> list[str]:
        values = {"ref": self.case.ref, "scenario": self.case.scenario}
        if self.repeated:
            head = _("Already part of follow-up case %(ref)s; nothing new is set in motion.")
        elif self.opened:
            head = (
                _("Follow-up case %(ref)s was opened (scenario %(scenario)s).")
                if self.case.scenario
                else _("Follow-up case %(ref)s was opened (no scenario decided yet).")
            )
        elif self.raised and self.raised_from is None:
            head = _("Scenario %(scenario)s is decided in the open follow-up case %(ref)s.")
        elif self.raised:
            head = _("Follow-up case %(ref)s was raised from scenario %(before)s to %(scenario)s.")
            values["before"] = self.raised_from
        else:
            head = _("Joined the open follow-up case %(ref)s.")
        return [head % values, *self.changes]


def _moment(day: date) -> datetime:
    """Now, for a decision made today; noon of the day, for one recorded afterwards."""
    return timezone.now() if day == timezone.localdate() else timezone.make_aware(datetime.combine(day, time(12)))


def _case_join_or_open(
    *,
    provider: Provider,
    source: str,
    reference: str,
    scenario: int | None,
    by,
    knowledge_source: str = "",
    justification: str = "",
    case_number: str = "",
    decided_on: date,
) -> CaseDecision:
    """The provider's open case, joined and raised; or a new case. The provider row is locked first,
    so two escalations at once take turns instead of opening two cases (the partial unique
    constraint is the last guard)."""
    Provider.objects.select_for_update().filter(pk=provider.pk).first()
    case = selectors.open_case_of(provider)
    at = _moment(decided_on)
    if case is None:
        case = save_with_ref(
            instance=None,
            model=FollowUpCase,
            data={
                "provider": provider,
                "scenario": scenario,
                "source": source,
                "opened_by": by,
                "opened_at": at,
                "case_number": case_number,
            },
            prefix=f"{CASE_REF_PREFIX}{decided_on:%Y}-",
            width=4,
        )
        decision = CaseDecision(case, opened=True, raised_from=None)
    else:
        raised = scenario is not None and (case.scenario or 0) < scenario
        decision = CaseDecision(case, opened=False, raised=raised, raised_from=case.scenario if raised else None)
        if raised:
            case.scenario = scenario
            case._history_user = by
            case.save(update_fields=["scenario"])
    CaseEvent.objects.create(
        case=case,
        source=source,
        reference=reference,
        scenario=scenario,
        raised_from=decision.raised_from,
        knowledge_source=knowledge_source,
        justification=justification,
        at=at,
        by=by,
    )
    return decision


@transaction.atomic
def case_decide(
    *,
    provider: Provider,
    source: str,
    reference: str,
    scenario: int | None,
    by,
    decided_on: date | None = None,
    assessment: Assessment | None = None,
    restricted_offers=(),
    plan_reason: str = "",
    extra_measures: tuple[str, ...] = (),
    knowledge_source: str = "",
    justification: str = "",
    case_number: str = "",
) -> CaseDecision:
    """An escalation of a provider: open its case or join the open one (raising its scenario), and
    set in motion what the decided scenario's policy says (Table 1), filtered for the municipality's
    own centres: measures, follow-ups, the action plan, and the measures that take effect at once.

    `scenario` None (a complaint, a red survey, other knowledge) opens or joins the case without a
    scenario; `extra_measures` are added then (e.g. dialogue and legal training after a complaint).
    """
    if scenario is not None and scenario not in ESCALATING:
        raise ValidationError(_("Only scenarios 2–4 open or raise a follow-up case."))
    decided_on = decided_on or timezone.localdate()
    internal = provider.is_internal
    restricted_offers = list(restricted_offers)
    if restricted_offers and (internal or scenario != 3):
        raise ValidationError({"offers": OWN_CENTRE_REFUSED if internal else OFFERS_ONLY_BY_STRATEGY})
    _check_offers(provider, restricted_offers)
    if already := _already_escalated(provider=provider, source=source, reference=reference, scenario=scenario):
        return CaseDecision(already, opened=False, repeated=True)
    decision = _case_join_or_open(
        provider=provider,
        source=source,
        reference=reference,
        scenario=scenario,
        by=by,
        decided_on=decided_on,
        knowledge_source=knowledge_source,
        justification=justification,
        case_number=case_number,
    )
    case = decision.case
    if assessment is not None:
        assessment.case = case
        assessment.save(update_fields=["case"])
    policy = ScenarioPolicy.objects.filter(scenario=scenario).first() if scenario else None
    measures = [*(policy.measures_for(internal=internal) if policy else []), *extra_measures]
    follow_ups = policy.follow_ups_for(internal=internal) if policy else []
    days = policy.action_plan_days if policy else None
    if days is None and Measure.Kind.ACTION_PLAN in extra_measures:
        fallback = ScenarioPolicy.objects.filter(scenario=2).first()
        days = fallback.action_plan_days if fallback and fallback.action_plan_days else 30
    due = decided_on + timedelta(days=days) if days else None
    values = {"source": FollowUpCase.Source(source).label, "reference": reference, "scenario": scenario}
    reason = (
        plan_reason.rstrip(".")
        or (_("%(source)s %(reference)s, scenario %(scenario)s") if scenario else _("%(source)s %(reference)s"))
        % values
    )
    # A case keeps one unfinished item of each kind: a new escalation adds only what is not already
    # under way (a referral stop in force counts as under way).
    pending = set(case.measures.filter(done_on__isnull=True).values_list("kind", flat=True))
    if provider.referral_status == ReferralStatus.STOPPED:
        pending |= set(case.measures.filter(kind=Measure.Kind.REFERRAL_STOP).values_list("kind", flat=True))
    pending_follow_ups = set(case.follow_ups.filter(done_on__isnull=True).values_list("kind", flat=True))
    # Created one by one (there are a handful) so that each has its history from the start.
    for kind in dict.fromkeys(measures):
        if kind in pending:
            measure = case.measures.filter(kind=kind, done_on__isnull=True).first()
        else:
            measure = Measure.objects.create(assessment=assessment, case=case, kind=kind)
        if measure is None:
            continue
        if kind == Measure.Kind.REFERRAL_STOP:
            _referrals_stop(measure=measure, provider=provider, reason=reason, by=by, on=decided_on, decision=decision)
        elif kind == Measure.Kind.REFERRAL_STRATEGY and restricted_offers:
            _offers_restrict(
                measure=measure, offers=restricted_offers, reason=reason, by=by, on=decided_on, decision=decision
            )
    for kind in follow_ups:
        if kind not in pending_follow_ups:
            FollowUp.objects.create(assessment=assessment, case=case, kind=kind, due_on=due)
    if due and Measure.Kind.ACTION_PLAN in measures:
        _plan_demand(
            case=case, provider=provider, assessment=assessment, deadline=due, reason=reason, decision=decision
        )
    return decision


def _already_escalated(*, provider: Provider, source: str, reference: str, scenario: int | None):
    """The open case, when the same source (a half-year published again in a new version, say)
    already escalated it as far: nothing is set in motion twice."""
    case = selectors.open_case_of(provider)
    if case is None:
        return None
    earlier = case.events.filter(source=source, reference=reference)
    if scenario is not None:
        earlier = earlier.filter(scenario__gte=scenario)
    return case if earlier.exists() else None


def _case_reference(case: FollowUpCase, reason: str) -> str:
    return _("%(reason)s Follow-up case %(ref)s.") % {"reason": reason, "ref": case.ref}


def _referrals_stop(*, measure: Measure, provider: Provider, reason: str, by, on: date, decision: CaseDecision) -> None:
    """Scenario 4 stops referrals to an external provider or Anden Aktør at once; the measure is
    done when decided, and the stop's reason names the case."""
    text = _case_reference(decision.case, _("Stop of citizen referrals: %(reason)s.") % {"reason": reason})
    if provider.referral_status != ReferralStatus.STOPPED:
        referral_status_set(target=provider, status=ReferralStatus.STOPPED, reason=text, by=by, on=on)
        decision.changes.append(_("Referrals to %(name)s are stopped.") % {"name": provider.name})
    measure.done_on, measure.done_by, measure.note = on, by, text
    measure.save()


def _offers_restrict(*, measure: Measure, offers, reason: str, by, on: date, decision: CaseDecision) -> None:
    """Scenario 3's change of referral strategy: the offers the manager chose are restricted at once."""
    text = _case_reference(decision.case, _("Change of referral strategy: %(reason)s.") % {"reason": reason})
    for offer in offers:
        if offer.referral_status == ReferralStatus.OPEN:
            referral_status_set(target=offer, status=ReferralStatus.RESTRICTED, reason=text, by=by, on=on)
    measure.done_on, measure.done_by, measure.note = on, by, text
    measure.save()
    measure.offers.set(offers)
    decision.changes.append(
        _("Referrals are restricted for: %(offers)s.") % {"offers": ", ".join(offer.name for offer in offers)}
    )


def _plan_demand(
    *, case: FollowUpCase, provider: Provider, assessment, deadline: date, reason: str, decision: CaseDecision
) -> ActionPlan:
    """One plan in progress per case: a new demand updates it, with history; otherwise (no plan, or
    only approved ones) a new plan is demanded."""
    plan = ActionPlan.objects.filter(case=case).exclude(status=ActionPlan.Status.APPROVED).first()
    if plan is None:
        plan = ActionPlan.objects.create(
            case=case,
            assessment=assessment,
            provider=provider,
            deadline=deadline,
            reason=reason[:300],
        )
        decision.changes.append(
            _("An action plan is demanded by %(deadline)s.") % {"deadline": formats.date_format(deadline)}
        )
    else:
        # While the plan is still outstanding the stricter demand wins: a later, milder demand never
        # moves the deadline out. A plan already received must be revised by the new deadline.
        if plan.status == ActionPlan.Status.DEMANDED:
            deadline = min(plan.deadline, deadline)
        plan.deadline = deadline
        plan.status = ActionPlan.Status.DEMANDED
        plan.reason = (f"{plan.reason}; {reason}" if plan.reason else reason)[:300]
        plan.save()
        decision.changes.append(
            _("The case's action plan is demanded anew by %(deadline)s.") % {"deadline": formats.date_format(deadline)}
        )
    if case.status != FollowUpCase.Status.AWAITING_PLAN:
        case.status = FollowUpCase.Status.AWAITING_PLAN
        case.save(update_fields=["status"])
    return plan


@transaction.atomic
def case_open_other(
    *, provider: Provider, knowledge_source: str, justification: str, scenario: int | None, case_number: str, by
) -> CaseDecision:
    """Table 1: the same procedure when matters come to the administration's knowledge in other
    ways. A contract manager opens the case and records where the knowledge came from, and why.
    A provider has one open case: a second is refused, naming the open one."""
    knowledge_source, justification = knowledge_source.strip(), justification.strip()
    errors = {}
    if not knowledge_source:
        errors["knowledge_source"] = _("Write where the knowledge came from.")
    if not justification:
        errors["justification"] = _("Explain why the matter calls for a follow-up case.")
    if errors:
        raise ValidationError(errors)
    Provider.objects.select_for_update().filter(pk=provider.pk).first()
    if existing := selectors.open_case_of(provider):
        raise ValidationError(
            _("%(provider)s already has an open follow-up case, %(ref)s. Add to that case instead of opening another.")
            % {"provider": provider.name, "ref": existing.ref}
        )
    decision = case_decide(
        provider=provider,
        source=FollowUpCase.Source.OTHER,
        reference=knowledge_source[:60],
        scenario=scenario,
        by=by,
        knowledge_source=knowledge_source,
        justification=justification,
        case_number=case_number.strip(),
    )
    return decision


@transaction.atomic
def case_update(*, case: FollowUpCase, case_number: str, by) -> FollowUpCase:
    case.case_number = case_number.strip()
    case._history_user = by
    case.full_clean()
    case.save(update_fields=["case_number"])
    return case


@transaction.atomic
def case_measure_add(*, case: FollowUpCase, kind: str, note: str, by) -> Measure:
    """A measure the manager adds to an open case. The municipality's own centres get no measure
    that rests on a framework agreement."""
    case = FollowUpCase.objects.select_for_update().select_related("provider").get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("The case is closed."))
    if case.provider.is_internal and kind in Measure.CONTRACTUAL:
        raise ValidationError({"kind": OWN_CENTRE_REFUSED})
    return Measure.objects.create(case=case, kind=kind, note=note.strip())


@transaction.atomic
def case_close(*, case: FollowUpCase, note: str, by) -> FollowUpCase:
    """Close a case when everything in it is done: measures, follow-ups and the action plan."""
    case = FollowUpCase.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError(_("The case is already closed."))
    open_items = [str(m) for m in case.measures.filter(done_on__isnull=True)]
    open_items += [str(f) for f in case.follow_ups.filter(done_on__isnull=True)]
    if case.action_plans.exclude(status=ActionPlan.Status.APPROVED).exists():
        open_items.append(_("the action plan is not approved"))
    if open_items:
        raise ValidationError(
            _("The case can be closed when everything is done. Still open: %(items)s.")
            % {"items": "; ".join(open_items)}
        )
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write how the case ended.")})
    case.status, case.closed_at, case.closed_by, case.closing_note = (
        FollowUpCase.Status.CLOSED,
        timezone.now(),
        by,
        note,
    )
    case._history_user = by
    case.save()
    return case


@transaction.atomic
def measure_complete(*, measure: Measure, note: str, by, offers=()) -> Measure:
    """Tick a measure off. Stopping referrals or changing the referral strategy takes effect at once,
    and shows wherever the provider appears: a change of referral strategy restricts the `offers`
    the manager chose, or the provider as a whole when none is chosen."""
    if measure.done_on:
        raise ValidationError(_("The measure is already marked as done."))
    provider = measure_provider(measure)
    if provider.is_internal and measure.kind in Measure.CONTRACTUAL:
        raise ValidationError(OWN_CENTRE_REFUSED)
    origin = measure.assessment.inspection.ref if measure.assessment_id else measure.case.ref
    reason = _("%(measure)s after %(ref)s.") % {"measure": measure.get_kind_display(), "ref": origin}
    if note:
        reason = f"{reason} {note}"
    offers = list(offers)
    if offers and measure.kind != Measure.Kind.REFERRAL_STRATEGY:
        raise ValidationError(OFFERS_ONLY_BY_STRATEGY)
    _check_offers(provider, offers)
    if measure.kind == Measure.Kind.REFERRAL_STOP:
        referral_status_set(target=provider, status=ReferralStatus.STOPPED, reason=reason, by=by)
    elif measure.kind == Measure.Kind.REFERRAL_STRATEGY:
        for target in offers or [provider]:
            if target.referral_status == ReferralStatus.OPEN:
                referral_status_set(target=target, status=ReferralStatus.RESTRICTED, reason=reason, by=by)
        measure.offers.set(offers)
    measure.done_on = timezone.localdate()
    measure.done_by = by
    measure.note = note
    measure.save()
    return measure


def measure_provider(item: Measure | FollowUp) -> Provider:
    """The provider a measure or follow-up concerns: its inspection's, or its case's."""
    return item.assessment.inspection.provider if item.assessment_id else item.case.provider


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
    case = plan.case
    if case is not None and status != ActionPlan.Status.DEMANDED and case.status == FollowUpCase.Status.AWAITING_PLAN:
        # The plan is in: the case moves on from waiting for it to following it up (with history).
        case.status = FollowUpCase.Status.FOLLOW_UP
        case._history_user = by
        case.save(update_fields=["status"])
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
    method = risk.method
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
    return inspection_save(inspection=None, data=data, offers=planning.review_offers(risk), by=by)


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
