"""The H2 report's annual supervision section (tables A–F) and the key figures over the years.

Set-based like the rest of the compile: a fixed number of aggregate queries per table whatever
the number of providers. Everything returned is plain JSON for the snapshot.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Max, Min, Q, Sum
from django.db.models.functions import ExtractYear

from kvalitet.figures import ZERO, Ratio, offer_sums, provider_totals, report_counts
from kvalitet.models import HoursRecord, ProgressReport
from kvalitet.periods import Year
from leverandoer.models import FrameworkAgreement, Offer, Provider
from tilsyn.models import Assessment, Finding, Inspection
from tilsyn.selectors import evidence

RATING_RANK = {"green": 1, "yellow": 2, "red": 3}
METHODS = {
    Inspection.Method.VISIT: "visit",
    Inspection.Method.DATA_CHECK: "data",
    Inspection.Method.CASE_REVIEW: "case_review",
}
EXTERNAL_KINDS = [Provider.Kind.EXTERNAL, Provider.Kind.ANDEN_AKTOER]
CENTRE_OFFERS_REVIEWED = 10


def number(value) -> float | None:
    """A rounded Decimal as a JSON number, or None."""
    return float(value) if value is not None else None


def pct(ratio: Ratio) -> float | None:
    """A ratio as a JSON-ready percentage with one decimal (half up), or None."""
    return number(ratio.percent)


def _worst(ratings) -> str | None:
    ratings = [rating for rating in ratings if rating in RATING_RANK]
    return max(ratings, key=RATING_RANK.__getitem__) if ratings else None


def trend(*, until: date, external_only: bool = False) -> list[dict]:
    """Hours delivered and progression reports submitted/on time per calendar year, for every year
    in the data up to `until`; a year cut short by `until` is marked partial."""
    hours = HoursRecord.objects.filter(period_end__lte=until)
    reports = ProgressReport.objects.filter(due_date__lte=until)
    if external_only:
        hours = hours.filter(offer__provider__kind__in=EXTERNAL_KINDS)
        reports = reports.filter(offer__provider__kind__in=EXTERNAL_KINDS)
    by_year: dict[int, dict] = defaultdict(lambda: {"hours": ZERO, "submitted": ZERO, "on_time": ZERO})
    for row in (
        hours.annotate(year=ExtractYear("period_end"))
        .values("year")
        .annotate(delivered=Sum("delivered_hours"), ordered=Sum("ordered_hours"))
        .order_by()
    ):
        by_year[row["year"]]["hours"] = Ratio(row["delivered"], row["ordered"])
    for row in reports.annotate(year=ExtractYear("due_date")).values("year").annotate(**report_counts()).order_by():
        due = Decimal(row["due"])
        by_year[row["year"]]["submitted"] = Ratio(Decimal(row["submitted"]), due)
        by_year[row["year"]]["on_time"] = Ratio(Decimal(row["on_time"]), due)
    return [
        {
            "year": year,
            "partial": year == until.year and (until.month, until.day) != (12, 31),
            "hours_delivered_pct": pct(figures["hours"]),
            "progress_reports_submitted_pct": pct(figures["submitted"]),
            "progress_reports_on_time_pct": pct(figures["on_time"]),
            "progress_reports_due": int(figures["submitted"].denominator),  # the n behind both
        }
        for year, figures in sorted(by_year.items())
    ]


def build(year: int) -> dict:
    """Tables A–F for the calendar year."""
    span = Year(year)
    performed = Inspection.objects.filter(evidence(), performed_on__range=(span.start, span.end))
    methods: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METHODS.values(), 0))
    for row in performed.values("provider_id", "method").annotate(n=Count("pk")).order_by():
        methods[row["provider_id"]][METHODS[row["method"]]] = row["n"]
    ratings_by_provider: dict[int, set] = defaultdict(set)
    ratings_by_inspection: dict[int, set] = defaultdict(set)
    for row in (
        Finding.objects.filter(inspection__in=performed)
        .values("inspection_id", "inspection__provider_id", "rating")
        .distinct()
        .order_by()
    ):
        ratings_by_provider[row["inspection__provider_id"]].add(row["rating"])
        ratings_by_inspection[row["inspection_id"]].add(row["rating"])
    scenarios = dict(
        Assessment.objects.filter(inspection__in=performed)
        .values("inspection__provider_id")
        .annotate(worst=Max("scenario"))
        .order_by()
        .values_list("inspection__provider_id", "worst")
    )
    agreements = {
        row["provider_id"]: row
        for row in FrameworkAgreement.objects.filter(starts_on__lte=span.end, ends_on__gte=span.start)
        .values("provider_id")
        .annotate(starts=Min("starts_on"), ends=Max("ends_on"))
        .order_by()
    }
    offer_counts = dict(
        Offer.objects.filter(active=True)
        .values("provider_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("provider_id", "n")
    )
    sums = offer_sums(period=span)
    provider_of = dict(Offer.objects.values_list("pk", "provider_id"))
    with_data = {provider_of[offer_id] for offer_id in sums}
    # In the year: an agreement in force, a supervision, or (own centres) delivery data.
    providers = list(
        Provider.objects.filter(
            Q(pk__in=list(agreements))
            | Q(pk__in=list(methods))
            | Q(kind=Provider.Kind.INTERNAL, pk__in=list(with_data))
        )
        .order_by("name", "ref")
        .values("pk", "ref", "name", "kind", "administration", "cvr")
    )
    by_pk = {provider["pk"]: provider for provider in providers}

    external, internal = [], []
    for provider in providers:
        supervisions = methods.get(provider["pk"], dict.fromkeys(METHODS.values(), 0))
        common = {
            "provider_ref": provider["ref"],
            "name": provider["name"],
            "offers": offer_counts.get(provider["pk"], 0),
            "worst_rating": _worst(ratings_by_provider.get(provider["pk"], ())),
        }
        if provider["kind"] == Provider.Kind.INTERNAL:
            internal.append(
                {
                    **common,
                    "administration": provider["administration"],
                    "supervisions": sum(supervisions.values()),
                }
            )
        else:
            agreement = agreements.get(provider["pk"])
            external.append(
                {
                    **common,
                    "kind": provider["kind"],
                    "cvr": provider["cvr"],
                    "agreement_from": agreement["starts"].isoformat() if agreement else None,
                    "agreement_to": agreement["ends"].isoformat() if agreement else None,
                    "supervisions": supervisions,
                    "scenario": scenarios.get(provider["pk"]),
                }
            )
    internal.sort(key=lambda row: (row["administration"], row["name"]))

    visits = [
        {
            "provider_ref": row["provider__ref"],
            "name": row["provider__name"],
            "date": row["performed_on"].isoformat(),
            "kind": row["kind"],
            "announced": row["announced"],
            "worst_rating": _worst(ratings_by_inspection.get(row["pk"], ())),
        }
        for row in performed.filter(method=Inspection.Method.VISIT)
        .order_by("performed_on", "provider__name")
        .values("pk", "provider__ref", "provider__name", "performed_on", "kind", "announced")
    ]

    per_provider = provider_totals(sums, ((offer_id, provider_of[offer_id]) for offer_id in sums))
    data_checked = sorted(
        {pk for pk, counts in methods.items() if counts["data"] and by_pk[pk]["kind"] in EXTERNAL_KINDS},
        key=lambda pk: (by_pk[pk]["name"], by_pk[pk]["ref"]),
    )
    data_checks = [
        {
            "provider_ref": by_pk[pk]["ref"],
            "name": by_pk[pk]["name"],
            "checks": methods[pk]["data"],
            "hours_delivered_pct": pct(per_provider[pk]["hours"]),
            "progress_reports_submitted_pct": pct(per_provider[pk]["reports_submitted"]),
            "progress_reports_on_time_pct": pct(per_provider[pk]["reports_on_time"]),
            "attendance_registered_pct": pct(per_provider[pk]["attendance"]),
            # The n behind the percentages, so that a provider's small numbers are not published.
            "progress_reports_due": int(per_provider[pk]["reports_submitted"].denominator),
            "attendance_registrations": int(per_provider[pk]["attendance"].denominator),
        }
        for pk in data_checked
    ]

    return {
        "year": year,
        "external": external,
        "internal": internal,
        "visits": visits,
        "data_checks": data_checks,
        "centres": _centres(span, supervised=set(methods)),
        "key_figures": trend(until=span.end, external_only=True),
    }


def _centres(span: Year, *, supervised: set[int]) -> list[dict]:
    """Table E: each BIF centre's offers with the most ordered hours in the year (up to ten, the
    review's sample), their ordered and delivered hours and the difference."""
    centres = list(
        Provider.objects.filter(kind=Provider.Kind.INTERNAL, administration=Provider.Administration.BIF)
        .order_by("name", "ref")
        .values("pk", "ref", "name")
    )
    per_offer: dict[int, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    for row in (
        HoursRecord.objects.filter(
            period_end__range=(span.start, span.end),
            offer__provider__kind=Provider.Kind.INTERNAL,
            offer__provider__administration=Provider.Administration.BIF,
        )
        .values("offer_id", provider_id=F("offer__provider_id"))
        .annotate(ordered=Sum("ordered_hours"), delivered=Sum("delivered_hours"))
        .order_by("provider_id", "-ordered", "offer_id")
    ):
        per_offer[row["provider_id"]].append((row["ordered"], row["delivered"]))
    result = []
    for centre in centres:
        if centre["pk"] not in per_offer and centre["pk"] not in supervised:
            continue  # nothing delivered or supervised in the year
        reviewed = per_offer.get(centre["pk"], [])[:CENTRE_OFFERS_REVIEWED]
        ordered = sum((hours[0] for hours in reviewed), Decimal(0))
        delivered = sum((hours[1] for hours in reviewed), Decimal(0))
        result.append(
            {
                "provider_ref": centre["ref"],
                "name": centre["name"],
                "offers_reviewed": len(reviewed),
                "ordered_hours": float(ordered),
                "delivered_hours": float(delivered),
                "difference_hours": float(delivered - ordered),
            }
        )
    return result
