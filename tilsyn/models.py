"""The supervision domain (track 5 and Table 1), and the worker heartbeat."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from leverandoer.fields import FreeCharField, FreeTextField


class WorkerPing(models.Model):
    """A round trip through the broker and a worker, asked for from the system status page.

    The row is the durable record: it is written before the task is sent and the worker
    stamps it when it runs, so a lost message or a dead worker shows as a ping never answered.
    A technical probe, not domain data: no history.
    """

    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("worker ping")
        verbose_name_plural = _("worker pings")

    def __str__(self) -> str:
        return f"#{self.pk}"


# --- Supervision (track 5) ---------------------------------------------------------------------


class Rating(models.TextChoices):
    GREEN = "green", _("Green – no remarks")
    YELLOW = "yellow", _("Yellow – minor issues")
    RED = "red", _("Red – more critical issues")


class Scenario(models.IntegerChoices):
    """Table 1 of the quality follow-up model: the administration's escalation scenarios."""

    NO_REMARKS = 1, _("Scenario 1 – no remarks")
    MINOR = 2, _("Scenario 2 – minor criticisable matters")
    MORE = 3, _("Scenario 3 – more criticisable matters")
    VERY = 4, _("Scenario 4 – very criticisable matters")


class ControlArea(models.Model):
    """What an inspection checks. Codes never change; labels and the active flag are editable."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=200)
    description = FreeTextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("control area")
        verbose_name_plural = _("control areas")

    def __str__(self) -> str:
        return self.label


def inspection_report_path(instance: Inspection, filename: str) -> str:
    """A generated name: nothing of the uploaded file's own name reaches the file system."""
    return f"inspections/{uuid.uuid4().hex}.pdf"


def action_plan_path(instance: ActionPlan, filename: str) -> str:
    return f"action-plans/{uuid.uuid4().hex}.pdf"


