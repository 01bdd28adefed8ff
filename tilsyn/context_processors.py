"""The navigation menu, built from the apps' declared entries and each view's access rule."""

from __future__ import annotations

import functools

from django.apps import apps
from django.urls import NoReverseMatch, resolve, reverse

from leverandoer.access import PUBLIC, STAFF, Role, allowed_roles_of, user_roles


@functools.cache
def _menu() -> tuple:
    """The apps' declared entries with each one's URL and the roles its view admits: the same for
    every request, so worked out once per process rather than reversed and resolved on each page."""
    menu = []
    for config in apps.get_app_configs():
        entries = []
        for url_name, label in getattr(config, "nav_items", []):
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            match = resolve(url)
            # The Django admin admits administrators only (tilsyn.admin_site).
            allowed = frozenset({Role.ADMINISTRATOR}) if "admin" in match.namespaces else allowed_roles_of(match.func)
            entries.append((url, label, allowed))
        menu.append((config.label, getattr(config, "nav_group", None), tuple(entries)))
    return tuple(menu)


def navigation(request) -> dict:
    roles = user_roles(getattr(request, "user", None))
    if not roles:
        return {"nav_items": [], "user_roles": [], "is_staff_role": False, "is_contract_manager": False}
    items = []
    current = request.path
    for app_label, group, declared in _menu():
        entries = [
            {"url": url, "label": label, "active": current.startswith(url)}
            for url, label, allowed in declared
            if allowed == PUBLIC or (allowed and roles & allowed)
        ]
        if group and len(entries) > 1:
            # An app's several pages share one menu, so the bar stays on one line.
            items.append(
                {"group": group, "id": app_label, "items": entries, "active": any(e["active"] for e in entries)}
            )
        else:
            items.extend(entries)
    role_labels = [Role(role).label for role in Role if role in roles]
    return {
        "nav_items": items,
        "user_roles": role_labels,
        "is_staff_role": bool(roles & STAFF),
        "is_contract_manager": Role.CONTRACT_MANAGER in roles,
    }
