"""Track figures for a half-year, per offer and provider, beside the pooled figure of the offer's
comparable group (same offer type and target group).

Sums are taken per offer in one aggregate query per track; provider totals and group pools are
sums of those. Percentages are ratios of sums, never averages of percentages.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from leverandoer.models import Offer, Provider

from . import scoring
from .models import Attendance, CaseReview, Complaint, HoursRecord, Outcome, ProgressReport, SurveyResponse
from .periods import HalfYear, Year


@dataclass(frozen=True)
class Ratio:
    """A numerator over a denominator; `percent` is None when there is nothing to divide by."""

    numerator: Decimal
    denominator: Decimal

    @property
    def percent(self) -> Decimal | None:
        return scoring.percent(self.numerator, self.denominator)

    @property
    def mean(self) -> Decimal | None:
        """A survey's mean score, rounded as the rule compares it."""
        return scoring.mean(self.numerator, self.denominator)

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.numerator + other.numerator, self.denominator + other.denominator)

    def __sub__(self, other: Ratio) -> Ratio:
        return Ratio(self.numerator - other.numerator, self.denominator - other.denominator)


ZERO = Ratio(Decimal(0), Decimal(0))
METRICS = ["survey", "hours", "reports_submitted", "reports_on_time", "attendance", "outcomes"]


def report_counts() -> dict:
    """Progression reports due, submitted and submitted on time, for `.annotate()`."""
    return {
        "due": Count("pk"),
        "submitted": Count("pk", filter=Q(submitted_date__isnull=False)),
        "on_time": Count("pk", filter=Q(submitted_date__lte=F("due_date"))),
    }


def offer_sums(*, period: HalfYear | Year, offer_ids=None) -> dict[int, dict[str, Ratio]]:
    """Per offer, the numerator and denominator of every offer-level figure in the half-year."""
    sums: dict[int, dict[str, Ratio]] = defaultdict(lambda: dict.fromkeys(METRICS, ZERO))

    def scoped(queryset):
        return queryset if offer_ids is None else queryset.filter(offer_id__in=offer_ids)

    for row in (
        scoped(SurveyResponse.objects.filter(answered_on__range=(period.start, period.end)))
        .values("offer_id")
        .annotate(total=Sum("score"), n=Count("pk"))
        .order_by()
    ):
        sums[row["offer_id"]]["survey"] = Ratio(Decimal(row["total"]), Decimal(row["n"]))
    for row in (
        scoped(HoursRecord.objects.filter(period_end__range=(period.start, period.end)))
        .values("offer_id")
        .annotate(delivered=Sum("delivered_hours"), ordered=Sum("ordered_hours"))
        .order_by()
    ):
        sums[row["offer_id"]]["hours"] = Ratio(row["delivered"], row["ordered"])
    for row in (
        scoped(ProgressReport.objects.filter(due_date__range=(period.start, period.end)))
        .values("offer_id")
        .annotate(**report_counts())
        .order_by()
    ):
        due = Decimal(row["due"])
        sums[row["offer_id"]]["reports_submitted"] = Ratio(Decimal(row["submitted"]), due)
        sums[row["offer_id"]]["reports_on_time"] = Ratio(Decimal(row["on_time"]), due)
    for row in (
        scoped(Attendance.objects.filter(month__range=(period.start, period.end)))
        .values("offer_id")
        .annotate(n=Count("pk"), correct=Count("pk", filter=Q(registered_correctly=True)))
        .order_by()
    ):
        sums[row["offer_id"]]["attendance"] = Ratio(Decimal(row["correct"]), Decimal(row["n"]))
    for row in (
        scoped(Outcome.objects.filter(follow_up_on__range=(period.start, period.end)))
        .values("offer_id")
        .annotate(n=Count("pk"), off=Count("pk", filter=Q(off_public_support=True)))
        .order_by()
    ):
        sums[row["offer_id"]]["outcomes"] = Ratio(Decimal(row["off"]), Decimal(row["n"]))
    return sums


def offers_by_ordered_hours(*, start: date, end: date, provider_ids) -> dict[int, list[tuple[int, Decimal, Decimal]]]:
    """Per provider, its offers with hours in the span (by the period's end), most ordered hours
    first (ties by offer id), each as (offer id, ordered hours, delivered hours).

    The head of a BIF centre's list is the sample of its case review (seed 003: up to ten offers
    per centre), as the supervision plan suggests it (registered with `tilsyn.planning` at
    start-up) and as the annual report's table E sums it. `provider_ids` may be a queryset.
    """
    per_provider: dict[int, list[tuple[int, Decimal, Decimal]]] = defaultdict(list)
    for row in (
        HoursRecord.objects.filter(period_end__range=(start, end), offer__provider_id__in=provider_ids)
        .values("offer_id", provider_id=F("offer__provider_id"))
        .annotate(ordered=Sum("ordered_hours"), delivered=Sum("delivered_hours"))
        .order_by("provider_id", "-ordered", "offer_id")
    ):
        per_provider[row["provider_id"]].append((row["offer_id"], row["ordered"], row["delivered"]))
    return dict(per_provider)


