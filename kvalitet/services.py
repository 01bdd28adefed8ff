"""Writes for tracks 1–3: complaints, survey answers, spot checks and case reviews."""

from __future__ import annotations

import random
import secrets
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leverandoer.models import Offer, Provider
from leverandoer.services import save_with_ref
from tilsyn import services as supervision
from tilsyn.models import ActionPlan, FollowUpCase, Measure

from .models import (
    CASE_HANDLING_KINDS,
    Case,
    CaseReview,
    ChecklistItem,
    Complaint,
    SampledCase,
    SpotCheck,
    SurveyLink,
    SurveyResponse,
)

COMPLAINT_REF_PREFIX = "KLG-"


@transaction.atomic
def complaint_save(*, complaint: Complaint | None, data: dict[str, Any], by) -> Complaint:
    """Register or update a complaint. Free text is masked for CPR numbers before it is stored.
    Newly flagging a general wrong practice opens a dialogue and demands an action plan."""
    was_flagged = bool(complaint and Complaint.objects.filter(pk=complaint.pk, general_practice=True).exists())
    prefix = f"{COMPLAINT_REF_PREFIX}{data['received_on']:%Y}-"
    complaint = save_with_ref(instance=complaint, model=Complaint, data=data, prefix=prefix, width=4)
    if complaint.general_practice and not was_flagged:
        complaint_general_practice_flagged(complaint=complaint, by=by)
    return complaint


def complaint_general_practice_flagged(*, complaint: Complaint, by) -> ActionPlan | None:
    """A complaint that indicates a general wrong practice escalates: it opens the provider's
    follow-up case or joins the open one, with a dialogue and a demand for an action plan (the
    deadline of scenario 2, 30 days by default); an own centre also gets legal training for its
    staff. It decides no scenario. Flagged twice, it escalates once."""
    if complaint.case_id:
        return complaint.action_plan
    extra = [Measure.Kind.DIALOGUE_MEETING, Measure.Kind.ACTION_PLAN]
    if complaint.provider.is_internal:
        extra.append(Measure.Kind.LEGAL_TRAINING)
    decision = supervision.case_decide(
        provider=complaint.provider,
        source=FollowUpCase.Source.COMPLAINT,
        reference=complaint.ref,
        scenario=None,
        by=by,
        decided_on=max(timezone.localdate(), complaint.decided_on or complaint.received_on),
        plan_reason=_("Complaint %(ref)s indicates a general wrong practice: dialogue and action plan.")
        % {"ref": complaint.ref},
        extra_measures=tuple(extra),
    )
    complaint.case = decision.case
    plan = decision.case.action_plans.exclude(status=ActionPlan.Status.APPROVED).first()
    # The case's one plan in progress; linked here too unless an earlier complaint already has it.
    if plan is not None and not Complaint.objects.filter(action_plan=plan).exists():
        complaint.action_plan = plan
    complaint.save(update_fields=["case", "action_plan"])
    return complaint.action_plan


# --- Surveys -----------------------------------------------------------------------------------


def survey_link_for(*, offer: Offer) -> SurveyLink:
    link, _created = SurveyLink.objects.get_or_create(offer=offer)
    return link


def survey_answer_submit(*, link: SurveyLink, score: int, comment: str) -> SurveyResponse:
    """Store an anonymous answer. Nothing about the person is kept; a CPR number typed into the
    comment is masked before it is stored."""
    if not link.active:
        raise ValidationError(_("This survey is closed."))
    return SurveyResponse.objects.create(
        offer=link.offer, answered_on=timezone.localdate(), score=score, comment=comment.strip()[:2000]
    )


# --- Spot checks -------------------------------------------------------------------------------


def draw_sample(*, refs_ongoing: list[str], refs_completed: list[str], seed: int, ongoing: int, completed: int):
    """The reproducible draw: `random.Random(seed).sample` over the refs in sorted order, first the
    ongoing cases, then the completed ones, from the same generator."""
    rng = random.Random(seed)
    pick_ongoing = rng.sample(sorted(refs_ongoing), min(ongoing, len(refs_ongoing)))
    pick_completed = rng.sample(sorted(refs_completed), min(completed, len(refs_completed)))
    return pick_ongoing, pick_completed


@transaction.atomic
def spot_check_draw(
    *, provider: Provider, by, ongoing: int = 15, completed: int = 15, seed: int | None = None, on: date | None = None
) -> SpotCheck:
    if provider.kind not in CASE_HANDLING_KINDS:
        raise ValidationError(
            _("Spot checks of case handling are for Anden Aktør and the municipality's own centres only.")
        )
    cases = list(Case.objects.filter(provider=provider).only("pk", "case_ref", "status"))
    if not cases:
        raise ValidationError(_("The provider has no imported cases to draw from. Import its cases first."))
    seed = seed if seed is not None else secrets.randbelow(2**31)
    by_ref = {case.case_ref: case for case in cases}
    picked_ongoing, picked_completed = draw_sample(
        refs_ongoing=[c.case_ref for c in cases if c.status == Case.Status.ONGOING],
        refs_completed=[c.case_ref for c in cases if c.status == Case.Status.COMPLETED],
        seed=seed,
        ongoing=ongoing,
        completed=completed,
    )
    spot_check = SpotCheck.objects.create(
        provider=provider,
        drawn_on=on or timezone.localdate(),
        seed=seed,
        ongoing_requested=ongoing,
        completed_requested=completed,
        drawn_by=by,
    )
    SampledCase.objects.bulk_create(
        SampledCase(spot_check=spot_check, case=by_ref[ref]) for ref in [*picked_ongoing, *picked_completed]
    )
    return spot_check


@transaction.atomic
def case_review_save(*, sampled_case: SampledCase, judgements: dict[str, bool | None], on: date | None = None) -> int:
    """Record the checklist for one sampled case: item code → met (True), not met (False) or not
    assessed (None). Returns how many items were assessed."""
    items = {item.code: item for item in ChecklistItem.objects.filter(code__in=list(judgements), active=True)}
    judgements = {code: met for code, met in judgements.items() if code in items}
    existing = {review.item_id: review for review in sampled_case.reviews.all()}
    assessed = 0
    for code, met in judgements.items():
        item = items[code]
        review = existing.get(item.pk)
        if met is None:
            if review:
                review.delete()
            continue
        assessed += 1
        if review and review.met == met:
            continue
        review = review or CaseReview(sampled_case=sampled_case, item=item)
        review.met = met
        review.reviewed_on = on or timezone.localdate()
        review.save()
    return assessed
