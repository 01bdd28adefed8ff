from __future__ import annotations

from django import template

from rapporter import reasons

register = template.Library()


@register.filter
def track_reason(entry: dict) -> str:
    return reasons.track_reason(entry)


@register.filter
def scenario_reason(row: dict) -> str:
    return reasons.scenario_reason(row)


@register.filter
def track(row: dict, name: str) -> dict:
    return row["tracks"][name]


@register.filter
def track_label(name: str) -> str:
    return reasons.track_labels().get(name, name)


@register.filter
def colour_letter(colour: str) -> str:
    """The colour in words too, so that the matrix does not rely on colour alone."""
    from django.utils.translation import gettext as _

    return {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red")}.get(colour, "–")
