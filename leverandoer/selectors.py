"""Reads: every list and detail page loads through these, with its joins in one place."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from .access import staff_only
from .models import FrameworkAgreement, Offer, OfferType, Provider, TargetGroup


def providers_for_list(*, user) -> QuerySet[Provider]:
    return staff_only(
        user,
        Provider.objects.select_related("contract_manager")
        .annotate(offer_count=Count("offers", distinct=True))
        .order_by("name", "pk"),
    )


def provider_get(*, user, ref: str) -> Provider:
    offers = Offer.objects.select_related("offer_type", "target_group", "agreement").order_by("name")
    return get_object_or_404(
        staff_only(user, Provider.objects)
        .select_related("contract_manager", "referral_set_by")
        .prefetch_related("contacts", "agreements", Prefetch("offers", queryset=offers)),
        ref=ref,
    )


def offers_for_list(*, user) -> QuerySet[Offer]:
    return (
        staff_only(user, Offer.objects).select_related("provider", "offer_type", "target_group").order_by("name", "pk")
    )


def offer_get(*, user, ref: str) -> Offer:
    return get_object_or_404(
        staff_only(user, Offer.objects).select_related(
            "provider", "agreement", "offer_type", "target_group", "referral_set_by", "provider__referral_set_by"
        ),
        ref=ref,
    )


def comparable_offers(*, user, offer: Offer) -> QuerySet[Offer]:
    """The other offers in the offer's benchmark group (same offer type and target group)."""
    return (
        offers_for_list(user=user)
        .filter(offer_type_id=offer.offer_type_id, target_group_id=offer.target_group_id)
        .exclude(pk=offer.pk)
        .order_by("provider__name", "name")
    )


def agreements_for_list(*, user) -> QuerySet[FrameworkAgreement]:
    return (
        staff_only(user, FrameworkAgreement.objects)
        .select_related("provider")
        .annotate(offer_count=Count("offers"))
        .order_by("-starts_on", "title", "pk")
    )


def agreement_get(*, user, pk: int) -> FrameworkAgreement:
    return get_object_or_404(
        staff_only(user, FrameworkAgreement.objects)
        .select_related("provider")
        .prefetch_related(
            Prefetch("offers", queryset=Offer.objects.select_related("provider", "offer_type", "target_group"))
        ),
        pk=pk,
    )


def comparable_groups() -> list[dict]:
    """Every offer type × target group pair in use, with its number of offers and providers."""
    rows = (
        Offer.objects.values("offer_type_id", "target_group_id")
        .annotate(
            offers=Count("pk"),
            active_offers=Count("pk", filter=Q(active=True)),
            providers=Count("provider_id", distinct=True),
        )
        .order_by()
    )
    types = OfferType.objects.in_bulk()
    groups = TargetGroup.objects.in_bulk()
    result = [
        {
            **row,
            "offer_type": types[row["offer_type_id"]],
            "target_group": groups[row["target_group_id"]],
        }
        for row in rows
    ]
    return sorted(result, key=lambda row: (row["offer_type"].name, row["target_group"].name))
