"""The admin's user pages: deactivating a user also ends every session they have open."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .security import end_sessions_of

User = get_user_model()


class TilsynUserAdmin(UserAdmin):
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            ended = end_sessions_of(obj)
            self.message_user(
                request, _("%(user)s is deactivated; %(n)s open session(s) were ended.") % {"user": obj, "n": ended}
            )

    @admin.action(description=gettext_lazy("Deactivate the selected users and end their sessions"))
    def deactivate(self, request, queryset) -> None:
        users = list(queryset.exclude(pk=request.user.pk).filter(is_active=True))
        for user in users:
            user.is_active = False
            user.save(update_fields=["is_active"])
        ended = end_sessions_of(*users)
        self.message_user(
            request,
            _("%(users)s user(s) deactivated; %(n)s open session(s) were ended.") % {"users": len(users), "n": ended},
            messages.SUCCESS,
        )


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, TilsynUserAdmin)
