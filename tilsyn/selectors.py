"""Reads for the supervision domain. Object-level access lives here: an inspection outside a
user's reach is not found (404), whatever its id."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from leverandoer.access import STAFF, Role, has_role, staff_only
from leverandoer.history import history_entries
from leverandoer.models import FrameworkAgreement, Provider, ReferralStatus

from . import rules
from .models import (
    ActionPlan,
    Assessment,
    ControlArea,
    Finding,
    FollowUp,
    Inspection,
    Measure,
    Rating,
    WorkerPing,
)

EVIDENCE_STATUSES = [Inspection.Status.SUBMITTED, Inspection.Status.ASSESSED, Inspection.Status.CLOSED]


def evidence(prefix: str = "") -> Q:
    """Submitted or imported inspections: what later rules may look back on."""
    return Q(**{f"{prefix}imported": True}) | Q(**{f"{prefix}status__in": EVIDENCE_STATUSES})


def inspections_visible_to(user) -> QuerySet[Inspection]:
    """Staff see every inspection; an external inspector only those assigned to them."""
    inspections = Inspection.objects.select_related("provider", "performer")
    if has_role(user, *STAFF):
        return inspections
    if has_role(user, Role.INSPECTOR):
        return inspections.filter(performer=user)
    return inspections.none()


def inspection_get(*, user, ref: str) -> Inspection:
    findings = Finding.objects.select_related("control_area")
    try:
        return (
            inspections_visible_to(user)
            .select_related("created_by", "submitted_by")
            .prefetch_related("offers", Prefetch("findings", queryset=findings))
            .get(ref=ref)
        )
    except Inspection.DoesNotExist as missing:
        raise Http404 from missing


def control_areas_for(inspection: Inspection) -> list[ControlArea]:
    """Active areas, plus inactive ones this inspection already has findings in."""
    used = {finding.control_area_id for finding in inspection.findings.all()}
    return list(ControlArea.objects.filter(Q(active=True) | Q(pk__in=used)))


def earlier_reds(*, inspection: Inspection) -> list[rules.EarlierRed]:
    """Red findings of the same provider's submitted or imported inspections in the year before."""
    if not inspection.performed_on:
        return []
    since = inspection.performed_on - min(rules.REPEAT_WINDOW, inspection.performed_on - date.min)
    rows = (
        Finding.objects.filter(
            evidence("inspection__"),
            rating=Rating.RED,
            inspection__provider_id=inspection.provider_id,
            inspection__performed_on__gte=since,
            inspection__performed_on__lt=inspection.performed_on,
        )
        .exclude(inspection_id=inspection.pk)
        .values_list("control_area__code", "inspection__performed_on", "inspection__ref")
    )
    return [rules.EarlierRed(area=area, performed_on=on, inspection_ref=ref) for area, on, ref in rows]


def proposal_for(*, inspection: Inspection) -> rules.Proposal:
    facts = [
        rules.FindingFact(area=f.control_area.code, rating=f.rating, gross_violation=f.gross_violation)
        for f in inspection.findings.all()
    ]
    return rules.propose_scenario(
        findings=facts, performed_on=inspection.performed_on, earlier_reds=earlier_reds(inspection=inspection)
    )


def explain(proposal: rules.Proposal) -> str:
    """The rule that fired and the findings it fired on, in words."""
    labels = dict(ControlArea.objects.filter(code__in=proposal.areas).values_list("code", "label"))
    areas = ", ".join(labels.get(code, code) for code in proposal.areas)
    texts = {
        "gross_violation": _("Scenario 4: gross violation of the framework agreement in: %(areas)s."),
        "repeated_red": _(
            "Scenario 4: red again in %(areas)s, which was also red within the year before (%(earlier)s)."
        ),
        "red": _("Scenario 3: at least one red finding: %(areas)s."),
        "yellow": _("Scenario 2: yellow findings and no red: %(areas)s."),
        "no_remarks": _("Scenario 1: no yellow or red findings."),
    }
    return texts[proposal.rule] % {"areas": areas, "earlier": ", ".join(proposal.earlier)}


def assessment_details(*, inspection: Inspection) -> Assessment | None:
    try:
        return (
            Assessment.objects.select_related("confirmed_by", "action_plan")
            .prefetch_related(
                Prefetch("measures", queryset=Measure.objects.select_related("done_by")),
                "follow_ups",
            )
            .get(inspection=inspection)
        )
    except Assessment.DoesNotExist:
        return None


def provider_supervision(*, provider: Provider) -> dict:
    """The provider's inspections with their findings, and its action plans: the provider panel."""
    findings = Finding.objects.select_related("control_area")
    inspections = (
        Inspection.objects.filter(provider=provider)
        .select_related("performer", "assessment")
        .prefetch_related(Prefetch("findings", queryset=findings))
        .order_by("-planned_on", "-pk")
    )
    plans = ActionPlan.objects.filter(provider=provider).select_related("assessment__inspection")
    return {"inspections": inspections, "action_plans": plans, "today": timezone.localdate()}


