"""The half-yearly quality report: compile runs and the immutable, versioned snapshots they make."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from leverandoer.fields import FreeTextField


class ReportRun(models.Model):
    """One request to compile a half-year's report. The row, not the broker, is the durable record:
    a worker claims it (pending → running), beats while it works, and ends it done or failed; a
    sweeper re-sends runs left pending and tries runs whose heartbeat stopped again, failing them
    after the third try. The claim is the attempt number. No history: the row
    records who started it and when, and its heartbeat would fill a history table with noise."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Compiling")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.CharField(_("half-year"), max_length=7)
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
    error = FreeTextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")

    def __str__(self) -> str:
        return f"{self.period} #{self.pk} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("rapporter:run_detail", args=[self.pk])


class QualityReport(models.Model):
    """An immutable snapshot: the compiled figures of one half-year, numbered per half-year from 1,
    with the SHA-256 of its canonical JSON. Compiling again makes a new version. No history: it
    never changes, and who compiled it when is on the row."""

    period = models.CharField(_("half-year"), max_length=7)
    version = models.PositiveIntegerField(_("version"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.JSONField(_("content"))
    run = models.OneToOneField(
        ReportRun, verbose_name=_("run"), on_delete=models.PROTECT, null=True, blank=True, related_name="report"
    )
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compiled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("compiled"), auto_now_add=True)

    class Meta:
        ordering = ["-period", "-version"]
        verbose_name = _("quality report")
        verbose_name_plural = _("quality reports")
        constraints = [models.UniqueConstraint(fields=["period", "version"], name="one_version_number_per_period")]

    def __str__(self) -> str:
        return f"{self.period} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A compiled report is immutable: compile again to make a new version.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("rapporter:report_detail", args=[self.period, self.version])


class ScenarioOverride(models.Model):
    """A contract manager's decision on one provider's scenario in one version, beside the snapshot
    (which never changes). Locked once the version is published."""

    report = models.ForeignKey(
        QualityReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="overrides"
    )
    provider_ref = models.CharField(_("provider"), max_length=32)
    scenario = models.PositiveSmallIntegerField(_("scenario"), choices=[(n, str(n)) for n in range(1, 5)])
    justification = FreeTextField(_("justification"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scenario override")
        verbose_name_plural = _("scenario overrides")
        constraints = [models.UniqueConstraint(fields=["report", "provider_ref"], name="one_override_per_provider")]

    def __str__(self) -> str:
        return f"{self.report} {self.provider_ref}: {self.scenario}"


class Publication(models.Model):
    """Four eyes: approved by a contract manager other than the one who compiled the version or last
    changed an override; then published, and only then open to the committee secretariat."""

    report = models.OneToOneField(
        QualityReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="publication"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    pdf = models.FileField(_("PDF as published"), upload_to="rapporter/", blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    effects = models.JSONField(
        _("what publication set in motion"),
        default=dict,
        blank=True,
        help_text=_(
            "Per provider ref, frozen when published: the follow-up case the decided scenario opened or raised, "
            "the referral status after it, and what changed."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return str(self.report)


class Discard(models.Model):
    """A contract manager's discard of an unapproved version, recorded beside the immutable row: the
    version is no longer listed and never counts as "previous". No history: written once."""

    report = models.OneToOneField(
        QualityReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="discard"
    )
    reason = FreeTextField(_("reason"), blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("discarded by"), on_delete=models.PROTECT, related_name="+"
    )
    discarded_at = models.DateTimeField(_("discarded"), auto_now_add=True)

    class Meta:
        verbose_name = _("discarded version")
        verbose_name_plural = _("discarded versions")

    def __str__(self) -> str:
        return str(self.report)
