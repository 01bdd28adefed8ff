from __future__ import annotations

from functools import wraps

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from leverandoer.access import Role, has_role


def _id_fields(model) -> list:
    """The primary keys a model admin's URL carries, in order: the object's, then (simple-history's
    `<id>/history/<history_id>/`) the historical record's."""
    fields = [model._meta.pk]
    history_attribute = getattr(model._meta, "simple_history_manager_attribute", None)
    if history_attribute:
        fields.append(getattr(model, history_attribute).model._meta.pk)
    return fields


def ids_checked(view, model_admin):
    """Answer as the admin does for a missing object (back to the index with "… doesn't exist")
    before the view runs, when an id in its URL cannot be the model's primary key.

    Django's own change and delete views already do this in `get_object`; simple-history's history
    views passed the raw text to the database and answered 500 for "abc" (issue 14, item 4).
    Checking here, once for every model admin, also covers the views of admins registered later.
    """
    fields = _id_fields(model_admin.model)

    @wraps(view)
    def checked(request, *args, **kwargs):
        values = list(args) + [kwargs[name] for name in ("object_id", "id") if name in kwargs]
        for index, value in enumerate(values):
            field = fields[min(index, len(fields) - 1)]
            try:
                field.to_python(unquote(str(value)))
            except (ValidationError, ValueError, TypeError, OverflowError):
                return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, str(value))
        return view(request, *args, **kwargs)

    return checked


class TilsynAdminSite(AdminSite):
    site_header = _("Tilsyn – administration")
    site_title = _("Tilsyn")

    def has_permission(self, request) -> bool:
        """Administrators (the role, not Django's staff flag) maintain reference data and users."""
        return request.user.is_active and has_role(request.user, Role.ADMINISTRATOR)

    def admin_view(self, view, cacheable=False):
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, ModelAdmin):
            view = ids_checked(view, model_admin)
        return super().admin_view(view, cacheable)
