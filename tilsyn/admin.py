from __future__ import annotations

from django.contrib import admin

from .models import WorkerPing


@admin.register(WorkerPing)
class WorkerPingAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_at", "requested_by", "answered_at", "worker"]
    readonly_fields = ["requested_at", "requested_by", "answered_at", "worker"]
