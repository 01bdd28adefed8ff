from __future__ import annotations

from django import template

from kvalitet.figures import survey_mean as _survey_mean

register = template.Library()


@register.filter
def survey_mean(ratio):
    """The mean score of a survey ratio (sum of scores over answers), or None without answers."""
    return _survey_mean(ratio) if ratio is not None else None
