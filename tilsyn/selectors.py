"""Reads for the start page and system status."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from leverandoer.models import FrameworkAgreement, Provider, ReferralStatus

from .models import WorkerPing


def staff_overview(*, user) -> dict:
    """Key numbers for a contract manager's or administrator's start page, in three queries."""
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
    return {"counts": counts, "expiring_agreements": expiring, "my_providers": my_providers}


def recent_pings(limit: int = 5):
    return WorkerPing.objects.select_related("requested_by")[:limit]
