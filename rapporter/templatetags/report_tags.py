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
