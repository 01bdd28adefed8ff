from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapporterConfig(AppConfig):
    name = "rapporter"
    verbose_name = _("Reports")
    nav_items = [("rapporter:report_list", _("Quality reports"))]

    def ready(self) -> None:
        from leverandoer import panels

        from .live import offer_colours, provider_colours
        from .selectors import home_reports

        panels.register(template="rapporter/panels/home_reports.html", context=home_reports, target="home")
        panels.register(template="rapporter/panels/provider_colours.html", context=provider_colours, order=3)
        panels.register(template="rapporter/panels/offer_colours.html", context=offer_colours, order=3, target="offer")
