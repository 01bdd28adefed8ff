"""Reads for the annual supervision plan and the risk score: a fixed number of set-based queries,
whatever the number of providers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Q

from leverandoer.models import Offer, Provider

from .models import Assessment, Finding, Inspection, RiskWeight
from .risk import BIF_CENTRE, CENTRE_OFFERS_REVIEWED, ORDINARY, RiskFacts, RiskResult, risk_score
from .selectors import evidence

METHODS = [choice for choice, _label in Inspection.Method.choices]


# A weight missing from the table (deleted outside the admin) counts as 0, a threshold as never met.
MISSING_WEIGHTS = {
    "scenario": Decimal(0),
    "red_finding": Decimal(0),
    "vulnerable_group": Decimal(0),
    "offer_type": Decimal(0),
    "months_since_visit": Decimal(0),
    "threshold_visit": Decimal("1e9"),
    "threshold_unannounced": Decimal("1e9"),
}


# A BIF centre's case review samples its offers with the most ordered hours. The hours are track data
# of `kvalitet`, an app above this one, so `kvalitet` registers its function here at start-up (as
# it registers panels) rather than this module importing upwards. Unregistered: no sample.
OrderedHours = Callable[..., dict[int, list[tuple[int, Decimal, Decimal]]]]
_ordered_hours: OrderedHours | None = None


def register_ordered_hours(function: OrderedHours) -> None:
    global _ordered_hours
    _ordered_hours = function


def review_samples(*, provider_ids, as_of: date) -> dict[int, tuple[int, ...]]:
    """Per provider, its offers by ordered hours in the year up to `as_of`, most first; one query."""
    if _ordered_hours is None or not provider_ids:
        return {}
    per_provider = _ordered_hours(start=as_of - timedelta(days=364), end=as_of, provider_ids=provider_ids)
    return {pk: tuple(offer_id for offer_id, _ordered, _delivered in rows) for pk, rows in per_provider.items()}


def risk_weights() -> dict:
    return {**MISSING_WEIGHTS, **dict(RiskWeight.objects.values_list("code", "value"))}


def risk_labels() -> dict:
    return {weight.code: weight for weight in RiskWeight.objects.all()}


def risk_facts(*, as_of: date, provider_ids=None) -> dict[int, RiskFacts]:
    """Everything the risk score and the suggestion need, for all providers (or those given), in
    seven queries (six when there is no BIF centre among them)."""

    def scoped(queryset, field="provider_id"):
        return queryset if provider_ids is None else queryset.filter(**{f"{field}__in": provider_ids})

    scenarios = defaultdict(list)
    for provider_id, performed_on, scenario in scoped(
        Assessment.objects.filter(
            inspection__performed_on__gt=as_of - timedelta(days=3 * 365), inspection__performed_on__lte=as_of
        ),
        "inspection__provider_id",
    ).values_list("inspection__provider_id", "inspection__performed_on", "scenario"):
        scenarios[provider_id].append((performed_on, scenario))
    reds = dict(
        scoped(
            Finding.objects.filter(
                evidence("inspection__"),
                rating="red",
                inspection__performed_on__gt=as_of - timedelta(days=730),
                inspection__performed_on__lte=as_of,
            ),
            "inspection__provider_id",
        )
        .values_list("inspection__provider_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    active_offers = scoped(Offer.objects.filter(active=True))
    vulnerable = set(active_offers.filter(target_group__vulnerable=True).values_list("provider_id", flat=True))
    type_factor = dict(active_offers.values_list("provider_id").annotate(m=Max("offer_type__risk_factor")).order_by())
    last_visit = dict(
        scoped(Inspection.objects.filter(method=Inspection.Method.VISIT, performed_on__lte=as_of))
        .values_list("provider_id")
        .annotate(last=Max("performed_on"))
        .order_by()
    )
    bif_centres = set(
        scoped(
            Provider.objects.filter(kind=Provider.Kind.INTERNAL, administration=Provider.Administration.BIF), "pk"
        ).values_list("pk", flat=True)
    )
    samples = review_samples(provider_ids=bif_centres, as_of=as_of)
    ids = provider_ids if provider_ids is not None else Provider.objects.values_list("pk", flat=True)
    return {
        pk: RiskFacts(
            scenarios=tuple(scenarios.get(pk, ())),
            red_findings=reds.get(pk, 0),
            vulnerable_group=pk in vulnerable,
            offer_type_factor=type_factor.get(pk) or Decimal("0"),
            last_visit=last_visit.get(pk),
            regime=BIF_CENTRE if pk in bif_centres else ORDINARY,
            offers_by_ordered_hours=samples.get(pk, ()),
        )
        for pk in ids
    }


def provider_risk(*, provider: Provider, as_of: date) -> RiskResult:
    facts = risk_facts(as_of=as_of, provider_ids=[provider.pk])[provider.pk]
    return risk_score(facts=facts, weights=risk_weights(), as_of=as_of)


def review_offers(risk: RiskResult) -> list[Offer]:
    """The offers of a suggested case review (a BIF centre's sample), most ordered hours first."""
    by_pk = Offer.objects.in_bulk(risk.review_offers)
    return [by_pk[pk] for pk in risk.review_offers if pk in by_pk]


def supervision_plan(*, year: int, today: date, contract_manager=None, only_missing: bool = False) -> dict:
    """Every active provider with its planned and performed supervisions by method in `year`,
    its coverage status and its risk score."""
    as_of = min(today, date(year, 12, 31))
    providers = Provider.objects.filter(active=True).select_related("contract_manager").order_by("name")
    if contract_manager is not None:
        providers = providers.filter(contract_manager=contract_manager)
    providers = list(providers)
    counts: dict[int, dict] = defaultdict(lambda: {method: {"planned": 0, "performed": 0} for method in METHODS})
    for row in (
        Inspection.objects.filter(Q(planned_on__year=year) | Q(performed_on__year=year))
        .values("provider_id", "method")
        .annotate(
            performed=Count("pk", filter=Q(performed_on__year=year)),
            planned=Count("pk", filter=Q(performed_on__isnull=True, planned_on__year=year)),
        )
        .order_by()
    ):
        counts[row["provider_id"]][row["method"]] = {"planned": row["planned"], "performed": row["performed"]}
    facts = risk_facts(as_of=as_of)
    weights = risk_weights()
    rows = []
    for provider in providers:
        by_method = counts[provider.pk]
        performed = sum(cell["performed"] for cell in by_method.values())
        planned = sum(cell["planned"] for cell in by_method.values())
        status = "covered" if performed else ("planned" if planned else "missing")
        if only_missing and status == "covered":
            continue
        rows.append(
            {
                "provider": provider,
                "by_method": [by_method[method] for method in METHODS],
                "status": status,
                "risk": risk_score(facts=facts[provider.pk], weights=weights, as_of=as_of),
            }
        )
    total = len(providers)
    covered = sum(1 for provider in providers if any(c["performed"] for c in counts[provider.pk].values()))
    missing = sum(
        1 for provider in providers if not any(c["performed"] or c["planned"] for c in counts[provider.pk].values())
    )
    return {
        "year": year,
        "as_of": as_of,
        "rows": rows,
        "total": total,
        "covered": covered,
        "missing": missing,
        "coverage": round(100 * covered / total, 1) if total else None,
        "methods": Inspection.Method.choices,
        "weights": risk_labels(),
        "centre_offers_reviewed": CENTRE_OFFERS_REVIEWED,
    }
