"""Demo data for supervision, 2023–2025: inspections of every method and kind, findings,
assessments through the real service (so measures and action plans follow the policies), repeats
that reach scenario 4, and a few visits still ahead for the inspectors."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from leverandoer.models import Provider
from leverandoer.services import next_ref

from . import selectors, services
from .models import ActionPlan, ControlArea, Finding, Inspection, Measure

REMARKS = {
    "yellow": [
        "Enkelte fremmødelister mangler underskrift.",
        "Progressionsrapporter sendt 2–3 dage for sent.",
        "Skiltning på adressen mangler.",
        "Dokumentation for timer findes, men er ufuldstændig.",
    ],
    "red": [
        "Bestilte timer kan ikke dokumenteres for flere borgere.",
        "Progressionsrapporter mangler for en stor del af forløbene.",
        "Fravær er ikke indberettet til jobcentret.",
        "Lokalerne lever ikke op til kravene i rammeaftalen.",
    ],
}


def _ratings(rng: random.Random, areas: list[str], worst: str) -> dict[str, str]:
    checked = rng.sample(areas, rng.randint(4, len(areas)))
    ratings = dict.fromkeys(checked, "green")
    if worst in ("yellow", "red"):
        for area in rng.sample(checked, rng.randint(1, 2)):
            ratings[area] = "yellow"
    if worst == "red":
        ratings[rng.choice(checked)] = "red"
    return ratings


def _create(*, provider, planned_on, performer, creator, method, kind, announced) -> Inspection:
    return Inspection.objects.create(
        ref=next_ref(model=Inspection, prefix=f"INS-{planned_on:%Y}-", width=4),
        provider=provider,
        planned_on=planned_on,
        performer=performer,
        created_by=creator,
        method=method,
        kind=kind,
        announced=announced,
        report_deadline=planned_on + timedelta(days=21),
        case_number=f"{planned_on:%Y}-{planned_on.toordinal() % 9000000 + 1000000}",
    )


def _record(inspection: Inspection, ratings: dict[str, str], rng: random.Random, gross: str | None = None) -> None:
    areas = {area.code: area for area in ControlArea.objects.all()}
    inspection.performed_on = inspection.planned_on
    inspection.status = Inspection.Status.SUBMITTED
    inspection.submitted_by = inspection.performer
    inspection.submitted_at = timezone.make_aware(datetime.combine(inspection.planned_on + timedelta(days=10), time(9)))
    inspection.save()
    Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            control_area=areas[code],
            rating=rating,
            remark=rng.choice(REMARKS[rating]) if rating != "green" else "",
            gross_violation=code == gross,
        )
        for code, rating in ratings.items()
    )


def seed_supervision(*, rng: random.Random, providers: list[Provider], managers: list, inspectors: list) -> int:
    area_codes = list(ControlArea.objects.filter(active=True).values_list("code", flat=True))
    # Providers with a repeated red in the same area (2024 → 2025), and one gross violation.
    repeaters = {providers[4].pk: "progress_reports_on_time", providers[15].pk: "attendance"}
    gross_provider = providers[9].pk
    today = timezone.localdate()
    count = 0
    for year in (2023, 2024, 2025):
        for provider in providers:
            manager = provider.contract_manager or managers[0]
            external_visit = provider.kind != Provider.Kind.INTERNAL and rng.random() < 0.5
            method = (
                Inspection.Method.VISIT
                if provider.kind == Provider.Kind.EXTERNAL or rng.random() < 0.4
                else rng.choice([Inspection.Method.DATA_CHECK, Inspection.Method.CASE_REVIEW])
            )
            planned_on = date(year, rng.randint(2, 11), rng.randint(1, 28))
            special = provider.pk in repeaters or provider.pk == gross_provider
            if special and year >= 2024:
                planned_on = date(year, 9 if year == 2024 else 5, 10)  # within a year of each other
            # 2025 is the year in progress: most supervised, some only planned, some not yet at all.
            progress = rng.random() if year == 2025 and not special else 1.0
            if progress < 0.13:
                continue
            if progress < 0.25:
                planned_on = date(year, rng.randint(10, 12), rng.randint(1, 28))
            inspection = _create(
                provider=provider,
                planned_on=planned_on,
                performer=rng.choice(inspectors) if external_visit and method == "visit" else manager,
                creator=manager,
                method=method,
                kind=Inspection.Kind.ANNUAL_BASE,
                announced=rng.random() < 0.3,
            )
            count += 1
            if progress < 0.25:
                continue  # planned for later in the year
            worst = rng.choices(["green", "yellow", "red"], [6, 3, 1])[0]
            ratings = _ratings(rng, area_codes, worst)
            gross = None
            if provider.pk in repeaters and year >= 2024:
                ratings[repeaters[provider.pk]] = "red"
            if provider.pk == gross_provider and year == 2025:
                ratings["framework_agreement"] = "red"
                gross = "framework_agreement"
            _record(inspection, ratings, rng, gross)
            if year == 2025 and rng.random() < 0.12:
                continue  # submitted, waiting for the contract manager's assessment
            proposal = selectors.proposal_for(inspection=inspection)
            decided_on = inspection.performed_on + timedelta(days=rng.randint(14, 30))
            assessment = services.assessment_confirm(
                inspection=inspection, scenario=proposal.scenario, justification="", by=manager, decided_on=decided_on
            )
            for measure in assessment.measures.all():
                if year < 2025 or rng.random() < 0.5:
                    # Through the service, so that a referral stop or restriction takes effect.
                    services.measure_complete(measure=measure, note="", by=manager)
                    Measure.objects.filter(pk=measure.pk).update(
                        done_on=decided_on + timedelta(days=rng.randint(5, 40))
                    )
            for follow_up in assessment.follow_ups.all():
                if year < 2025:
                    follow_up.done_on = decided_on + timedelta(days=rng.randint(20, 90))
                    follow_up.save()
            plan = getattr(assessment, "action_plan", None)
            if plan and (year < 2025 or rng.random() < 0.5):
                plan.status = ActionPlan.Status.APPROVED if year < 2025 else ActionPlan.Status.RECEIVED
                plan.filename = "handleplan.pdf"
                plan.save()
            if year < 2025:
                services.inspection_close(inspection=inspection, by=manager)

    # Visits ahead: assigned to the external inspectors, one unannounced.
    for offset, provider in enumerate(providers[:6]):
        _create(
            provider=provider,
            planned_on=today + timedelta(days=7 + offset * 9),
            performer=inspectors[offset % len(inspectors)],
            creator=provider.contract_manager or managers[0],
            method=Inspection.Method.VISIT,
            kind=Inspection.Kind.FOLLOW_UP if offset % 3 == 0 else Inspection.Kind.EXTRA,
            announced=offset % 2 == 0,
        )
        count += 1
    return count
