from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ChecklistItem, Complaint, ImportLog, ScoringRule


@admin.register(ScoringRule)
class ScoringRuleAdmin(SimpleHistoryAdmin):
    """Thresholds that colour the tracks; limits in the wrong order are refused by the model."""

    list_display = ["label", "green", "yellow", "minimum", "higher_is_better"]
    readonly_fields = ["code", "higher_is_better"]
    fields = ["code", "label", "green", "yellow", "minimum", "higher_is_better", "description"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ChecklistItem)
class ChecklistItemAdmin(SimpleHistoryAdmin):
    list_display = ["label", "code", "active", "position"]
    list_editable = ["active", "position"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "provider", "kind", "received_on", "decision", "forwarded_on", "general_practice"]
    list_filter = ["kind", "decision", "general_practice"]
    search_fields = ["ref", "provider__name"]
    list_select_related = ["provider"]
    readonly_fields = ["ref"]


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    """Who imported what, when: read only."""

    list_display = ["imported_at", "imported_by", "kind", "filename", "rows", "added", "updated", "errors"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