def complaint_counts(*, period: HalfYear, provider_ids=None) -> dict[int, dict[str, int]]:
    """Per provider: complaints in the half-year (by decision date, else received date), upheld ones
    (upheld or partly upheld; dismissed does not count) and those flagging a general wrong practice."""
    dated = Coalesce("decided_on", "received_on")
    complaints = Complaint.objects.annotate(dated=dated).filter(dated__range=(period.start, period.end))
    if provider_ids is not None:
        complaints = complaints.filter(provider_id__in=provider_ids)
    upheld = Q(decision__in=[Complaint.Decision.UPHELD, Complaint.Decision.PARTLY_UPHELD])
    return {
        row["provider_id"]: row
        for row in complaints.values("provider_id")
        .annotate(
            total=Count("pk"), upheld=Count("pk", filter=upheld), general=Count("pk", filter=Q(general_practice=True))
        )
        .order_by()
    }


def spot_check_counts(*, period: HalfYear, provider_ids=None) -> dict[int, tuple[int, int, int]]:
    """Per provider: (items met, items assessed, cases reviewed) in reviews dated in the half-year."""
    reviews = CaseReview.objects.filter(reviewed_on__range=(period.start, period.end))
    if provider_ids is not None:
        reviews = reviews.filter(sampled_case__spot_check__provider_id__in=provider_ids)
    return {
        row["provider"]: (row["met"], row["n"], row["cases"])
        for row in reviews.values(provider=F("sampled_case__spot_check__provider_id"))
        .annotate(n=Count("pk"), met=Count("pk", filter=Q(met=True)), cases=Count("sampled_case", distinct=True))
        .order_by()
    }


def spot_check_compliance(*, period: HalfYear, provider_ids=None) -> dict[int, Ratio]:
    """Per provider: checklist items met ÷ items assessed in reviews dated in the half-year."""
    return {
        provider_id: Ratio(Decimal(met), Decimal(assessed))
        for provider_id, (met, assessed, _cases) in spot_check_counts(period=period, provider_ids=provider_ids).items()
    }


def empty_sums() -> dict[str, Ratio]:
    return dict.fromkeys(METRICS, ZERO)


def pooled(sums: dict[int, dict[str, Ratio]], keyed) -> dict:
    """The one way figures are pooled: per key, the sum of every figure of the offers under it.
    `keyed` gives (offer id, key) pairs: the comparable group (`group_pools`) or the provider
    (`provider_totals`). Ratios of sums, never averages of percentages."""
    pools: dict = defaultdict(empty_sums)
    for offer_id, key in keyed:
        own = sums.get(offer_id)
        if own is None:
            continue
        pool = pools[key]
        for metric, ratio in own.items():
            pool[metric] = pool[metric] + ratio
    return pools


def group_pools(sums: dict[int, dict[str, Ratio]], offers) -> dict[tuple[int, int], dict[str, Ratio]]:
    """Per comparable group (offer type, target group): its offers' pooled figures. `offers` are
    Offer rows or (pk, group) pairs."""
    return pooled(sums, ((offer.pk, offer.comparable_group) if isinstance(offer, Offer) else offer for offer in offers))


def provider_totals(sums: dict[int, dict[str, Ratio]], offers) -> dict[int, dict[str, Ratio]]:
    """Per provider: its offers' summed figures. `offers` are (offer id, provider id) pairs."""
    return pooled(sums, offers)


def provider_figures(*, provider: Provider, period: HalfYear) -> dict:
    """A provider's track figures for the half-year: totals, and per offer beside its group pool."""
    offers = list(provider.offers.select_related("offer_type", "target_group").order_by("name"))
    groups = {offer.comparable_group for offer in offers}
    group_q = Q()
    for offer_type_id, target_group_id in groups:
        group_q |= Q(offer_type_id=offer_type_id, target_group_id=target_group_id)
    peers = (
        list(Offer.objects.filter(group_q).only("pk", "provider_id", "offer_type_id", "target_group_id"))
        if groups
        else []
    )
    sums = offer_sums(period=period, offer_ids=[peer.pk for peer in peers])
    pools = group_pools(sums, peers)
    others = effect_comparison(sums, peers)
    totals = provider_totals(sums, ((offer.pk, provider.pk) for offer in offers))[provider.pk]
    rows = [
        {
            "offer": offer,
            "own": sums.get(offer.pk, empty_sums()),
            "group": pools[offer.comparable_group],
            "others": others[offer.pk],
        }
        for offer in offers
    ]
    complaints = complaint_counts(period=period, provider_ids=[provider.pk]).get(
        provider.pk, {"total": 0, "upheld": 0, "general": 0}
    )
    return {
        "period": period,
        "rows": rows,
        "totals": totals,
        "complaints": complaints,
        "compliance": spot_check_compliance(period=period, provider_ids=[provider.pk]).get(provider.pk, ZERO),
        "metrics": METRICS,
    }