class Inspection(models.Model):
    """One supervision of a provider: a visit, a data-based check or a case review."""

    class Method(models.TextChoices):
        VISIT = "visit", _("Visit")
        DATA_CHECK = "data_check", _("Data-based administrative check")
        CASE_REVIEW = "case_review", _("Case review")

    class Kind(models.TextChoices):
        ANNUAL_BASE = "annual_base", _("Annual base visit")
        EXTRA = "extra", _("Extra visit ordered")
        FOLLOW_UP = "follow_up", _("Follow-up visit")
        INTERNAL_CONTROL = "internal_control", _("Internal control visit")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PERFORMED = "performed", _("Performed")
        SUBMITTED = "submitted", _("Report submitted")
        ASSESSED = "assessed", _("Assessed")
        CLOSED = "closed", _("Closed")

    ref = models.CharField(_("reference"), max_length=32, unique=True)
    provider = models.ForeignKey(
        "leverandoer.Provider", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="inspections"
    )
    offers = models.ManyToManyField(
        "leverandoer.Offer", verbose_name=_("offers"), blank=True, related_name="inspections"
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.VISIT)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ANNUAL_BASE)
    announced = models.BooleanField(_("announced"), default=False)
    planned_on = models.DateField(_("planned date"))
    performed_on = models.DateField(_("performed date"), null=True, blank=True)
    performer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.PROTECT,
        related_name="inspections_to_perform",
        null=True,
        blank=True,
        help_text=_("A contract manager, or the external inspector the visit is assigned to. Unknown when imported."),
    )
    report_deadline = models.DateField(_("deadline for the report"), null=True, blank=True)
    case_number = models.CharField(_("case number"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    imported = models.BooleanField(_("imported"), default=False)
    decided_scenario = models.PositiveSmallIntegerField(
        _("scenario decided before Tilsyn"),
        choices=Scenario.choices,
        null=True,
        blank=True,
        help_text=_(
            "Imported inspections only: the scenario the administration decided on this inspection before "
            "Tilsyn. Empty: not decided."
        ),
    )
    report_file = models.FileField(_("visit report"), upload_to=inspection_report_path, blank=True)
    report_filename = FreeCharField(_("file name of the report"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[offers])

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.ref} – {self.provider.name}"

    def get_absolute_url(self) -> str:
        return reverse("tilsyn:inspection_detail", args=[self.ref])

    @property
    def counts_as_evidence(self) -> bool:
        """Submitted or imported inspections are what later rules look back on."""
        return self.imported or self.status in (
            self.Status.SUBMITTED,
            self.Status.ASSESSED,
            self.Status.CLOSED,
        )

    @property
    def is_locked(self) -> bool:
        """After submission findings and report can no longer be changed."""
        return self.status not in (self.Status.PLANNED, self.Status.PERFORMED)

    def report_overdue(self, today) -> bool:
        return bool(self.report_deadline and not self.submitted_at and today > self.report_deadline)


class Finding(models.Model):
    """One control area checked in an inspection. An area with no finding was not checked."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="findings"
    )
    control_area = models.ForeignKey(
        ControlArea, verbose_name=_("control area"), on_delete=models.PROTECT, related_name="findings"
    )
    rating = models.CharField(_("rating"), max_length=6, choices=Rating.choices)
    remark = FreeTextField(_("remark"), blank=True)
    gross_violation = models.BooleanField(_("gross violation of the framework agreement"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["control_area__position", "control_area__code"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "control_area"], name="one_finding_per_area"),
            models.CheckConstraint(
                condition=models.Q(gross_violation=False) | models.Q(rating="red"),
                name="gross_violation_only_on_red",
                violation_error_message=_("A gross violation can only be flagged on a red finding."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.control_area}: {self.get_rating_display()}"

    @property
    def is_red(self) -> bool:
        return self.rating == Rating.RED


class ScenarioPolicy(models.Model):
    """What confirming a scenario sets in motion (Table 1), kept as data an administrator edits."""

    scenario = models.PositiveSmallIntegerField(_("scenario"), choices=Scenario.choices, unique=True)
    action_plan_days = models.PositiveSmallIntegerField(
        _("days to deliver an action plan"),
        null=True,
        blank=True,
        help_text=_("Empty: no action plan is demanded."),
    )
    measures = models.JSONField(_("measures"), default=list, blank=True)
    follow_ups = models.JSONField(_("follow-up"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scenario"]
        verbose_name = _("scenario policy")
        verbose_name_plural = _("scenario policies")

    def __str__(self) -> str:
        return self.get_scenario_display()

    def measures_for(self, *, internal: bool) -> list[str]:
        """The measures this scenario proposes for a provider. The municipality's own centres have no
        framework agreement: no measure that rests on one (the one filter, used by the assessment,
        the case, the compile's snapshot and the PDF)."""
        return [code for code in self.measures if not (internal and code in Measure.CONTRACTUAL)]

    def follow_ups_for(self, *, internal: bool) -> list[str]:
        return [code for code in self.follow_ups if not (internal and code in FollowUp.CONTRACTUAL)]

    def clean(self) -> None:
        unknown = set(self.measures) - set(Measure.Kind.values)
        unknown |= set(self.follow_ups) - set(FollowUp.Kind.values)
        if unknown:
            raise ValidationError(
                _("Unknown measure or follow-up codes: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
            )


class EscalationRule(models.Model):
    """How far back a red finding looks for the decided remark it would repeat (Table 1, scenario 4).
    One row, edited by an administrator; `current()` gives the shipped default when there is none."""

    repeat_window_months = models.PositiveSmallIntegerField(
        _("repeat window (calendar months)"),
        default=12,
        help_text=_(
            "A red finding repeats an earlier red finding in the same control area, decided as scenario 3 or 4, "
            "when the earlier inspection was performed within this many calendar months before."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation rule")
        verbose_name_plural = _("escalation rules")

    def __str__(self) -> str:
        return str(_("Repeat window: %(months)s months") % {"months": self.repeat_window_months})

    def clean(self) -> None:
        if self.repeat_window_months is not None and self.repeat_window_months < 1:
            raise ValidationError({"repeat_window_months": _("The repeat window must be at least 1 month.")})

    @classmethod
    def current(cls) -> EscalationRule:
        return cls.objects.order_by("pk").first() or cls()


class FollowUpCase(models.Model):
    """A follow-up case (opfølgningssag): one per escalation of a provider, whatever started it.

    A provider has at most one case that is not closed: a new escalation joins it and raises its
    scenario instead of starting another. The case holds the decided scenario; the assessments,
    measures, follow-ups and action plans it gathers keep their own models and link to it.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        AWAITING_PLAN = "awaiting_plan", _("Awaiting action plan")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CLOSED = "closed", _("Closed")

    class Source(models.TextChoices):
        INSPECTION = "inspection", _("Inspection assessment")
        HALF_YEAR = "half_year", _("Scenario decided in a half-year report")
        COMPLAINT = "complaint", _("Complaint indicating a general wrong practice")
        SURVEY = "survey", _("Red survey colour in a published half-year")
        OTHER = "other", _("Other knowledge")

    ref = models.CharField(_("reference"), max_length=32, unique=True)
    provider = models.ForeignKey(
        "leverandoer.Provider",
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="follow_up_cases",
    )
    case_number = models.CharField(
        _("case number"),
        max_length=60,
        blank=True,
        help_text=_("The journal number in the records system, e.g. 2026-0012345."),
    )
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN)
    scenario = models.PositiveSmallIntegerField(
        _("scenario"),
        choices=Scenario.choices,
        null=True,
        blank=True,
        help_text=_("Empty until a scenario is decided (a case opened from a complaint, a survey or other knowledge)."),
    )
    source = models.CharField(_("opened from"), max_length=12, choices=Source.choices)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closing_note = FreeTextField(_("closing note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("follow-up case")
        verbose_name_plural = _("follow-up cases")
        constraints = [
            models.UniqueConstraint(
                fields=["provider"],
                condition=~models.Q(status="closed"),
                name="one_open_case_per_provider",
                violation_error_message=_("The provider already has an open follow-up case."),
            )
        ]

    def __str__(self) -> str:
        return self.ref

    def get_absolute_url(self) -> str:
        return reverse("tilsyn:case_detail", args=[self.ref])

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED


class CaseEvent(models.Model):
    """One escalation that opened or joined a case: where it came from, what it decided, who and
    when. Written once and never changed, like a journal entry: no history."""

    case = models.ForeignKey(FollowUpCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")
    source = models.CharField(_("source"), max_length=12, choices=FollowUpCase.Source.choices)
    reference = models.CharField(
        _("reference"), max_length=60, blank=True, help_text=_("The inspection, half-year or complaint.")
    )
    scenario = models.PositiveSmallIntegerField(_("scenario"), choices=Scenario.choices, null=True, blank=True)
    raised_from = models.PositiveSmallIntegerField(
        _("scenario before"), choices=Scenario.choices, null=True, blank=True
    )
    knowledge_source = FreeCharField(_("where the knowledge came from"), max_length=300, blank=True)
    justification = FreeTextField(_("justification"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.get_source_display()} {self.reference}"


class Assessment(models.Model):
    """The administration's judgement of one inspection: proposed scenario and the confirmed one."""

    inspection = models.OneToOneField(
        Inspection, verbose_name=_("inspection"), on_delete=models.CASCADE, related_name="assessment"
    )
    proposed_scenario = models.PositiveSmallIntegerField(_("proposed scenario"), choices=Scenario.choices)
    proposal_rule = models.CharField(_("rule"), max_length=40)
    proposal_explanation = models.TextField(_("why this scenario"))
    scenario = models.PositiveSmallIntegerField(_("scenario"), choices=Scenario.choices)
    justification = FreeTextField(_("justification"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("confirmed by"), on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)
    case = models.ForeignKey(
        "FollowUpCase",
        verbose_name=_("follow-up case"),
        on_delete=models.PROTECT,
        related_name="assessments",
        null=True,
        blank=True,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return f"{self.inspection.ref}: {self.get_scenario_display()}"

    @property
    def overridden(self) -> bool:
        return self.scenario != self.proposed_scenario


# The refusals the services and forms give for what Table 1 does not allow.
OWN_CENTRE_REFUSED = _("The municipality's own centres have no framework agreement: no contractual measure applies.")
OFFERS_ONLY_BY_STRATEGY = _("Offers are restricted only by a change of referral strategy (scenario 3).")


class Measure(models.Model):
    """A measure from Table 1, as a checklist item on an assessment."""

    class Kind(models.TextChoices):
        DIALOGUE_MEETING = "dialogue_meeting", _("Dialogue meeting")
        GUIDANCE = "guidance", _("Guidance of the provider")
        ACTION_PLAN = "action_plan", _("Action plan demanded")
        REFERRAL_STRATEGY = "referral_strategy", _("Change of referral strategy")
        REFERRAL_STOP = "referral_stop", _("Stop of citizen referrals")
        BREACH_CASE = "breach_case", _("Breach case (misligholdelsessag)")
        LEGAL_TRAINING = "legal_training", _("Legal training for the centre's staff")

    # Measures under a framework agreement: never for the municipality's own centres.
    CONTRACTUAL = frozenset({Kind.REFERRAL_STRATEGY, Kind.REFERRAL_STOP, Kind.BREACH_CASE})

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="measures",
        null=True,
        blank=True,
        help_text=_("Empty when the measure was decided in a half-year report or after a complaint."),
    )
    case = models.ForeignKey(
        "FollowUpCase",
        verbose_name=_("follow-up case"),
        on_delete=models.PROTECT,
        related_name="measures",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("measure"), max_length=20, choices=Kind.choices)
    offers = models.ManyToManyField(
        "leverandoer.Offer",
        verbose_name=_("offers restricted"),
        blank=True,
        related_name="+",
        help_text=_("A change of referral strategy: the offers whose referrals are restricted."),
    )
    done_on = models.DateField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = FreeTextField(_("note"), blank=True)
    history = HistoricalRecords(m2m_fields=[offers])

    class Meta:
        ordering = ["pk"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")

    def __str__(self) -> str:
        return self.get_kind_display()


class FollowUp(models.Model):
    """Further follow-up or control from Table 1."""

    class Kind(models.TextChoices):
        INTERNAL_CONTROL_VISIT = (
            "internal_control_visit",
            _("Internal control visit, if the shortfall cannot be checked otherwise"),
        )
        MANDATORY_CONTROL = "mandatory_control", _("Mandatory control follow-up")
        UNANNOUNCED_VISITS = "unannounced_visits", _("Unannounced visits until the matter is put right")
        INTENSIVE = "intensive", _("Intensive follow-up through meetings and unannounced visits")
        EXTRA_EXTERNAL_VISITS = "extra_external_visits", _("Purchase of extra external follow-up visits")

    # Bought from the external supervision contractor under a framework agreement.
    CONTRACTUAL = frozenset({Kind.EXTRA_EXTERNAL_VISITS})

    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
        null=True,
        blank=True,
    )
    case = models.ForeignKey(
        "FollowUpCase",
        verbose_name=_("follow-up case"),
        on_delete=models.PROTECT,
        related_name="follow_ups",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("follow-up"), max_length=30, choices=Kind.choices)
    due_on = models.DateField(_("due"), null=True, blank=True)
    done_on = models.DateField(_("done"), null=True, blank=True)
    note = FreeTextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return self.get_kind_display()


class ActionPlan(models.Model):
    """The provider's action plan demanded after an assessment. Overdue is derived, never stored."""

    class Status(models.TextChoices):
        DEMANDED = "demanded", _("Demanded")
        RECEIVED = "received", _("Received")
        APPROVED = "approved", _("Approved")

    assessment = models.OneToOneField(
        Assessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="action_plan",
        null=True,
        blank=True,
        help_text=_("Empty when the plan was demanded for another reason, e.g. a complaint."),
    )
    case = models.ForeignKey(
        "FollowUpCase",
        verbose_name=_("follow-up case"),
        on_delete=models.PROTECT,
        related_name="action_plans",
        null=True,
        blank=True,
    )
    provider = models.ForeignKey(
        "leverandoer.Provider", verbose_name=_("provider"), on_delete=models.PROTECT, related_name="action_plans"
    )
    reason = FreeCharField(_("reason"), max_length=300, blank=True)
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DEMANDED)
    file = models.FileField(_("action plan"), upload_to=action_plan_path, blank=True)
    filename = FreeCharField(_("file name"), max_length=255, blank=True)
    note = FreeTextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deadline"]
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=~models.Q(status="approved"),
                name="one_plan_in_progress_per_case",
                violation_error_message=_("The case already has an action plan in progress."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider.name}: {self.get_status_display()}"

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.DEMANDED and today > self.deadline

    @property
    def overdue(self) -> bool:
        """Still demanded after its deadline, today: what every page marks as overdue."""
        return self.is_overdue(timezone.localdate())


# --- Planning and follow-through ---------------------------------------------------------------


class RiskWeight(models.Model):
    """One weight or threshold of the risk score (`tilsyn.risk`), edited by an administrator."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("label"), max_length=200)
    value = models.DecimalField(
        _("value"), max_digits=7, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    description = FreeTextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("risk weight")
        verbose_name_plural = _("risk weights")

    def __str__(self) -> str:
        return self.label


class ReminderLog(models.Model):
    """One reminder e-mail about one item to one person on one day. The unique constraint is what
    keeps a task that runs twice, or is retried after a crash, from sending it again. Itself a log,
    written once and never edited: no history."""

    class Kind(models.TextChoices):
        ACTION_PLAN = "action_plan", _("Action plan")
        FOLLOW_UP = "follow_up", _("Follow-up")
        REPORT = "report", _("Report deadline")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("item"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "recipient", "sent_on"], name="one_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} → {self.recipient_id} ({self.sent_on})"


class CalendarFeed(models.Model):
    """A user's secret calendar address. Calendar programs cannot log in, so the token in the URL is
    the key; a new token makes the old address stop working. No history: it would keep every old
    token, and an old token must be gone, not archived."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
