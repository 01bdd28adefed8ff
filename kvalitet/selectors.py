"""Reads of track data. Object-level access lives here: complaints are read by the caseworkers and
contract managers who handle them, spot checks by contract managers; anyone else finds none (404)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from leverandoer.access import Role, has_role

from .models import CaseReview, Complaint, SampledCase, SpotCheck

COMPLAINT_ROLES = {Role.CASEWORKER, Role.CONTRACT_MANAGER}


def complaints_visible_to(user) -> QuerySet[Complaint]:
    complaints = Complaint.objects.select_related("provider")
    return complaints if has_role(user, *COMPLAINT_ROLES) else complaints.none()


def complaint_get(*, user, ref: str) -> Complaint:
    try:
        return complaints_visible_to(user).get(ref=ref)
    except Complaint.DoesNotExist as missing:
        raise Http404 from missing


def spot_checks_visible_to(user) -> QuerySet[SpotCheck]:
    spot_checks = SpotCheck.objects.select_related("provider", "drawn_by")
    return spot_checks if has_role(user, Role.CONTRACT_MANAGER) else spot_checks.none()


def spot_check_get(*, user, pk: int) -> SpotCheck:
    sampled = SampledCase.objects.select_related("case").prefetch_related(
        Prefetch("reviews", queryset=CaseReview.objects.select_related("item"))
    )
    try:
        return spot_checks_visible_to(user).prefetch_related(Prefetch("sampled", queryset=sampled)).get(pk=pk)
    except SpotCheck.DoesNotExist as missing:
        raise Http404 from missing


def sampled_case_get(*, user, pk: int) -> SampledCase:
    cases = SampledCase.objects.select_related("case", "spot_check__provider")
    if not has_role(user, Role.CONTRACT_MANAGER):
        cases = cases.none()
    try:
        return cases.get(pk=pk)
    except SampledCase.DoesNotExist as missing:
        raise Http404 from missing


def home_complaints(*, user) -> dict | None:
    """The caseworker's start page: complaints waiting for a decision or for being forwarded."""
    if not has_role(user, Role.CASEWORKER):
        return None
    complaints = complaints_visible_to(user)
    return {
        "undecided": complaints.filter(decision="").count(),
        "not_forwarded": complaints.exclude(decision="").filter(forwarded_on__isnull=True).count(),
    }
