"""Tracks 1–4 of the quality follow-up model: complaints, anonymous user surveys, case-handling spot
checks, and delivery and effect data; and the log of every import.

Citizens appear only as pseudonymous references (`citizen_ref`), never by CPR number.
"""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from leverandoer.fields import FreeCharField, FreeTextField
from leverandoer.models import Provider, ref_field
from leverandoer.validators import validate_not_cpr

citizen_ref_field = dict(
    verbose_name=_("citizen reference"),
    max_length=40,
    validators=[validate_not_cpr],
    help_text=_("The citizen's pseudonymous reference, never a CPR number."),
)


# --- Track 1: complaints -----------------------------------------------------------------------


class Complaint(models.Model):
    class Kind(models.TextChoices):
        FORMALITY = "formality", _("Formality complaint about case handling")
        REALITY = "reality", _("Reality complaint about a decision by Anden Aktør")

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
        NOT_UPHELD = "not_upheld", _("Not upheld")
        DISMISSED = "dismissed", _("Dismissed")

    ref = ref_field()
    received_on = models.DateField(_("received"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    provider = models.ForeignKey(
        "leverandoer.Provider",
        verbose_name=_("provider or centre"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    subject = FreeCharField(_("subject"), max_length=300, blank=True)
    citizen_ref = models.CharField(blank=True, **citizen_ref_field)
    decision = models.CharField(_("decision"), max_length=14, choices=Decision.choices, blank=True)
    decided_on = models.DateField(_("decision date"), null=True, blank=True)
    forwarded_on = models.DateField(
        _("forwarded to the provider"), null=True, blank=True, help_text=_("Every decision is sent to the provider.")
    )
    general_practice = models.BooleanField(
        _("indicates a general wrong practice"),
        default=False,
        help_text=_("Opens a dialogue with the provider and demands an action plan."),
    )
    action_plan = models.OneToOneField(
        "tilsyn.ActionPlan",
        verbose_name=_("action plan"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaint",
    )
    case = models.ForeignKey(
        "tilsyn.FollowUpCase",
        verbose_name=_("follow-up case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return self.ref

    def get_absolute_url(self) -> str:
        return reverse("kvalitet:complaint_edit", args=[self.ref])


class ComplaintAccess(models.Model):
    """One read of complaint data: who, when, how, which complaint and which citizen. Written by the
    pages that show complaints, one row per complaint shown; read by an administrator in the admin,
    searched by citizen reference. Never edited: the admin refuses adding, changing and deleting,
    and `save` refuses to change a row. No foreign key to the complaint, so the log outlives the
    complaint's retention and is deleted on its own schedule (COMPLAINT_ACCESS_LOG_RETENTION_DAYS)."""

    class Action(models.TextChoices):
        LIST = "list", _("Listed")
        VIEW = "view", _("Viewed")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    complaint_ref = models.CharField(_("complaint"), max_length=32)
    citizen_ref = models.CharField(_("citizen reference"), max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("complaint access")
        verbose_name_plural = _("complaint access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.complaint_ref}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("The access log is append-only: a row is never changed.")
        super().save(*args, **kwargs)


# --- Track 2: anonymous user surveys -----------------------------------------------------------


def new_survey_token() -> str:
    return secrets.token_urlsafe(12)


class SurveyLink(models.Model):
    """The public address of an offer's survey. A random token, so offers cannot be guessed."""

    offer = models.OneToOneField(
        "leverandoer.Offer", verbose_name=_("offer"), on_delete=models.CASCADE, related_name="survey_link"
    )
    token = models.CharField(_("token"), max_length=32, unique=True, default=new_survey_token)
    active = models.BooleanField(_("open for answers"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")

    def __str__(self) -> str:
        return self.token

    def get_absolute_url(self) -> str:
        return reverse("kvalitet:survey_answer", args=[self.token])


class SurveyResponse(models.Model):
    """One anonymous answer: a score and perhaps a comment. Nothing about who answered is kept."""

    offer = models.ForeignKey(
        "leverandoer.Offer", verbose_name=_("offer"), on_delete=models.PROTECT, related_name="survey_responses"
    )
    answered_on = models.DateField(_("answered"))
    score = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = FreeTextField(_("comment"), blank=True, max_length=2000)
    import_key = models.CharField(_("import key"), max_length=128, unique=True, null=True, blank=True)
    imported = models.BooleanField(_("imported"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-answered_on", "-pk"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="score_1_to_5")]

    def __str__(self) -> str:
        return f"{self.offer_id}: {self.score}"


# --- Track 3: case-handling spot checks --------------------------------------------------------

# Whose case handling is spot-checked: Anden Aktør, who take decisions in citizens' cases, and the
# municipality's own centres (seed 003: BIF's own offers by spot checks in the administration's
# systems). External providers under a framework agreement are not. One rule for the draw, the
# form, the page and the `cases` import.
CASE_HANDLING_KINDS = (Provider.Kind.ANDEN_AKTOER, Provider.Kind.INTERNAL)


class Case(models.Model):
    """A citizen's case at an Anden Aktør provider or an own centre, imported so that a sample can be
    drawn."""

    class Status(models.TextChoices):
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")

    provider = models.ForeignKey(
        "leverandoer.Provider", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="cases"
    )
    case_ref = models.CharField(_("case reference"), max_length=40, validators=[validate_not_cpr])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case_ref"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [models.UniqueConstraint(fields=["provider", "case_ref"], name="unique_case_per_provider")]

    def __str__(self) -> str:
        return self.case_ref


class ChecklistItem(models.Model):
    """What a spot check reviews in each case. Codes never change; labels are editable."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")

    def __str__(self) -> str:
        return self.label


class SpotCheck(models.Model):
    """A reproducible sample of a provider's cases: `random.Random(seed).sample` over the case refs
    in sorted order, separately for ongoing and completed cases."""

    provider = models.ForeignKey(
        "leverandoer.Provider", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="spot_checks"
    )
    drawn_on = models.DateField(_("drawn"))
    seed = models.BigIntegerField(_("seed"))
    ongoing_requested = models.PositiveSmallIntegerField(_("ongoing cases requested"), default=15)
    completed_requested = models.PositiveSmallIntegerField(_("completed cases requested"), default=15)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-drawn_on", "-pk"]
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")

    def __str__(self) -> str:
        return f"{self.provider.name} {self.drawn_on}"

    def get_absolute_url(self) -> str:
        return reverse("kvalitet:spot_check_detail", args=[self.pk])


class SampledCase(models.Model):
    """A case in a spot check's sample. Written once with the spot check (whose history keeps who
    drew it, when and with which seed) and never changed: no history of its own."""

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="sampled")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-case__status", "case__case_ref"]  # ongoing before completed, as drawn
        constraints = [models.UniqueConstraint(fields=["spot_check", "case"], name="case_once_per_spot_check")]

    def __str__(self) -> str:
        return str(self.case)


class CaseReview(models.Model):
    """One checklist item judged in one sampled case: met, not met (a row with met False), or not
    assessed (no row)."""

    sampled_case = models.ForeignKey(SampledCase, on_delete=models.CASCADE, related_name="reviews")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), on_delete=models.PROTECT)
    met = models.BooleanField(_("met"))
    reviewed_on = models.DateField(_("reviewed"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("case review")
        verbose_name_plural = _("case reviews")
        constraints = [models.UniqueConstraint(fields=["sampled_case", "item"], name="item_once_per_case")]

    def __str__(self) -> str:
        return f"{self.sampled_case}: {self.item.code}"


# --- Track 4: delivery and effect data ---------------------------------------------------------


class HoursRecord(models.Model):
    offer = models.ForeignKey("leverandoer.Offer", on_delete=models.PROTECT, related_name="hours")
    order_ref = models.CharField(_("order"), max_length=40)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    ordered_hours = models.DecimalField(_("ordered hours"), max_digits=9, decimal_places=2)
    delivered_hours = models.DecimalField(_("delivered hours"), max_digits=9, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hours")
        verbose_name_plural = _("hours")
        constraints = [models.UniqueConstraint(fields=["order_ref", "period_start"], name="one_hours_row_per_period")]

    def __str__(self) -> str:
        return f"{self.order_ref} {self.period_start}"


class ProgressReport(models.Model):
    offer = models.ForeignKey("leverandoer.Offer", on_delete=models.PROTECT, related_name="progress_reports")
    citizen_ref = models.CharField(**citizen_ref_field)
    due_date = models.DateField(_("due"))
    submitted_date = models.DateField(_("submitted"), null=True, blank=True)
    content_approved = models.BooleanField(_("content approved"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progression report")
        verbose_name_plural = _("progression reports")
        constraints = [
            models.UniqueConstraint(fields=["offer", "citizen_ref", "due_date"], name="one_report_per_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.citizen_ref} {self.due_date}"

    @property
    def on_time(self) -> bool:
        return self.submitted_date is not None and self.submitted_date <= self.due_date


class Attendance(models.Model):
    offer = models.ForeignKey("leverandoer.Offer", on_delete=models.PROTECT, related_name="attendance")
    citizen_ref = models.CharField(**citizen_ref_field)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    registered_correctly = models.BooleanField(_("registered correctly"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance registration")
        verbose_name_plural = _("attendance registrations")
        constraints = [
            models.UniqueConstraint(fields=["offer", "citizen_ref", "month"], name="one_attendance_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.citizen_ref} {self.month:%Y-%m}"


class Outcome(models.Model):
    """Whether the citizen was off public support `months_after` months after the course."""

    offer = models.ForeignKey("leverandoer.Offer", on_delete=models.PROTECT, related_name="outcomes")
    citizen_ref = models.CharField(**citizen_ref_field)
    course_start = models.DateField(_("course start"))
    course_end = models.DateField(_("course end"))
    months_after = models.PositiveSmallIntegerField(_("months after"))
    off_public_support = models.BooleanField(_("off public support"))
    follow_up_on = models.DateField(_("follow-up date"), help_text=_("When the result was measured."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(fields=["offer", "citizen_ref", "course_start"], name="one_outcome_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.citizen_ref} {self.course_start}"


# --- Imports -----------------------------------------------------------------------------------


class ImportLog(models.Model):
    """Every import: who, when, what kind, which file (name and hash) and what it changed. A failed
    import is logged too, with its number of errors; it stored nothing. Itself an audit record,
    never edited: no history."""

    kind = models.CharField(_("kind"), max_length=20)
    filename = FreeCharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    added = models.PositiveIntegerField(_("added"))
    updated = models.PositiveIntegerField(_("updated"))
    errors = models.PositiveIntegerField(_("errors"), default=0, help_text=_("A failed import stores nothing."))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"


class ImportRun(models.Model):
    """An import of more rows than IMPORT_BACKGROUND_ROWS, run by a worker with a progress bar. The
    upload waits in a private file under MEDIA_ROOT (never served), named by the run, and is deleted
    when the run ends. Claimed and swept like a report run (pending → running → done/failed, the
    attempt number is the claim, a heartbeat while it works). The import itself is the same
    all-or-nothing import as in the request, writing the same ImportLog. No history: the log is the
    audit record, and the heartbeat would fill a history table with noise."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20)
    filename = FreeCharField(_("file name"), max_length=255)
    upload = models.CharField(_("stored upload"), max_length=100, blank=True, help_text=_("Relative to MEDIA_ROOT."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    added = models.PositiveIntegerField(_("added"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # The errors a person is shown (at most the first 50 and a count of the rest), written in the
    # language of the person who started the import.
    errors = models.JSONField(_("error messages"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=10, default="da")
    error = FreeTextField(_("error"), blank=True, help_text=_("Why the run itself failed, for the administrator."))
    log = models.ForeignKey(
        ImportLog, verbose_name=_("import"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("kvalitet:import_run", args=[self.pk])


# --- Scoring rules -----------------------------------------------------------------------------


# What a limit can sensibly be, per rule: percentages 0–100, survey scores 1–5, the effect gap in
# percentage points −100–100, numbers of upheld complaints from 0.
LIMIT_RANGES = {
    "complaints": (0, 1000),
    "user_surveys": (1, 5),
    "case_handling": (0, 100),
    "effect": (-100, 100),
    "supervision_hours": (0, 100),
    "supervision_reports": (0, 100),
}


class ScoringRule(models.Model):
    """The limits that colour a track (see `kvalitet.scoring`). Higher is better: green from
    `green`, yellow from `yellow`. Lower is better: green up to `green`, yellow up to `yellow`.
    Below `minimum` data points the track has no colour."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=200)
    green = models.DecimalField(_("green limit"), max_digits=7, decimal_places=2)
    yellow = models.DecimalField(_("yellow limit"), max_digits=7, decimal_places=2)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    minimum = models.PositiveIntegerField(_("minimum data points"), default=0)
    confidence = models.DecimalField(
        _("confidence level (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Effect only: a colour worse than green needs the upper bound of the offer's Wilson interval at this "
            "two-sided level below the limit."
        ),
    )
    description = FreeTextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return self.label

    def as_rule(self):
        from .scoring import Rule

        return Rule(self.code, self.green, self.yellow, self.higher_is_better, self.minimum, self.confidence)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.green is None or self.yellow is None:
            return
        low, high = LIMIT_RANGES.get(self.code, (None, None))
        for name in ("green", "yellow"):
            value = getattr(self, name)
            if low is not None and not low <= value <= high:
                raise ValidationError(
                    {name: _("The limit must lie between %(low)s and %(high)s.") % {"low": low, "high": high}}
                )
        if self.code == "effect" and (self.confidence is None or not Decimal(0) < self.confidence < Decimal(100)):
            raise ValidationError({"confidence": _("The confidence level must lie strictly between 0 and 100 %.")})
        problems = self.as_rule().problems()
        if "yellow_above_green" in problems:
            raise ValidationError({"yellow": _("The yellow limit cannot be above the green limit.")})
        if "yellow_below_green" in problems:
            raise ValidationError({"yellow": _("The yellow limit cannot be below the green limit.")})
