"""The administrator role's permissions in the Django admin, kept in step with the models."""

from __future__ import annotations

from leverandoer.access import Role

# `axes`: the login failures and lockouts, which an administrator reads and lifts.
ADMINISTERED_APPS = ("auth", "axes", "leverandoer", "kvalitet", "tilsyn", "rapporter")


def grant_administrator_permissions(sender=None, using="default", **kwargs) -> None:
    """After every migrate: the administrator group holds every permission of our apps and users.

    Permissions are created by Django's own post_migrate handler, so a data migration cannot
    grant them on a fresh database; this does, and picks up models added later.
    """
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.using(using).filter(name=Role.ADMINISTRATOR).first()
    if group is None:
        return
    permissions = Permission.objects.using(using).filter(content_type__app_label__in=ADMINISTERED_APPS)
    group.permissions.add(*permissions)
