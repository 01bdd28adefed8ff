"""Panels that higher apps add to a provider's or an offer's page.

The provider page lives in the lowest app; supervision, track figures and action plans live in
higher ones. Rather than import upwards, those apps register a panel here at start-up (in their
AppConfig.ready): a template and a function from provider to context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[..., dict]
    order: int
    target: str  # "provider" or "offer"


_panels: list[Panel] = []


def register(*, template: str, context: Callable[..., dict], order: int = 100, target: str = "provider") -> None:
    if any(panel.template == template for panel in _panels):
        return
    _panels.append(Panel(template=template, context=context, order=order, target=target))
    _panels.sort(key=lambda panel: panel.order)


def for_provider(provider) -> list[dict]:
    return [
        {"template": panel.template, "data": panel.context(provider=provider)}
        for panel in _panels
        if panel.target == "provider"
    ]


def for_offer(offer) -> list[dict]:
    return [
        {"template": panel.template, "data": panel.context(offer=offer)} for panel in _panels if panel.target == "offer"
    ]


def for_home(user) -> list[dict]:
    """Start-page panels: each panel's context says for itself whether this user gets it (None: not)."""
    return [
        {"template": panel.template, "data": data}
        for panel in _panels
        if panel.target == "home" and (data := panel.context(user=user)) is not None
    ]
