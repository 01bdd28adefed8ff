"""Enforces the access declaration of every view (see `leverandoer.access`)."""

from __future__ import annotations

import logging

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from leverandoer.access import PUBLIC, allowed_roles_of, user_roles

logger = logging.getLogger(__name__)


class RoleAccessMiddleware:
    """Anonymous → login; a role without access → 403; a view that declares nothing → 403.

    The Django admin is left to its own checks (`tilsyn.admin_site`), which admit administrators
    only. Objects outside a user's reach answer 404 from the selectors that load them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and "admin" in match.namespaces:
            return None
        allowed = allowed_roles_of(view_func)
        if allowed is None:
            logger.error("View %s declares no roles; refused.", getattr(view_func, "__name__", view_func))
            raise PermissionDenied
        if allowed == PUBLIC:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_roles(request.user) & allowed:
            raise PermissionDenied
        return None
