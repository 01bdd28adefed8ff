"""Demo data for supervision over the demo's three living years up to `today`: inspections of
every method and kind, findings, assessments through the real service (so measures and action
plans follow the policies), and a few visits still ahead for the inspectors.

Decisions look like a real administration's: most confirm the proposal, a few decide lower with a
short justification. Two repeat stories: one provider's red was decided as scenario 3 and is
repeated within the year (a decided repeat: scenario 4); another's red was decided as 2, so its
later red is no repeat. The oldest year has a few inspections imported from the old system, with
the scenario decided there (or none). Nothing is performed or decided after `today`."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from leverandoer.models import Provider, ReferralStatus
from leverandoer.services import next_ref, referral_status_set

from . import selectors, services
from .models import ActionPlan, ControlArea, Finding, FollowUpCase, Inspection, Measure

# What an inspector writes, per control area and rating (two of each, so a draw picks one of four).
AREA_REMARKS = {
    "hours_documented": (
        ["Dokumentation for timer findes, men er ufuldstændig.", "Enkelte timesedler mangler godkendelse."],
        ["Bestilte timer kan ikke dokumenteres for flere borgere.", "Leverede timer mangler for en hel måned."],
    ),
    "progress_reports_on_time": (
        ["Progressionsrapporter sendt 2–3 dage for sent.", "Enkelte progressionsrapporter er sendt for sent."],
        [
            "Progressionsrapporter mangler for en stor del af forløbene.",
            "Progressionsrapporter sendes systematisk for sent.",
        ],
    ),
    "progress_report_content": (
        ["Rapporterne beskriver ikke borgerens næste skridt.", "Enkelte rapporter mangler borgerens egne mål."],
        ["Rapporternes indhold lever ikke op til kontraktens krav.", "Rapporterne er enslydende for alle borgere."],
    ),
    "attendance": (
        ["Enkelte fremmødelister mangler underskrift.", "Fravær er registreret, men ikke altid samme dag."],
        ["Fravær er ikke indberettet til jobcentret.", "Fremmøde registreres ikke for eftermiddagsholdet."],
    ),
    "premises": (
        ["Skiltning på adressen mangler.", "Der mangler et stille rum til samtaler."],
        [
            "Lokalerne lever ikke op til kravene i rammeaftalen.",
            "Undervisningen foregår på en anden adresse end aftalt.",
        ],
    ),
    "legislation": (
        ["Partshøring er ikke altid dokumenteret.", "Enkelte afgørelser mangler klagevejledning."],
        ["Afgørelser træffes uden hjemmel i loven.", "Sager behandles uden den krævede partshøring."],
    ),
    "framework_agreement": (
        ["Kontaktpersonen er skiftet uden at give forvaltningen besked.", "Tilbudsbeskrivelsen er ikke opdateret."],
        ["Indsatsen leveres af underleverandør uden aftale.", "Aftalte forløbselementer leveres ikke."],
    ),
}


def remark_for(code: str, rating: str, rng: random.Random) -> str:
    yellow, red = AREA_REMARKS.get(code, (["Mindre mangler."] * 2, ["Væsentlige mangler."] * 2))
    return rng.choice((yellow if rating == "yellow" else red) * 2)


# Why a contract manager decided lower than proposed.
JUSTIFICATIONS = [
    "Forholdet er rettet under besøget.",
    "Den manglende dokumentation er eftersendt og godkendt.",
    "Enkeltstående fejl; leverandøren har allerede ændret sin procedure.",
    "Skyldtes en kortvarig vikardækning, som nu er ophørt.",
]
# Imported from the old system for the oldest year: the scenario decided there (None: not decided)
# and the worst finding it was decided on.
IMPORTED = [(3, "red"), (3, "red"), (2, "red"), (2, "yellow"), (1, "green"), (None, "yellow"), (None, "red")]


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


def _findings(inspection: Inspection, ratings: dict[str, str], rng: random.Random, gross: str | None = None) -> None:
    areas = {area.code: area for area in ControlArea.objects.all()}
    Finding.objects.bulk_create(
        Finding(
            inspection=inspection,
            control_area=areas[code],
            rating=rating,
            remark=remark_for(code, rating, rng) if rating != "green" else "",
            gross_violation=code == gross,
        )
        for code, rating in ratings.items()
    )


def _record(
    inspection: Inspection, ratings: dict[str, str], rng: random.Random, today: date, gross: str | None = None
) -> None:
    inspection.performed_on = inspection.planned_on
    inspection.status = Inspection.Status.SUBMITTED
    inspection.submitted_by = inspection.performer
    submitted_on = min(inspection.planned_on + timedelta(days=10), today)
    inspection.submitted_at = timezone.make_aware(datetime.combine(submitted_on, time(9)))
    inspection.save()
    _findings(inspection, ratings, rng, gross)


def _imported(*, provider, performed_on, creator, number: int, decided: int | None, ratings, rng) -> Inspection:
    """An inspection migrated from the old system, as the inspections import stores one: closed,
    imported, with the scenario the administration decided there (None: never decided)."""
    inspection = Inspection.objects.create(
        ref=f"TS-{performed_on:%Y}-{number:03d}",
        provider=provider,
        planned_on=performed_on,
        performed_on=performed_on,
        created_by=creator,
        method=Inspection.Method.VISIT,
        kind=Inspection.Kind.ANNUAL_BASE,
        announced=False,
        status=Inspection.Status.CLOSED,
        imported=True,
        decided_scenario=decided,
    )
    _findings(inspection, ratings, rng)
    return inspection


def seed_supervision(
    *, rng: random.Random, providers: list[Provider], managers: list, inspectors: list, today: date
) -> int:
    area_codes = list(ControlArea.objects.filter(active=True).values_list("code", flat=True))
    years = (today.year - 2, today.year - 1, today.year)
    # The repeat stories: a red decided as 3 and repeated within the year (scenario 4), and a red
    # decided as 2 whose later red is no repeat; and one gross violation.
    repeat_on = min(date(today.year, 5, 10), today - timedelta(days=45))
    earlier_on = repeat_on - relativedelta(months=8)
    decided_repeat, not_a_repeat, gross_provider = providers[4], providers[15], providers[9]
    stories = {decided_repeat.pk: "progress_reports_on_time", not_a_repeat.pk: "attendance"}
    ordinary = [p for p in providers if p.pk not in stories and p.pk != gross_provider.pk]
    imported = dict(zip((p.pk for p in rng.sample(ordinary, len(IMPORTED))), IMPORTED, strict=True))
    count = 0
    for year in years:
        for provider in providers:
            if provider.pk in stories and year > years[0]:
                continue  # their inspections follow below, in order
            if provider.pk == gross_provider.pk and year == years[-1]:
                continue
            manager = provider.contract_manager or managers[0]
            external_visit = provider.kind != Provider.Kind.INTERNAL and rng.random() < 0.5
            method = (
                Inspection.Method.VISIT
                if provider.kind == Provider.Kind.EXTERNAL or rng.random() < 0.4
                else rng.choice([Inspection.Method.DATA_CHECK, Inspection.Method.CASE_REVIEW])
            )
            planned_on = date(year, rng.randint(2, 11), rng.randint(1, 28))
            if year == years[0] and provider.pk in imported:
                decided, worst = imported[provider.pk]
                _imported(
                    provider=provider,
                    performed_on=planned_on,
                    creator=manager,
                    number=count + 1,
                    decided=decided,
                    ratings=_ratings(rng, area_codes, worst),
                    rng=rng,
                )
                count += 1
                continue
            # This year is in progress: most supervised by today, some planned later in the year,
            # a few not planned yet.
            ahead = False
            if year == years[-1]:
                progress = rng.random()
                if progress < 0.13:
                    continue
                first, last = date(year, 1, 15), today - timedelta(days=14)
                ahead = progress < 0.25 or last < first
                if ahead:
                    if today + timedelta(days=3) > date(year, 12, 20):
                        continue
                    planned_on = _day_in(rng, today + timedelta(days=3), date(year, 12, 20))
                else:
                    planned_on = _day_in(rng, first, last)
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
            if ahead:
                continue  # planned for later in the year
            # The story providers' oldest inspection stays clear of red, so nothing repeats early.
            worst = "yellow" if provider.pk in stories else rng.choices(["green", "yellow", "red"], [12, 5, 1])[0]
            _record(inspection, _ratings(rng, area_codes, worst), rng, today)
            _decide(inspection=inspection, manager=manager, rng=rng, today=today, lower_allowed=True)

    # The stories, in date order so that the later inspection looks back on the decided earlier one.
    for provider, on, area, decide_lower in (
        (decided_repeat, earlier_on, stories[decided_repeat.pk], False),
        (not_a_repeat, earlier_on, stories[not_a_repeat.pk], True),
        (decided_repeat, repeat_on, stories[decided_repeat.pk], False),
        (not_a_repeat, repeat_on, stories[not_a_repeat.pk], False),
        (gross_provider, repeat_on, "framework_agreement", False),
    ):
        manager = provider.contract_manager or managers[0]
        inspection = _create(
            provider=provider,
            planned_on=on,
            performer=manager,
            creator=manager,
            method=Inspection.Method.VISIT,
            kind=Inspection.Kind.ANNUAL_BASE,
            announced=False,
        )
        count += 1
        ratings = {**_ratings(rng, area_codes, "yellow"), area: "red"}
        gross = area if area == "framework_agreement" else None
        _record(inspection, ratings, rng, today, gross)
        _decide(
            inspection=inspection,
            manager=manager,
            rng=rng,
            today=today,
            lower_allowed=False,
            justification="Forholdet er rettet under besøget." if decide_lower else "",
            running=on == repeat_on,  # this year's repeat and gross violation: the cases still run
        )

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


def _day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _decide(
    *, inspection, manager, rng, today: date, lower_allowed: bool, justification: str = "", running: bool = False
) -> None:
    """Assess as a contract manager would: the proposal, or one lower with a short justification
    (a few, at random, where `lower_allowed`; always when a justification is given). Then the
    measures, follow-ups and action plan as far as they would have come by today; a `running`
    case is still open, its action plan awaited."""
    decided_on = inspection.performed_on + timedelta(days=rng.randint(14, 30))
    if decided_on > today or (inspection.performed_on > today - timedelta(days=60) and rng.random() < 0.25):
        return  # submitted, waiting for the contract manager's assessment
    proposal = selectors.proposal_for(inspection=inspection)
    scenario = proposal.scenario
    if lower_allowed and scenario in (2, 3) and rng.random() < 0.15:
        justification = rng.choice(JUSTIFICATIONS)
    if justification:
        scenario = max(1, scenario - 1)
    assessment = services.assessment_confirm(
        inspection=inspection, scenario=scenario, justification=justification, by=manager, decided_on=decided_on
    )
    settled = not running and decided_on < today - timedelta(days=90)  # long enough ago to be closed
    for measure in assessment.measures.filter(done_on__isnull=True):
        # A referral stop is put into effect at once; the rest as far as the case has come.
        if settled or measure.kind == Measure.Kind.REFERRAL_STOP or rng.random() < 0.5:
            done_on = min(decided_on + timedelta(days=rng.randint(5, 40)), today)
            # Through the service, so that a referral stop or restriction takes effect.
            services.measure_complete(measure=measure, note="", by=manager)
            Measure.objects.filter(pk=measure.pk).update(done_on=done_on)
            if measure.kind in (Measure.Kind.REFERRAL_STOP, Measure.Kind.REFERRAL_STRATEGY):
                Provider.objects.filter(pk=inspection.provider_id).exclude(referral_status=ReferralStatus.OPEN).update(
                    referral_set_on=done_on
                )
    for follow_up in assessment.follow_ups.all():
        done_on = decided_on + timedelta(days=rng.randint(20, 90))
        if settled and done_on <= today:
            follow_up.done_on = done_on
            follow_up.save()
    plan = getattr(assessment, "action_plan", None)
    if plan and not running and (settled or rng.random() < 0.5):
        plan.status = ActionPlan.Status.APPROVED if settled else ActionPlan.Status.RECEIVED
        plan.filename = "handleplan.pdf"
        plan.save()
    if settled:
        services.inspection_close(inspection=inspection, by=manager)
        settle_case(case=assessment.case, by=manager, on=min(decided_on + timedelta(days=120), today))


def settle_case(*, case, by, on: date) -> None:
    """A demo case that ran its course: what is left done, the plan approved, the case closed, and
    referrals it stopped or restricted opened again, each with its justification."""
    if case is None or not case.is_open:
        return
    case.measures.filter(done_on__isnull=True).update(done_on=on, done_by=by)
    case.follow_ups.filter(done_on__isnull=True).update(done_on=on)
    case.action_plans.exclude(status=ActionPlan.Status.APPROVED).update(
        status=ActionPlan.Status.APPROVED, filename="handleplan.pdf"
    )
    services.case_close(case=case, note="Handleplanen er godkendt, og forholdene er bragt i orden.", by=by)
    FollowUpCase.objects.filter(pk=case.pk).update(closed_at=timezone.make_aware(datetime.combine(on, time(15))))
    provider = case.provider
    justification = f"Forholdene er bragt i orden; opfølgningssag {case.ref} er afsluttet."
    for target in [provider, *provider.offers.exclude(referral_status=ReferralStatus.OPEN)]:
        if target.referral_status != ReferralStatus.OPEN:
            referral_status_set(target=target, status=ReferralStatus.OPEN, reason=justification, by=by, on=on)
