from __future__ import annotations

from django.contrib.admin import AdminSite
from django.utils.translation import gettext_lazy as _

from leverandoer.access import Role, has_role


class TilsynAdminSite(AdminSite):
    site_header = _("Tilsyn – administration")
    site_title = _("Tilsyn")

    def has_permission(self, request) -> bool:
        """Administrators (the role, not Django's staff flag) maintain reference data and users."""
        return request.user.is_active and has_role(request.user, Role.ADMINISTRATOR)
