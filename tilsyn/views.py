"""The start page and the administrator's system status."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db import connection
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from leverandoer.access import EVERYONE, STAFF, Role, allow, has_role

from . import selectors, services


@allow(EVERYONE)
def home(request):
    """Each role's start page shows what that role works with, and nothing else."""
    context = {}
    if has_role(request.user, *STAFF):
        context.update(selectors.staff_overview(user=request.user))
    return render(request, "tilsyn/home.html", context)


@allow(Role.ADMINISTRATOR)
@require_http_methods(["GET"])
def system_status(request):
    broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else settings.CELERY_BROKER_URL.split("@")[-1]
    return render(
        request,
        "tilsyn/system_status.html",
        {"database": connection.vendor, "broker": broker, "pings": selectors.recent_pings()},
    )


@allow(Role.ADMINISTRATOR)
@require_POST
def worker_ping(request):
    services.worker_ping_request(by=request.user)
    messages.info(request, _("A ping was sent to the task worker. Reload the page to see the answer."))
    return redirect("system_status")
