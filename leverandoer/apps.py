from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeverandoerConfig(AppConfig):
    name = "leverandoer"
    verbose_name = _("Providers")
    # Navigation entries: (URL name, label). The menu shows each user those whose view admits them.
    nav_group = _("Provider register")
    nav_items = [
        ("leverandoer:provider_list", _("Providers")),
        ("leverandoer:offer_list", _("Offers")),
        ("leverandoer:agreement_list", _("Framework agreements")),
        ("leverandoer:comparable_group_list", _("Comparable groups")),
    ]
