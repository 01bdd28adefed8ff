"""`{{ user|person }}`: a user's full name, else the user name, else a dash."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    if user is None:
        return "–"
    return user.get_full_name() or user.username
