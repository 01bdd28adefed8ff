"""Demo data for tracks 1–4 over the demo's three living years up to `today`: complaints,
anonymous survey answers, Anden Aktør cases with yearly spot checks and their reviews, and delivery
and effect data (hours, progression reports, attendance, outcomes). Nothing is measured, due,
answered or decided after `today`; the half-year containing it holds data up to today only.
Deterministic given the random generator and the date passed in.

Seed 003: "Generelt lever leverandørerne op til forvaltningens krav". So quality is per provider,
track and half-year: about an eighth of the providers are "poor", but a poor provider falls short on
one track a half-year, and not on the same track two half-years running (a shortfall the
administration dealt with is put right); a normal provider now and then has a weak half-year on one
track; a few are "excellent" throughout. Effect shortfalls are either small or clearly large with
many citizens, so that a colour worse than green stands beyond chance.
Complaints, spot checks and case reviews go through the real services (refs, action plans and the
reproducible draw); the bulk rows are bulk-created (no history rows, which is fine for demo data).
Citizens are pseudonyms like "B-104233", never anything that looks like a CPR number.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from leverandoer.models import Offer, Provider
from tilsyn.models import ActionPlan, CaseEvent

from . import services
from .models import (
    Attendance,
    Case,
    ChecklistItem,
    Complaint,
    HoursRecord,
    Outcome,
    ProgressReport,
    SampledCase,
    SurveyResponse,
)
from .periods import HalfYear

BATCH = 500

POOR, NORMAL, EXCELLENT = "poor", "normal", "excellent"

COMPLAINT_SUBJECTS = {
    Complaint.Kind.FORMALITY: [
        "Borgeren er ikke blevet partshørt før afgørelsen",
        "Manglende svar på henvendelser i flere uger",
        "Samtale aflyst uden varsel",
        "Utilstrækkelig vejledning om rettigheder og pligter",
        "Sagsbehandlingstiden er overskredet",
        "Borgeren oplever en uhøflig tone ved samtalen",
        "Jobplanen er ikke udleveret til borgeren",
        "Aktindsigt ikke givet inden for fristen",
    ],
    Complaint.Kind.REALITY: [
        "Klage over afgørelse om sanktion",
        "Klage over afslag på uddannelsesforløb",
        "Klage over vurdering af rådighed",
        "Klage over afgørelse om aktiveringstilbud",
        "Klage over afslag på befordringsgodtgørelse",
    ],
}
DECISION_WEIGHTS = {  # upheld, partly upheld, not upheld, dismissed
    POOR: [34, 18, 33, 15],
    NORMAL: [9, 11, 66, 14],
    EXCELLENT: [4, 6, 76, 14],
}
DECISIONS = [
    Complaint.Decision.UPHELD,
    Complaint.Decision.PARTLY_UPHELD,
    Complaint.Decision.NOT_UPHELD,
    Complaint.Decision.DISMISSED,
]

SCORE_WEIGHTS = {  # scores 1..5
    POOR: [10, 17, 30, 28, 15],
    NORMAL: [2, 4, 12, 40, 42],
    EXCELLENT: [1, 2, 8, 36, 53],
}
COMMENTS = {
    "low": [
        "Jeg føler ikke, at jeg bliver hørt.",
        "Der er for meget ventetid og for lidt indhold.",
        "Min mentor har skiftet tre gange på to måneder.",
        "Lokalerne er trange og der er koldt.",
        "Aflyste aftaler uden besked.",
    ],
    "mid": [
        "Det er okay, men kunne godt være mere konkret.",
        "Nogle dage er gode, andre dage er der ikke så meget at lave.",
        "Jeg ville ønske, der var mere fokus på praktik.",
        "Fint forløb, men lidt langt at komme ud til.",
    ],
    "high": [
        "Rigtig god hjælp til at skrive ansøgninger.",
        "Min kontaktperson er meget engageret.",
        "Jeg har fået en praktikplads gennem forløbet – tak!",
        "God stemning og dygtige undervisere.",
        "Jeg føler mig godt klædt på til at søge job.",
    ],
}

# Share off public support by offer type, adjusted by target group and provider quality.
OUTCOME_BASE = {
    "virksomhedsrettet": 0.50,
    "jobsoegning": 0.52,
    "mentor": 0.36,
    "afklaring": 0.32,
    "opkvalificering": 0.46,
    "dansk-job": 0.40,
    "kontaktforloeb": 0.48,
}
GROUP_ADJUST = {
    "jobparate": 0.08,
    "forsikrede": 0.10,
    "unge": 0.02,
    "sygedagpenge": 0.0,
    "integration": -0.04,
    "aktivitetsparate": -0.10,
    "ressourceforloeb": -0.14,
}
QUALITY_ADJUST = {POOR: -0.25, NORMAL: 0.0, EXCELLENT: 0.04}  # a poor half-year: clearly below

# Probabilities per quality: report missing, report on time (of those submitted), content approved,
# attendance registered correctly, checklist item met.
REPORT_MISSING = {POOR: 0.12, NORMAL: 0.01, EXCELLENT: 0.005}
REPORT_ON_TIME = {POOR: 0.68, NORMAL: 0.975, EXCELLENT: 0.99}
REPORT_APPROVED = {POOR: 0.74, NORMAL: 0.93, EXCELLENT: 0.98}
ATTENDANCE_OK = {POOR: 0.86, NORMAL: 0.975, EXCELLENT: 0.995}
ITEM_MET = {POOR: 0.70, NORMAL: 0.90, EXCELLENT: 0.97}


def _day_in(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def living_years(today: date) -> tuple[int, int, int]:
    """The demo's three years: the two before today's and today's own, which is in progress."""
    return (today.year - 2, today.year - 1, today.year)


