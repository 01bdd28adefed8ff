from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TilsynConfig(AppConfig):
    name = "tilsyn"
    verbose_name = _("Supervision")
    nav_items = [("system_status", _("System status")), ("admin:index", _("Administration"))]

    def ready(self) -> None:
        from .roles import grant_administrator_permissions

        post_migrate.connect(grant_administrator_permissions, dispatch_uid="tilsyn_administrator_permissions")


class TilsynAdminConfig(AdminConfig):
    """The Django admin, open to the administrator role only."""

    default_site = "tilsyn.admin_site.TilsynAdminSite"
