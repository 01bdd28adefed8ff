"""Reads for the supervision domain. Object-level access lives here: an inspection outside a
user's reach is not found (404), whatever its id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
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
    EscalationRule,
    Finding,
    FollowUp,
    FollowUpCase,
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


def decided_scenario(prefix: str = "") -> Coalesce:
    """What the administration decided on an inspection: its confirmed assessment's scenario, or for
    an imported inspection the scenario decided before Tilsyn. Null: not decided."""
    return Coalesce(f"{prefix}assessment__scenario", f"{prefix}decided_scenario")


def repeat_window_months() -> int:
    return EscalationRule.current().repeat_window_months


def _earlier_reds(*, provider_ids, since: date, until: date, exclude: int | None = None):
    """Red findings of submitted or imported inspections performed in [since, until), per provider,
    with the scenario decided on their inspection."""
    rows = Finding.objects.filter(
        evidence("inspection__"),
        rating=Rating.RED,
        inspection__performed_on__gte=since,
        inspection__performed_on__lt=until,
    )
    if provider_ids is not None:
        rows = rows.filter(inspection__provider_id__in=provider_ids)
    if exclude is not None:
        rows = rows.exclude(inspection_id=exclude)
    reds: dict[int, list[rules.EarlierRed]] = defaultdict(list)
    for provider_id, area, on, ref, scenario in rows.values_list(
        "inspection__provider_id",
        "control_area__code",
        "inspection__performed_on",
        "inspection__ref",
        decided_scenario("inspection__"),
    ):
        reds[provider_id].append(
            rules.EarlierRed(area=area, performed_on=on, inspection_ref=ref, decided_scenario=scenario)
        )
    return reds


def earlier_reds(*, inspection: Inspection, window_months: int | None = None) -> list[rules.EarlierRed]:
    """Red findings of the same provider's submitted or imported inspections in the repeat window
    before this one, each with what was decided on it."""
    if not inspection.performed_on:
        return []
    months = repeat_window_months() if window_months is None else window_months
    reds = _earlier_reds(
        provider_ids=[inspection.provider_id],
        since=rules.window_start(inspection.performed_on, months),
        until=inspection.performed_on,
        exclude=inspection.pk,
    )
    return reds.get(inspection.provider_id, [])


def proposal_for(*, inspection: Inspection) -> rules.Proposal:
    facts = [
        rules.FindingFact(area=f.control_area.code, rating=f.rating, gross_violation=f.gross_violation)
        for f in inspection.findings.all()
    ]
    months = repeat_window_months()
    return rules.propose_inspection_scenario(
        findings=facts,
        performed_on=inspection.performed_on,
        earlier_reds=earlier_reds(inspection=inspection, window_months=months),
        window_months=months,
    )


def explain(proposal: rules.Proposal) -> str:
    """The rule that fired and the findings it fired on, in words; then every earlier red finding of
    the same area that is no repeat, and why."""
    codes = set(proposal.areas) | {red.area for red in proposal.not_repeats}
    labels = dict(ControlArea.objects.filter(code__in=codes).values_list("code", "label"))
    areas = ", ".join(labels.get(code, code) for code in proposal.areas)
    texts = {
        "gross_violation": _("Scenario 4: gross violation of the framework agreement in: %(areas)s."),
        "repeated_red": _(
            "Scenario 4: red again in %(areas)s, a repeat of a remark decided as more criticisable "
            "(scenario 3–4) within the repeat window (%(earlier)s)."
        ),
        "red": _("Scenario 3: at least one red finding: %(areas)s."),
        "yellow": _("Scenario 2: yellow findings and no red: %(areas)s."),
        "no_remarks": _("Scenario 1: no yellow or red findings."),
    }
    sentences = [texts[proposal.rule] % {"areas": areas, "earlier": ", ".join(proposal.earlier)}]
    for red in proposal.not_repeats:
        values = {"area": labels.get(red.area, red.area), "ref": red.inspection_ref, "scenario": red.decided_scenario}
        if red.decided_scenario is None:
            sentences.append(_("Earlier red finding in %(area)s (%(ref)s), never decided — not a repeat.") % values)
        else:
            sentences.append(
                _("Earlier red finding in %(area)s (%(ref)s), decided as scenario %(scenario)s — not a repeat.")
                % values
            )
    return " ".join(sentences)


@dataclass
class HalfYearSupervision:
    """What the half-year's submitted or imported inspections say about one provider."""

    ratings: list[str] = field(default_factory=list)
    gross: list[str] = field(default_factory=list)  # refs of inspections with a gross violation
    repeats: list[dict] = field(default_factory=list)  # red findings repeating a decided remark
    decided: list[tuple[str, int]] = field(default_factory=list)  # (ref, decided scenario)
    offer_ratings: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))


