"""The supervision domain, and the worker heartbeat that shows the task pipeline is alive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerPing(models.Model):
    """A round trip through the broker and a worker, asked for from the system status page.

    The row is the durable record: it is written before the task is sent and the worker
    stamps it when it runs, so a lost message or a dead worker shows as a ping never answered.
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
