from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import admin_users  # noqa: F401 — user pages that end a deactivated user's sessions
from .models import (
    ActionPlan,
    Assessment,
    ControlArea,
    EscalationRule,
    Finding,
    Inspection,
    ReminderLog,
    RiskWeight,
    ScenarioPolicy,
    WorkerPing,
)


@admin.register(ControlArea)
class ControlAreaAdmin(SimpleHistoryAdmin):
    """Administrators add areas, deactivate them and edit their labels; a code never changes."""

    list_display = ["label", "code", "active", "position"]
    list_editable = ["active", "position"]
    list_filter = ["active"]

    def get_readonly_fields(self, request, obj=None):
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # deactivate instead: findings refer to the area


@admin.register(ScenarioPolicy)
class ScenarioPolicyAdmin(SimpleHistoryAdmin):
    list_display = ["scenario", "action_plan_days", "measures", "follow_ups"]
    readonly_fields = ["scenario"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class FindingInline(admin.TabularInline):
    model = Finding
    extra = 0

    # Findings of a submitted inspection are its record: read-only here as in the app.
    def has_add_permission(self, request, obj=None) -> bool:
        return not (obj and obj.is_locked) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not (obj and obj.is_locked) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not (obj and obj.is_locked) and super().has_delete_permission(request, obj)


class EscalationRuleForm(forms.ModelForm):
    class Meta:
        model = EscalationRule
        fields = ["repeat_window_months"]
        # A negative number fails the field's own "at least 0" before the model's clean() can say
        # what is wrong; one message for 0 and below.
        error_messages = {"repeat_window_months": {"min_value": _("The repeat window must be at least 1 month.")}}


@admin.register(EscalationRule)
class EscalationRuleAdmin(SimpleHistoryAdmin):
    """One row: the repeat window of Table 1's scenario 4 (shipped by a migration)."""

    form = EscalationRuleForm
    list_display = ["__str__", "repeat_window_months"]

    def has_add_permission(self, request) -> bool:
        return not EscalationRule.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    list_display = ["ref", "provider", "method", "kind", "planned_on", "performed_on", "performer", "status"]
    list_filter = ["status", "method", "kind", "announced"]
    search_fields = ["ref", "provider__name", "case_number"]
    list_select_related = ["provider", "performer"]
    # The status moves only through the app's steps (submit, assess, close), whose checks and the
    # rows they create (assessment, measures) the admin would skip; a submitted inspection is read-only.
    readonly_fields = ["ref", "status", "report_file", "submitted_at", "submitted_by", "created_by"]
    inlines = [FindingInline]

    def get_readonly_fields(self, request, obj=None):
        if obj and obj.is_locked:
            return [field.name for field in obj._meta.fields] + ["offers"]
        return self.readonly_fields


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["inspection", "proposed_scenario", "scenario", "confirmed_by", "confirmed_at"]
    list_select_related = ["inspection__provider", "confirmed_by"]
    readonly_fields = ["proposed_scenario", "proposal_rule", "proposal_explanation"]


@admin.register(ActionPlan)
class ActionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["provider", "deadline", "status"]
    list_filter = ["status"]
    list_select_related = ["provider"]


@admin.register(WorkerPing)
class WorkerPingAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_at", "requested_by", "answered_at", "worker"]
    readonly_fields = ["requested_at", "requested_by", "answered_at", "worker"]


@admin.register(RiskWeight)
class RiskWeightAdmin(SimpleHistoryAdmin):
    """The weights and thresholds of the risk score; each says what it does in its description."""

    list_display = ["label", "value", "description"]
    list_editable = ["value"]
    readonly_fields = ["code"]
    fields = ["code", "label", "value", "description"]

    def has_add_permission(self, request) -> bool:
        return False  # the score knows exactly these codes

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """What reminders were sent, to whom and when: read only."""

    list_display = ["kind", "object_id", "recipient", "sent_on", "created_at"]
    list_filter = ["kind", "sent_on"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
