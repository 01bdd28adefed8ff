"""Create forms that are submitted twice (the back button, a double click) create once.

Each create form carries a fresh submission id. When the form succeeds, the session remembers the
id and where the result is; the same id posted again leads there instead of creating a copy.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

FIELD = "submission_id"
SESSION_KEY = "done_submissions"
REMEMBERED = 50


def submission_id(request) -> str:
    """The id the form re-renders with: the posted one, or a new one for a fresh form."""
    posted = request.POST.get(FIELD, "") if request.method == "POST" else ""
    return posted[:64] if posted else uuid.uuid4().hex


def already_done(request):
    """A redirect to the earlier result if this submission was handled before, else None."""
    if request.method != "POST":
        return None
    url = request.session.get(SESSION_KEY, {}).get(request.POST.get(FIELD, ""))
    if url is None:
        return None
    messages.info(request, _("This form was already saved; here is the result."))
    return redirect(url)


def remember(request, url: str) -> None:
    posted = request.POST.get(FIELD, "")[:64]
    if not posted:
        return
    done = dict(request.session.get(SESSION_KEY, {}))
    done[posted] = url
    request.session[SESSION_KEY] = dict(list(done.items())[-REMEMBERED:])
