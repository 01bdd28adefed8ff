from __future__ import annotations

from datetime import date

from django import template
from django.utils.translation import gettext as _

from leverandoer.models import Provider
from rapporter import charts, reasons, summary
from tilsyn.models import Inspection

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
def change_direction(direction: str) -> str:
    return summary.direction_word(direction)


@register.filter
def track_label(name: str) -> str:
    return reasons.track_labels().get(name, name)


@register.filter
def colour_letter(colour: str) -> str:
    """The colour in words too, so that the matrix does not rely on colour alone."""
    return {"green": _("Green"), "yellow": _("Yellow"), "red": _("Red")}.get(colour, "–")


@register.inclusion_tag("rapporter/charts/colours.html")
def colour_chart(rows: list[dict]) -> dict:
    return {"chart": charts.colour_distribution(rows)}


@register.inclusion_tag("rapporter/charts/trend.html")
def trend_chart(trend: list[dict], chart_id: str = "chart-trend", title: str = "") -> dict:
    return {"chart": charts.key_figure_trend(trend or [], chart_id=chart_id, title=title)}


@register.filter
def isodate(value: str | None):
    """A snapshot's ISO date as a date, for the `date` filter."""
    return date.fromisoformat(value) if value else None


@register.filter
def visit_kind(value: str) -> str:
    return str(dict(Inspection.Kind.choices).get(value, value))


@register.filter
def provider_kind(value: str) -> str:
    return str(dict(Provider.Kind.choices).get(value, value))


@register.filter
def pct(value) -> str:
    """A percentage in Danish form (99,6 %), or a dash."""
    return reasons.percentage(value)


@register.filter
def mean(value) -> str:
    """A mean score with one decimal (4,0), a dash for none, or the sign of a withheld figure."""
    return reasons.decimal(value)
