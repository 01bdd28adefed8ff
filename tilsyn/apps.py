from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TilsynConfig(AppConfig):
    name = "tilsyn"
    verbose_name = _("Supervision")
    nav_items = [
        ("tilsyn:inspection_list", _("Inspections")),
        ("tilsyn:plan", _("Supervision plan")),
        ("tilsyn:case_list", _("Follow-up cases")),
        ("tilsyn:action_plan_list", _("Action plans")),
        ("system_status", _("System status")),
        ("admin:index", _("Administration")),
    ]

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from leverandoer import panels

        from .roles import grant_administrator_permissions
        from .security import session_started
        from .selectors import provider_supervision

        post_migrate.connect(grant_administrator_permissions, dispatch_uid="tilsyn_administrator_permissions")
        user_logged_in.connect(session_started, dispatch_uid="tilsyn_session_started")
        panels.register(template="tilsyn/panels/provider_supervision.html", context=provider_supervision, order=10)


class TilsynAdminConfig(AdminConfig):
    """The Django admin, open to the administrator role only."""

    default_site = "tilsyn.admin_site.TilsynAdminSite"