def action_plans_for_list(*, user) -> QuerySet[ActionPlan]:
    return (
        staff_only(user, ActionPlan.objects)
        .select_related("provider", "assessment__inspection")
        .order_by("deadline", "pk")
    )


def action_plan_get(*, user, pk: int) -> ActionPlan:
    try:
        return action_plans_for_list(user=user).get(pk=pk)
    except ActionPlan.DoesNotExist as missing:
        raise Http404 from missing


def provider_for_plan(*, user, ref: str) -> Provider:
    try:
        return staff_only(user, Provider.objects).select_related("contract_manager").get(ref=ref, active=True)
    except Provider.DoesNotExist as missing:
        raise Http404 from missing


def measure_get(*, user, pk: int) -> Measure:
    try:
        return staff_only(user, Measure.objects).select_related("assessment__inspection__provider").get(pk=pk)
    except Measure.DoesNotExist as missing:
        raise Http404 from missing


def follow_up_get(*, user, pk: int) -> FollowUp:
    try:
        return staff_only(user, FollowUp.objects).select_related("assessment__inspection").get(pk=pk)
    except FollowUp.DoesNotExist as missing:
        raise Http404 from missing


def inspection_history(*, inspection: Inspection) -> list[dict]:
    """Every recorded change to the inspection and what hangs on it, newest first, with who and what."""
    sources = [
        (_("Inspection"), Inspection.history.filter(id=inspection.pk)),
        (_("Finding"), Finding.history.filter(inspection_id=inspection.pk)),
    ]
    assessment_ids = list(Assessment.objects.filter(inspection=inspection).values_list("pk", flat=True))
    if assessment_ids:
        sources += [
            (_("Assessment"), Assessment.history.filter(id__in=assessment_ids)),
            (_("Measure"), Measure.history.filter(assessment_id__in=assessment_ids)),
            (_("Follow-up"), FollowUp.history.filter(assessment_id__in=assessment_ids)),
            (_("Action plan"), ActionPlan.history.filter(assessment_id__in=assessment_ids)),
        ]
    return history_entries(sources)


# --- Start page and system status ------------------------------------------------------------


def staff_overview(*, user) -> dict:
    """Key numbers for a contract manager's or administrator's start page, in a few queries."""
    today = timezone.localdate()
    counts = Provider.objects.aggregate(
        providers=Count("pk", filter=Q(active=True)),
        mine=Count("pk", filter=Q(active=True, contract_manager=user)),
        restricted=Count("pk", filter=~Q(referral_status=ReferralStatus.OPEN)),
    )
    expiring = (
        FrameworkAgreement.objects.select_related("provider")
        .filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=90))
        .order_by("ends_on")
    )
    my_providers = Provider.objects.filter(contract_manager=user, active=True).order_by("name")
    waiting = Inspection.objects.filter(status=Inspection.Status.SUBMITTED).select_related("provider")
    if not has_role(user, Role.ADMINISTRATOR):
        waiting = waiting.filter(provider__contract_manager=user)
    return {
        "counts": counts,
        "expiring_agreements": expiring,
        "my_providers": my_providers,
        "awaiting_assessment": waiting,
    }


def staff_tasks(*, user, today) -> dict:
    """A contract manager's tasks: their providers' action plans and follow-ups due within 7 days or
    overdue, and their providers not yet supervised this year. An administrator sees everyone's."""
    horizon = today + timedelta(days=7)
    mine = Q() if has_role(user, Role.ADMINISTRATOR) else Q(provider__contract_manager=user)
    plans = (
        ActionPlan.objects.filter(mine, status=ActionPlan.Status.DEMANDED, deadline__lte=horizon)
        .select_related("provider", "assessment__inspection")
        .order_by("deadline")
    )
    mine_via_inspection = (
        Q() if has_role(user, Role.ADMINISTRATOR) else Q(assessment__inspection__provider__contract_manager=user)
    )
    follow_ups = (
        FollowUp.objects.filter(mine_via_inspection, done_on__isnull=True, due_on__lte=horizon)
        .select_related("assessment__inspection__provider")
        .order_by("due_on")
    )
    providers = Provider.objects.filter(active=True)
    if not has_role(user, Role.ADMINISTRATOR):
        providers = providers.filter(contract_manager=user)
    unsupervised = providers.exclude(inspections__performed_on__year=today.year).order_by("name")
    return {"due_plans": plans, "due_follow_ups": follow_ups, "unsupervised": unsupervised, "today": today}


def inspector_overview(*, user) -> dict:
    open_statuses = [Inspection.Status.PLANNED, Inspection.Status.PERFORMED]
    return {
        "assigned": inspections_visible_to(user).filter(status__in=open_statuses).order_by("planned_on"),
        "today": timezone.localdate(),
    }


def recent_pings(limit: int = 5):
    return WorkerPing.objects.select_related("requested_by")[:limit]
