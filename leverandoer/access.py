"""Roles and the access declaration every view carries.

This lives in the lowest app so that every app can declare who may use its views without
importing upwards (`rapporter → kvalitet → tilsyn → leverandoer`). The declaration is enforced
for every request by `tilsyn.middleware.RoleAccessMiddleware`, which refuses any view that
declares nothing: a new view cannot slip past by forgetting.

Roles are Django groups, created by a migration and named by the codes below.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONTRACT_MANAGER = "contract_manager", _("Contract manager")
    INSPECTOR = "inspector", _("External inspector")
    SECRETARIAT = "secretariat", _("Committee secretariat")
    CASEWORKER = "caseworker", _("Caseworker")
    ADMINISTRATOR = "administrator", _("Administrator")


PUBLIC = "public"
"""Marker for the few views open to anonymous visitors (login, language switch, surveys)."""

STAFF = frozenset({Role.CONTRACT_MANAGER, Role.ADMINISTRATOR})
"""The municipality's own staff who manage providers and agreements."""

EVERYONE = frozenset(Role)


def user_roles(user) -> frozenset[str]:
    """The roles of a user, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_tilsyn_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMINISTRATOR)
        cached = frozenset(name for name in names if name in Role.values)
        user._tilsyn_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def allowed_roles_of(view: Callable) -> frozenset[str] | str | None:
    """What a resolved view declares: a set of roles, PUBLIC, or None (nothing declared)."""
    declared = getattr(view, "allowed_roles", None)
    if declared is None and hasattr(view, "view_class"):
        declared = getattr(view.view_class, "allowed_roles", None)
    return declared


def allow(*roles: str | Iterable[str]):
    """Declare the roles that may use a function view or a class-based view.

    `@allow(Role.CONTRACT_MANAGER)` or `@allow(STAFF)`; sets and single roles mix freely.
    """
    flat: set[str] = set()
    for role in roles:
        flat.update([role] if isinstance(role, str) else role)
    declared = frozenset(flat)

    def decorate(view):
        if isinstance(view, type):
            view.allowed_roles = declared
            return view

        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            return view(*args, **kwargs)

        wrapped.allowed_roles = declared
        return wrapped

    return decorate


def public(view: Callable) -> Callable:
    """Declare a view open to anonymous visitors. Keep the list of these short."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    wrapped.allowed_roles = PUBLIC
    return wrapped


def staff_only(user, queryset):
    """For selectors: the staff read every row, anyone else none, so every id answers 404 whatever
    the view in front."""
    return queryset if has_role(user, *STAFF) else queryset.none()