def offer_figures(*, offer: Offer, period: HalfYear) -> dict:
    peers = list(
        Offer.objects.filter(offer_type_id=offer.offer_type_id, target_group_id=offer.target_group_id).only(
            "pk", "provider_id", "offer_type_id", "target_group_id"
        )
    )
    sums = offer_sums(period=period, offer_ids=[peer.pk for peer in peers])
    pool = group_pools(sums, peers)[offer.comparable_group]
    return {
        "period": period,
        "own": sums.get(offer.pk, empty_sums()),
        "group": pool,
        "others": effect_comparison(sums, peers)[offer.pk],
        "peers": len(peers),
        "metrics": METRICS,
    }


def effect_comparison(sums: dict[int, dict[str, Ratio]], peers) -> dict[int, Others]:
    """Per offer among `peers` (Offer rows of whole comparable groups): what its effect colour is
    compared with — the other offers of its group with a measured result, the offer left out."""
    return others_in_group(sums, ((peer.pk, peer.provider_id, peer.comparable_group) for peer in peers), "outcomes")


def survey_mean(ratio: Ratio) -> Decimal | None:
    return ratio.mean


def latest_period() -> HalfYear:
    """The latest complete half-year with delivery or survey data (the last complete one when there
    is none): a single answer today does not switch the pages to an empty half-year."""
    today = timezone.localdate()
    latest = [
        HoursRecord.objects.filter(period_end__lte=today).aggregate(m=Max("period_end"))["m"],
        SurveyResponse.objects.filter(answered_on__lte=today).aggregate(m=Max("answered_on"))["m"],
        ProgressReport.objects.filter(due_date__lte=today).aggregate(m=Max("due_date"))["m"],
    ]
    known = [day for day in latest if day]
    last_complete = HalfYear.containing(today).previous()
    return min(HalfYear.containing(max(known)), last_complete) if known else last_complete


def offer_panel(*, offer: Offer) -> dict:
    return {"offer": offer}


def provider_panel(*, provider: Provider) -> dict:
    """The provider page's panel: three of the latest half-year's figures, linking to the track
    pages. Only the provider's own sums: the comparable groups are the track page's business."""
    period = latest_period()
    sums = offer_sums(period=period, offer_ids=provider.offers.values("pk"))
    totals = provider_totals(sums, ((offer_id, provider.pk) for offer_id in sums))[provider.pk]
    complaints = complaint_counts(period=period, provider_ids=[provider.pk]).get(provider.pk, {"upheld": 0})
    return {"period": period, "figures": {"totals": totals, "complaints": complaints}}


@dataclass(frozen=True)
class Others:
    """The other offers of an offer's comparable group that have data for a figure: their pooled
    ratio, how many offers and how many providers they are."""

    ratio: Ratio
    offers: int
    providers: int


def others_in_group(sums: dict[int, dict[str, Ratio]], offers, metric: str) -> dict[int, Others]:
    """Per offer, its comparable group with the offer itself left out (the provider's own other
    offers in the group stay in). `offers` are (pk, provider id, group) triples. Linear: each group
    is pooled once and each offer subtracts itself."""
    members: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for pk, provider_id, group in offers:
        members[group].append((pk, provider_id))
    result = {}
    for group_offers in members.values():
        with_data = [
            (pk, provider_id) for pk, provider_id in group_offers if sums.get(pk, {}).get(metric, ZERO).denominator
        ]
        pool = ZERO
        providers: Counter[int] = Counter()
        for pk, provider_id in with_data:
            pool = pool + sums[pk][metric]
            providers[provider_id] += 1
        for pk, provider_id in group_offers:
            own = sums.get(pk, {}).get(metric, ZERO)
            if own.denominator:
                alone = providers[provider_id] == 1
                result[pk] = Others(pool - own, len(with_data) - 1, len(providers) - (1 if alone else 0))
            else:
                result[pk] = Others(pool, len(with_data), len(providers))
    return result
