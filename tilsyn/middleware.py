"""Access declarations enforced on every request, and the choice of interface language."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

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


class DanishFirstLocaleMiddleware(LocaleMiddleware):
    """Danish unless the user has chosen another language with the language menu.

    Django's own middleware follows the browser's Accept-Language, which would show a municipal
    employee with an English browser an English interface they never asked for.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