def half_year_supervision(*, start: date, end: date, provider_ids=None) -> dict[int, HalfYearSupervision]:
    """Per provider, the findings of the inspections performed in [start, end], the gross violations,
    the repeats (the same definition as an inspection's assessment, `rules.repeats`) and the scenarios
    decided on those inspections. A fixed number of queries, whatever the number of providers."""
    months = repeat_window_months()
    result: dict[int, HalfYearSupervision] = defaultdict(HalfYearSupervision)
    findings = Finding.objects.filter(evidence("inspection__"), inspection__performed_on__range=(start, end))
    inspections = Inspection.objects.filter(evidence(), performed_on__range=(start, end))
    if provider_ids is not None:
        findings = findings.filter(inspection__provider_id__in=provider_ids)
        inspections = inspections.filter(provider_id__in=provider_ids)
    by_inspection: dict[int, list[rules.FindingFact]] = defaultdict(list)
    labels: dict[str, str] = {}
    for provider_id, inspection_id, ref, area, label, rating, gross in findings.values_list(
        "inspection__provider_id",
        "inspection_id",
        "inspection__ref",
        "control_area__code",
        "control_area__label",
        "rating",
        "gross_violation",
    ).order_by("inspection__ref", "control_area__position"):
        labels[area] = label
        entry = result[provider_id]
        entry.ratings.append(rating)
        if gross and ref not in entry.gross:
            entry.gross.append(ref)
        by_inspection[inspection_id].append(rules.FindingFact(area=area, rating=rating, gross_violation=gross))
    # An inspection that names the offers it covers rates those offers too.
    for provider_id, offer_id, rating in findings.filter(inspection__offers__isnull=False).values_list(
        "inspection__provider_id", "inspection__offers", "rating"
    ):
        result[provider_id].offer_ratings[offer_id].append(rating)
    facts = inspections.values_list("pk", "provider_id", "ref", "performed_on", decided_scenario()).order_by("ref")
    reds = _earlier_reds(
        provider_ids=provider_ids, since=rules.window_start(start, months), until=end + timedelta(days=1)
    )
    for pk, provider_id, ref, performed_on, scenario in facts:
        entry = result[provider_id]
        if scenario is not None:
            entry.decided.append((ref, scenario))
        found = rules.repeats(
            findings=by_inspection.get(pk, []),
            performed_on=performed_on,
            earlier_reds=[red for red in reds.get(provider_id, []) if red.inspection_ref != ref],
            window_months=months,
        )
        for area, earlier in sorted(found.areas.items()):
            entry.repeats.append({"inspection": ref, "area": area, "area_label": labels[area], "earlier": earlier})
    return result


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
    plans = ActionPlan.objects.filter(provider=provider).select_related("assessment__inspection", "case")
    cases = FollowUpCase.objects.filter(provider=provider).order_by("-opened_at", "-pk")
    return {"inspections": inspections, "action_plans": plans, "cases": cases, "today": timezone.localdate()}