def _half_years(today: date) -> list[HalfYear]:
    """The living half-years that have begun by today, oldest first."""
    return [
        period
        for year in living_years(today)
        for period in (HalfYear(year, 1), HalfYear(year, 2))
        if period.start <= today
    ]


def _share_elapsed(start: date, end: date, today: date) -> float:
    """How much of [start, end] lies on or before today (1 for a period that has ended)."""
    if today >= end:
        return 1.0
    return max(0.0, ((today - start).days + 1) / ((end - start).days + 1))


TRACK_KEYS = ("complaints", "surveys", "case_handling", "effect", "reports", "hours")


class _Quality:
    """Quality per provider, track and half-year (see the module docstring): a poor provider is
    weak on one track a half-year, never the same track two half-years running; a normal one has a
    weak half-year on one track now and then; an excellent one is excellent throughout."""

    WEAK_HALF_YEAR = 0.06  # a normal provider's chance of a weak half-year on one track

    def __init__(self, rng: random.Random, providers: list[Provider], half_years: list[HalfYear]):
        self.base = _qualities(rng, providers)
        self.weak: dict[tuple[int, HalfYear], str] = {}
        for provider in providers:
            tracks = [t for t in TRACK_KEYS if t != "case_handling" or provider.kind == Provider.Kind.ANDEN_AKTOER]
            last = None
            for period in half_years:
                base = self.base[provider.pk]
                if base == POOR or (base == NORMAL and rng.random() < self.WEAK_HALF_YEAR):
                    last = rng.choice([track for track in tracks if track != last])
                    self.weak[(provider.pk, period)] = last
                else:
                    last = None

    def of(self, provider_id: int, track: str, when: date | HalfYear) -> str:
        period = when if isinstance(when, HalfYear) else HalfYear.containing(when)
        if self.base[provider_id] == EXCELLENT:
            return EXCELLENT
        return POOR if self.weak.get((provider_id, period)) == track else NORMAL

    def count(self, value: str) -> int:
        return sum(1 for quality in self.base.values() if quality == value)


