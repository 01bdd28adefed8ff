"""The scoring rule's admin page with a preview of what an edit would change (issue 13, item 6).

`kvalitet` registers the plain admin; the preview needs the latest compiled half-year, a report's
notion, and `kvalitet` may not import `rapporter`, so the admin is registered again from here.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kvalitet.admin import ScoringRuleAdmin
from kvalitet.models import ScoringRule

from .preview import preview_display, rule_change_preview

PREVIEW = "_preview"


class ScoringRulePreviewAdmin(ScoringRuleAdmin):
    """ "Vis konsekvens" beside Save: validates the form as Save would, stores nothing, and shows the
    edited form again with the changes it would make to the latest compiled half-year."""

    change_form_template = "admin/rapporter/scoringrule_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.code != "effect":
            readonly.append("confidence")  # only the effect rule has an interval
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_preview": True}
        if request.method == "POST" and PREVIEW in request.POST:
            return self._preview_view(request, object_id, form_url, extra_context)
        return super().change_view(request, object_id, form_url, extra_context)

    def _preview_view(self, request, object_id, form_url, extra_context):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        subtitle = str(obj)  # before the form writes the edited values onto the instance
        fieldsets = self.get_fieldsets(request, obj)
        form = self.get_form(request, obj, change=True, fields=flatten_fieldsets(fieldsets))(request.POST, instance=obj)
        preview = preview_display(rule_change_preview(edited=form.instance.as_rule())) if form.is_valid() else None
        admin_form = helpers.AdminForm(form, list(fieldsets), {}, self.get_readonly_fields(request, obj), self)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Change %s") % self.opts.verbose_name,
            "subtitle": subtitle,
            "adminform": admin_form,
            "object_id": object_id,
            "original": obj,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "rule_preview": preview,
            **extra_context,
        }
        return self.render_change_form(request, context, change=True, obj=obj, form_url=form_url)


admin.site.unregister(ScoringRule)
admin.site.register(ScoringRule, ScoringRulePreviewAdmin)