def action_plans_for_list(*, user) -> QuerySet[ActionPlan]:
    return (
        staff_only(user, ActionPlan.objects)
        .select_related("provider", "assessment__inspection", "case")
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
        return (
            staff_only(user, Measure.objects)
            .select_related("assessment__inspection__provider", "case__provider")
            .get(pk=pk)
        )
    except Measure.DoesNotExist as missing:
        raise Http404 from missing


def offers_of(*, provider: Provider, pks) -> list:
    """The provider's offers among the ids a form sent; anything else is left out."""
    ids = [int(pk) for pk in pks if str(pk).isdigit()]
    return list(provider.offers.filter(pk__in=ids)) if ids else []


def follow_up_get(*, user, pk: int) -> FollowUp:
    try:
        return staff_only(user, FollowUp.objects).select_related("assessment__inspection", "case__provider").get(pk=pk)
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


# --- Follow-up cases --------------------------------------------------------------------------


def cases_for_list(*, user, status: str = "open", mine: bool = False) -> QuerySet[FollowUpCase]:
    """Follow-up cases for the staff: open ones (not closed) by default, "closed" or "all"."""
    cases = staff_only(user, FollowUpCase.objects).select_related("provider", "provider__contract_manager")
    if status == "open":
        cases = cases.exclude(status=FollowUpCase.Status.CLOSED)
    elif status == "closed":
        cases = cases.filter(status=FollowUpCase.Status.CLOSED)
    if mine:
        cases = cases.filter(provider__contract_manager=user)
    return cases.annotate(
        plans_in_progress=Count("action_plans", filter=~Q(action_plans__status=ActionPlan.Status.APPROVED))
    ).order_by("-opened_at", "-pk")


def case_get(*, user, ref: str) -> FollowUpCase:
    try:
        return (
            staff_only(user, FollowUpCase.objects)
            .select_related("provider", "provider__contract_manager", "opened_by", "closed_by")
            .get(ref=ref)
        )
    except FollowUpCase.DoesNotExist as missing:
        raise Http404 from missing


def case_details(*, case: FollowUpCase) -> dict:
    """Everything the case gathers: its journal of escalations, the assessments, measures,
    follow-ups, action plans and complaints linked to it, and the referral status it set."""
    return {
        "events": case.events.select_related("by"),
        "assessments": case.assessments.select_related("inspection", "confirmed_by").order_by("confirmed_at"),
        "measures": case.measures.select_related("done_by", "assessment__inspection").prefetch_related("offers"),
        "follow_ups": case.follow_ups.select_related("assessment__inspection"),
        "action_plans": case.action_plans.order_by("-pk"),
        "offers": case.provider.offers.exclude(referral_status=ReferralStatus.OPEN).order_by("name"),
        "offer_choices": [] if case.provider.is_internal else case.provider.offers.filter(active=True).order_by("name"),
    }


def case_history(*, case: FollowUpCase) -> list[dict]:
    return history_entries(
        [
            (_("Follow-up case"), FollowUpCase.history.filter(id=case.pk)),
            (_("Measure"), Measure.history.filter(case_id=case.pk)),
            (_("Follow-up"), FollowUp.history.filter(case_id=case.pk)),
            (_("Action plan"), ActionPlan.history.filter(case_id=case.pk)),
        ]
    )


def open_case_of(provider: Provider) -> FollowUpCase | None:
    """The provider's one case that is not closed, if any."""
    return FollowUpCase.objects.filter(provider=provider).exclude(status=FollowUpCase.Status.CLOSED).first()


def open_cases_by_provider(provider_ids) -> dict[int, dict]:
    """The open case of each provider given, as {"ref", "scenario"}: one query."""
    return {
        provider_id: {"ref": ref, "scenario": scenario}
        for provider_id, ref, scenario in FollowUpCase.objects.filter(provider_id__in=provider_ids)
        .exclude(status=FollowUpCase.Status.CLOSED)
        .values_list("provider_id", "ref", "scenario")
    }


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
    mine_via_case = (
        Q()
        if has_role(user, Role.ADMINISTRATOR)
        else Q(assessment__inspection__provider__contract_manager=user) | Q(case__provider__contract_manager=user)
    )
    follow_ups = (
        FollowUp.objects.filter(mine_via_case, done_on__isnull=True, due_on__lte=horizon)
        .select_related("assessment__inspection__provider", "case__provider")
        .order_by("due_on")
    )
    providers = Provider.objects.filter(active=True)
    if not has_role(user, Role.ADMINISTRATOR):
        providers = providers.filter(contract_manager=user)
    unsupervised = providers.exclude(inspections__performed_on__year=today.year).order_by("name")
    open_cases = cases_for_list(user=user, mine=not has_role(user, Role.ADMINISTRATOR))
    return {
        "due_plans": plans,
        "due_follow_ups": follow_ups,
        "unsupervised": unsupervised,
        "open_cases": open_cases,
        "today": today,
    }


def inspector_overview(*, user) -> dict:
    open_statuses = [Inspection.Status.PLANNED, Inspection.Status.PERFORMED]
    return {
        "assigned": inspections_visible_to(user).filter(status__in=open_statuses).order_by("planned_on"),
        "today": timezone.localdate(),
    }


def recent_pings(limit: int = 5):
    return WorkerPing.objects.select_related("requested_by")[:limit]
