"""The half-yearly quality report: compile runs and the immutable, versioned snapshots they make."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ReportRun(models.Model):
    """One request to compile a half-year's report. The row, not the broker, is the durable record:
    a worker claims it (pending → running), beats while it works, and ends it done or failed; a
    sweeper re-sends runs left pending and fails runs whose heartbeat stopped."""

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
    error = models.TextField(_("error"), blank=True)

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
    with the SHA-256 of its canonical JSON. Compiling again makes a new version."""

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
