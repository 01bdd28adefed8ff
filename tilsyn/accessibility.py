"""The accessibility statement (tilgængelighedserklæring) that Danish public-sector web sites must
publish: open to everyone, linked from the footer of every page."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from leverandoer.access import public

# The day the statement was last reviewed against the browser tests' axe-core run (WCAG 2.1 AA).
REVIEWED_ON = date(2026, 11, 23)


@public
@require_GET
def accessibility_statement(request):
    context = {"reviewed_on": REVIEWED_ON, "contact": settings.ACCESSIBILITY_CONTACT_EMAIL}
    return render(request, "tilsyn/accessibility.html", context)
