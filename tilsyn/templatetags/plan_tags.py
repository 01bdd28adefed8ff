from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """`{{ weights|get_item:code }}`: a dict lookup by a variable key."""
    return mapping.get(key)
