from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import privacy
from .models import ChecklistItem, Complaint, ComplaintAccess, ImportLog, ScoringRule


@admin.register(ScoringRule)
class ScoringRuleAdmin(SimpleHistoryAdmin):
    """Thresholds that colour the tracks; limits in the wrong order are refused by the model."""

    list_display = ["label", "green", "yellow", "minimum", "higher_is_better"]
    readonly_fields = ["code", "higher_is_better"]
    fields = ["code", "label", "green", "yellow", "minimum", "confidence", "higher_is_better", "description"]

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
    """Reads here are logged like reads in the application (`ComplaintAccess`)."""

    list_display = ["ref", "provider", "kind", "received_on", "decision", "forwarded_on", "general_practice"]
    list_filter = ["kind", "decision", "general_practice"]
    search_fields = ["ref", "provider__name"]
    list_select_related = ["provider"]
    readonly_fields = ["ref"]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None:
            complaints = changelist.result_list
            privacy.complaint_reads_log(user=request.user, action=ComplaintAccess.Action.LIST, complaints=complaints)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._log_view(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._log_view(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._log_view(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _log_view(self, request, object_id) -> None:
        complaint = Complaint.objects.filter(pk=object_id).first() if str(object_id).isdigit() else None
        if complaint is not None and self.has_view_or_change_permission(request, complaint):
            privacy.complaint_reads_log(user=request.user, action=ComplaintAccess.Action.VIEW, complaints=[complaint])


@admin.register(ComplaintAccess)
class ComplaintAccessAdmin(admin.ModelAdmin):
    """Who read which citizen's complaints, when and how. Searched by citizen reference (exact) or
    complaint reference; read only, for every user including administrators."""

    list_display = ["at", "user", "action", "complaint_ref", "citizen_ref"]
    list_filter = ["action"]
    search_fields = ["=citizen_ref", "=complaint_ref"]
    search_help_text = _("An exact citizen reference or complaint reference.")
    date_hierarchy = "at"
    list_select_related = ["user"]
    actions = None

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportLog)
class ImportLogAdmin(admin.ModelAdmin):
    """Who imported what, when: read only."""

    list_display = ["imported_at", "imported_by", "kind", "filename", "rows", "added", "updated", "errors"]
    list_filter = ["kind"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