def _qualities(rng: random.Random, providers: list[Provider]) -> dict[int, str]:
    """About an eighth poor, a few excellent. The providers the supervision demo treats as repeat or
    gross offenders (indexes 4, 9 and 15) are always among the poor."""
    quality = {provider.pk: NORMAL for provider in providers}
    fixed = [providers[i] for i in (4, 9, 15) if i < len(providers)]
    target = max(1, round(len(providers) * 0.125))
    rest = [provider for provider in providers if provider not in fixed]
    poor = fixed + rng.sample(rest, max(0, min(len(rest), target - len(fixed))))
    for provider in poor:
        quality[provider.pk] = POOR
    normal = [provider for provider in providers if quality[provider.pk] == NORMAL]
    for provider in rng.sample(normal, min(len(normal), max(1, len(providers) // 10))):
        quality[provider.pk] = EXCELLENT
    return quality


class _Citizens:
    """Unique pseudonymous refs "B-NNNNNN": six digits can never form a CPR number."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def new(self) -> str:
        while True:
            ref = f"B-{self.rng.randint(100000, 999999)}"
            if ref not in self.used:
                self.used.add(ref)
                return ref


# --- Track 1 -----------------------------------------------------------------------------------


COMPLAINTS_PER_HALF_YEAR = {POOR: (3, 5), NORMAL: (0, 1), EXCELLENT: (0, 1)}


def _seed_complaints(rng, providers, quality, citizens, caseworker, today) -> tuple[int, int]:
    count = flagged = 0
    for year in living_years(today):
        specs, flagged_this_year = [], 0
        for period in (HalfYear(year, 1), HalfYear(year, 2)):
            last_received = min(period.end - timedelta(days=15), today)
            if last_received < period.start + timedelta(days=2):
                continue
            for provider in providers:
                q = quality.of(provider.pk, "complaints", period)
                low, high = COMPLAINTS_PER_HALF_YEAR[q]
                for _ in range(rng.randint(low, high)):
                    aa = provider.kind == Provider.Kind.ANDEN_AKTOER
                    kind = Complaint.Kind.REALITY if aa and rng.random() < 0.6 else Complaint.Kind.FORMALITY
                    received = _day_in(rng, period.start + timedelta(days=2), last_received)
                    decision, decided, forwarded = "", None, None
                    decided_candidate = received + timedelta(days=rng.randint(18, 80))
                    recent = received > today - timedelta(days=75)
                    if decided_candidate <= today and not (recent and rng.random() < 0.6):
                        decision = rng.choices(DECISIONS, DECISION_WEIGHTS[q])[0]
                        decided = decided_candidate
                        # Every decision is forwarded; a handful (mostly recent) not yet.
                        late_share = 0.35 if decided > today - timedelta(days=60) else 0.03
                        if rng.random() >= late_share:
                            forwarded = min(decided + timedelta(days=rng.randint(0, 9)), today)
                    # About one complaint a year points to a general wrong practice at a poor provider.
                    general = (
                        q == POOR
                        and decision == Complaint.Decision.UPHELD
                        and not flagged_this_year
                        and rng.random() < 0.5
                    )
                    flagged_this_year += general
                    specs.append(
                        {
                            "received_on": received,
                            "kind": kind,
                            "provider": provider,
                            "subject": rng.choice(COMPLAINT_SUBJECTS[kind]),
                            "citizen_ref": citizens.new(),
                            "decision": decision,
                            "decided_on": decided,
                            "forwarded_on": forwarded,
                            "general_practice": general,
                        }
                    )
        # In date order, so that the generated refs KLG-YYYY-NNNN run with the dates.
        for data in sorted(specs, key=lambda spec: (spec["received_on"], spec["provider"].pk)):
            complaint = services.complaint_save(complaint=None, data=data, by=caseworker)
            count += 1
            if complaint.case_id:  # the escalation happened when the complaint was decided
                CaseEvent.objects.filter(source="complaint", reference=complaint.ref).update(
                    at=timezone.make_aware(datetime.combine(complaint.decided_on or complaint.received_on, time(12)))
                )
            if complaint.action_plan_id:
                flagged += 1
                # The service dates the deadline from today; for demo complaints, from the decision.
                # A plan whose deadline is well past was approved; a recent one is still awaited.
                deadline = (complaint.decided_on or complaint.received_on) + timedelta(days=30)
                done = deadline < today - timedelta(days=60)
                ActionPlan.objects.filter(pk=complaint.action_plan_id).update(
                    deadline=deadline,
                    status=ActionPlan.Status.APPROVED if done else ActionPlan.Status.DEMANDED,
                    filename="handleplan.pdf" if done else "",
                )
    return count, flagged


# --- Track 2 -----------------------------------------------------------------------------------


def _comment(rng: random.Random, score: int) -> str:
    if rng.random() >= 0.22:
        return ""
    return rng.choice(COMMENTS["low" if score <= 2 else "mid" if score == 3 else "high"])


def _seed_surveys(rng, offers, quality, today) -> int:
    rows = []
    for offer in offers:
        for period in _half_years(today):
            weights = SCORE_WEIGHTS[quality.of(offer.provider_id, "surveys", period)]
            last = min(period.end, today)
            answers = round(rng.randint(5, 20) * _share_elapsed(period.start, period.end, today))
            for _ in range(answers):
                score = rng.choices([1, 2, 3, 4, 5], weights)[0]
                rows.append(
                    SurveyResponse(
                        offer=offer,
                        answered_on=_day_in(rng, period.start, last),
                        score=score,
                        comment=_comment(rng, score),
                    )
                )
    SurveyResponse.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


# --- Track 3 -----------------------------------------------------------------------------------


def _seed_spot_checks(rng, providers, quality, managers, today) -> dict[str, int]:
    counts = {"cases": 0, "spot_checks": 0, "sampled_cases": 0, "case_reviews": 0}
    items = list(ChecklistItem.objects.filter(active=True).values_list("code", flat=True))
    for provider in providers:
        if provider.kind != Provider.Kind.ANDEN_AKTOER:
            continue
        cases = [
            Case(
                provider=provider,
                case_ref=f"S-{provider.ref}-{number:04d}",
                status=Case.Status.ONGOING if rng.random() < 0.4 else Case.Status.COMPLETED,
            )
            for number in range(1, rng.randint(40, 80) + 1)
        ]
        Case.objects.bulk_create(cases, batch_size=BATCH)
        counts["cases"] += len(cases)
        for year in living_years(today):
            drawn_on = _day_in(rng, date(year, 2, 1), date(year, 10, 28))
            if drawn_on > today - timedelta(days=30):
                # This year's draw lies ahead; drawn already if there was time for a review.
                if today - timedelta(days=30) < date(year, 1, 15):
                    continue
                drawn_on = _day_in(rng, date(year, 1, 15), today - timedelta(days=30))
            spot_check = services.spot_check_draw(
                provider=provider,
                by=provider.contract_manager or managers[0],
                ongoing=10,
                completed=10,
                seed=rng.randrange(2**31),
                on=drawn_on,
            )
            counts["spot_checks"] += 1
            reviewed_on = min(drawn_on + timedelta(days=rng.randint(10, 45)), date(year, 12, 31), today)
            met_share = ITEM_MET[quality.of(provider.pk, "case_handling", reviewed_on)]
            for sampled in SampledCase.objects.filter(spot_check=spot_check).order_by("pk"):
                counts["sampled_cases"] += 1
                judgements = {
                    code: None
                    if rng.random() < 0.07
                    else rng.random() < met_share - (0.05 if "adequate" in code else 0)
                    for code in items
                }
                counts["case_reviews"] += services.case_review_save(
                    sampled_case=sampled, judgements=judgements, on=reviewed_on
                )
    return counts


# --- Track 4 -----------------------------------------------------------------------------------


def _delivered_share(rng: random.Random, q: str) -> float:
    if q == POOR:
        return rng.uniform(0.92, 0.985)
    if q == EXCELLENT:
        return 1.0 if rng.random() < 0.85 else rng.uniform(0.99, 1.0)
    return 1.0 if rng.random() < 0.7 else rng.uniform(0.975, 0.999)


def _seed_hours(rng, offers, quality, today) -> int:
    """Ordered and delivered hours per quarter; the quarter in progress up to today."""
    rows = []
    for offer in offers:
        level = rng.randint(60, 400)  # the offer's typical ordered hours per quarter
        for year in living_years(today):
            order_ref = f"BST-{year}-{offer.ref}"
            for quarter in range(4):
                start = date(year, 3 * quarter + 1, 1)
                if start > today:
                    break
                full_end = start + relativedelta(months=3) - timedelta(days=1)
                share = _share_elapsed(start, full_end, today)
                q = quality.of(offer.provider_id, "hours", start)
                ordered = Decimal(max(1, round(level * share * rng.uniform(0.7, 1.3) * 2))) / 2
                delivered = (ordered * Decimal(str(round(_delivered_share(rng, q), 4)))).quantize(Decimal("0.1"))
                rows.append(
                    HoursRecord(
                        offer=offer,
                        order_ref=order_ref,
                        period_start=start,
                        period_end=min(full_end, today),
                        ordered_hours=ordered,
                        delivered_hours=min(delivered, ordered),
                    )
                )
    HoursRecord.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _outcome_share(offer: Offer, q: str) -> float:
    share = OUTCOME_BASE.get(offer.offer_type.code, 0.42) + GROUP_ADJUST.get(offer.target_group.code, 0.0)
    return min(0.75, max(0.15, share + QUALITY_ADJUST[q]))


def _seed_courses(rng, offers, quality, citizens, today) -> dict[str, int]:
    """Citizens' courses per offer, generated back from the half-year in which their result is
    measured, from the first living half-year to one beyond today (courses under way now, whose
    results lie ahead). Only rows dated from the first living year up to today are kept.

    The number off public support in an offer's half-year is the expected share of the citizens,
    now and then one more or fewer: an effect shortfall is small, or (in a provider's weak
    half-year on effect) clearly large and over many citizens, never chance on a dozen."""
    first_day = date(living_years(today)[0], 1, 1)
    now = HalfYear.containing(today)
    measured_in = [*_half_years(today), HalfYear(now.year, 2) if now.half == 1 else HalfYear(now.year + 1, 1)]
    reports, attendance, outcomes = [], [], []
    for offer in offers:
        for period in measured_in:
            q_effect = quality.of(offer.provider_id, "effect", period)
            batch = []
            for _ in range(rng.randint(28, 36) if q_effect == POOR else rng.randint(10, 14)):
                citizen = citizens.new()
                follow_up = _day_in(rng, period.start, period.end)
                months = rng.choice([3, 4, 4, 6])
                if offer.result_basis == Offer.ResultBasis.COURSE_START:
                    start = follow_up - relativedelta(months=offer.result_months)
                    end = start + relativedelta(months=months) - timedelta(days=1)
                else:
                    end = follow_up - relativedelta(months=offer.result_months)
                    start = end - relativedelta(months=months) + timedelta(days=1)
                if start > today:
                    continue
                # Progression reports: midway in longer courses, and at the end.
                due_dates = [start + relativedelta(months=months // 2)] if months >= 4 else []
                due_dates.append(end + timedelta(days=10))
                for due in due_dates:
                    if not first_day <= due <= today:
                        continue
                    q = quality.of(offer.provider_id, "reports", due)
                    submitted = approved = None
                    if rng.random() >= REPORT_MISSING[q]:
                        late = rng.random() >= REPORT_ON_TIME[q]
                        submitted = due + timedelta(days=rng.randint(1, 25) if late else -rng.randint(0, 7))
                        approved = rng.random() < REPORT_APPROVED[q]
                        if submitted > today:  # late and still outstanding
                            submitted = approved = None
                    reports.append(
                        ProgressReport(
                            offer=offer,
                            citizen_ref=citizen,
                            due_date=due,
                            submitted_date=submitted,
                            content_approved=approved,
                        )
                    )
                month = start.replace(day=1)
                while month <= min(end, today):
                    if month >= first_day:
                        ok = ATTENDANCE_OK[quality.of(offer.provider_id, "reports", month)]
                        attendance.append(
                            Attendance(
                                offer=offer, citizen_ref=citizen, month=month, registered_correctly=rng.random() < ok
                            )
                        )
                    month += relativedelta(months=1)
                if first_day <= follow_up <= today and end <= today:
                    batch.append(
                        Outcome(
                            offer=offer,
                            citizen_ref=citizen,
                            course_start=start,
                            course_end=end,
                            months_after=offer.result_months,
                            off_public_support=False,
                            follow_up_on=follow_up,
                        )
                    )
            off = round(len(batch) * _outcome_share(offer, q_effect))
            if rng.random() < 0.3:
                off += rng.choice([-1, 1])
            for outcome in rng.sample(batch, max(0, min(len(batch), off))):
                outcome.off_public_support = True
            outcomes += batch
    ProgressReport.objects.bulk_create(reports, batch_size=BATCH)
    Attendance.objects.bulk_create(attendance, batch_size=BATCH)
    Outcome.objects.bulk_create(outcomes, batch_size=BATCH)
    return {"progress_reports": len(reports), "attendance": len(attendance), "outcomes": len(outcomes)}


# --- Entry point -------------------------------------------------------------------------------


def seed_tracks(*, rng: random.Random, providers: list, managers: list, caseworker, today: date) -> dict[str, int]:
    """Tracks 1–4 for the demo providers over the living years up to `today`. Returns how many rows
    of each kind were made."""
    quality = _Quality(rng, providers, _half_years(today))
    offers = list(
        Offer.objects.filter(provider__in=providers).select_related("offer_type", "target_group").order_by("pk")
    )
    citizens = _Citizens(rng)
    complaints, flagged = _seed_complaints(rng, providers, quality, citizens, caseworker, today)
    counts = {"complaints": complaints, "complaint_action_plans": flagged}
    counts["survey_responses"] = _seed_surveys(rng, offers, quality, today)
    counts |= _seed_spot_checks(rng, providers, quality, managers, today)
    counts["hours_records"] = _seed_hours(rng, offers, quality, today)
    counts |= _seed_courses(rng, offers, quality, citizens, today)
    counts["poor_providers"] = quality.count(POOR)
    counts["excellent_providers"] = quality.count(EXCELLENT)
    return counts
