from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KvalitetConfig(AppConfig):
    name = "kvalitet"
    verbose_name = _("Quality tracks")
    nav_group = _("Quality tracks")
    nav_items = [
        ("kvalitet:complaint_list", _("Complaints")),
        ("kvalitet:spot_check_list", _("Spot checks")),
        ("kvalitet:import_data", _("Import")),
    ]

    def ready(self) -> None:
        from leverandoer import panels
        from tilsyn import planning

        from .figures import offer_panel, offers_by_ordered_hours, provider_panel
        from .selectors import home_complaints

        panels.register(template="kvalitet/panels/provider_tracks.html", context=provider_panel, order=5)
        panels.register(template="kvalitet/panels/offer_tracks.html", context=offer_panel, order=5, target="offer")
        panels.register(template="kvalitet/panels/home_complaints.html", context=home_complaints, target="home")
        planning.register_ordered_hours(offers_by_ordered_hours)
