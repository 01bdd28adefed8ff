"""Login throttling, session lifetimes and request limits: the parts of point 3 and of "bad input"
that sit between the browser and the views.

- `LoginAttemptsBackend`: django-axes' lockout check (5 failures per user name and address).
- `SessionLifetimeMiddleware`: the absolute lifetime of a session, and keeping an active session's
  expiry (`SESSION_COOKIE_AGE` = the inactivity limit) moving.
- `end_sessions_of`: a deactivated user's sessions are deleted, not merely refused.
- `RequestLimitsMiddleware`: too many files or fields, too large a form or upload, answer with a
  page that says so instead of Django's bare 400.
- `NoStoreMiddleware`: no page of the app is kept in a browser's or a proxy's cache.
- `login_username` and `CprMaskingAxesHandler`: a CPR number typed as a user name is masked before
  django-axes stores or logs it.
"""

from __future__ import annotations

import logging
import time

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.models import Session
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from leverandoer.validators import mask_cpr

from .uploads import UploadTooLarge, largest_upload

logger = logging.getLogger(__name__)

# Session keys: the time of login and of the last save that moved the expiry on (epoch seconds).
LOGIN_AT = "tilsyn_login_at"
LAST_SEEN = "tilsyn_last_seen"
# An active session is saved (and its expiry moved on) at most this often.
REFRESH_SECONDS = 60


class LoginAttemptsBackend(AxesStandaloneBackend):
    """Axes' lockout check for every login that comes with a request.

    Django's login views and the admin's always pass the request. Code that authenticates without
    one (a test's `client.login`, the shell) is no login attempt from an address, so there is
    nothing to count; axes would refuse it with an exception instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out login gets (429): how many failures, for how long, what to do."""
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
    }
    return render(request, "registration/locked_out.html", context, status=429)


def client_address(request) -> str | None:
    """The client's address for counting login failures: the header a trusted proxy sets
    (`CLIENT_IP_HEADER`), else the connection's own address."""
    if settings.CLIENT_IP_HEADER:
        forwarded = request.META.get(settings.CLIENT_IP_HEADER, "")
        # A proxy appends the address it saw; the last entry is the one our own proxy wrote.
        address = forwarded.split(",")[-1].strip()
        if address:
            return address
    return request.META.get("REMOTE_ADDR")


def session_started(sender, request, user, **kwargs) -> None:
    """On login (`user_logged_in`): the moment the absolute lifetime counts from."""
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now


class SessionLifetimeMiddleware:
    """Keep an active session alive, and end any session SESSION_ABSOLUTE_HOURS after its login.

    Inactivity is the session row's own expiry (SESSION_COOKIE_AGE after its last save, enforced by
    Django when it loads the session); this saves an active session once a minute at most, so the
    expiry moves on without a database write on every request. A session without a login time
    (one from before this was deployed) counts from its first request here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.setdefault(LOGIN_AT, now)
            hours = settings.SESSION_ABSOLUTE_HOURS
            if now - started >= hours * 60 * 60:
                logger.info("Session of user %s ended after its absolute lifetime.", request.user.pk)
                logout(request)
                messages.info(
                    request,
                    _("You were logged out %(hours)s hours after logging in. Log in again to continue.")
                    % {"hours": hours},
                )
            elif now - session.get(LAST_SEEN, 0) >= REFRESH_SECONDS:
                session[LAST_SEEN] = now  # modified: saved with the response, expiry moves on
        elif request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.session.session_key is None:
            # The browser still holds a session that has expired for inactivity: say so, once (the
            # empty session's cookie is deleted with this response).
            messages.info(
                request,
                _("You were logged out after %(minutes)s minutes without activity. Log in again to continue.")
                % {"minutes": settings.SESSION_IDLE_MINUTES},
            )
        return self.get_response(request)


@transaction.atomic
def end_sessions_of(*users) -> int:
    """Delete every stored session of `users`; returns how many.

    Sessions live in Django's database table as signed blobs, so each live one is decoded (once,
    however many users) to see whose it is. Done when an administrator deactivates users, which is rare.
    """
    ids = {str(user.pk) for user in users}
    mine = [
        session.pk
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)
        if session.get_decoded().get(SESSION_KEY) in ids
    ]
    Session.objects.filter(pk__in=mine).delete()
    if mine:
        logger.info("Ended %s session(s) of deactivated users %s.", len(mine), sorted(ids))
    return len(mine)


class RequestLimitsMiddleware:
    """Read a POST's form data up front, so that one over Django's limits answers with a page
    that says which limit, in the user's language, before any view or the CSRF check reads it.

    Limits: DATA_UPLOAD_MAX_NUMBER_FILES files, DATA_UPLOAD_MAX_NUMBER_FIELDS fields,
    DATA_UPLOAD_MAX_MEMORY_SIZE bytes of form data besides the files, and the largest file any
    form accepts (`tilsyn.uploads.SizeLimitedUploadHandler`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            try:
                request.POST  # noqa: B018 — parses the body, files included
                request.FILES  # noqa: B018
            except TooManyFilesSent:
                return self.refuse(
                    request,
                    _(
                        "The form held more files than Tilsyn accepts at once (at most %(limit)s). "
                        "Go back and choose one PDF file."
                    )
                    % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
                    status=400,
                )
            except TooManyFieldsSent:
                return self.refuse(
                    request,
                    _(
                        "The form held more fields than Tilsyn accepts at once (at most %(limit)s). Go back and try again."
                    )
                    % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS},
                    status=400,
                )
            except UploadTooLarge as error:
                return self.refuse(
                    request,
                    _("What was sent is %(size)s MB; Tilsyn accepts files up to %(limit)s MB. Choose a smaller file.")
                    % {
                        "size": number_format(error.size / 1024 / 1024, 1),
                        "limit": largest_upload() // (1024 * 1024),
                    },
                    status=400,
                )
            except RequestDataTooBig:
                return self.refuse(
                    request,
                    _(
                        "The texts in the form were too long (at most %(limit)s MB together). "
                        "Go back, shorten them and try again."
                    )
                    % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)},
                    status=400,
                )
        return self.get_response(request)

    @staticmethod
    def refuse(request, reason: str, *, status: int):
        logger.warning("Refused a POST to %s: %s", request.path, reason)
        return render(request, "400.html", {"reason": reason}, status=status)


class NoStoreMiddleware:
    """`Cache-Control: no-store, private` on every response of the app but static files.

    Almost every page shows personal data (complaints, findings, names of contact persons), and a
    page a browser keeps can be read from its cache or with the back button after logout, on a
    shared municipal PC. Deciding page by page would fail open for the next page; the few pages
    without personal data (login, accessibility statement, the public survey, whose answers are
    posted) lose nothing by not being cached. Static files are served before the app in production
    and by the staticfiles handler in development; the check on STATIC_URL keeps them cacheable
    should they ever pass through here.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_prefix = "/" + settings.STATIC_URL.lstrip("/")

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.static_prefix):
            response["Cache-Control"] = "no-store, private"
            if "Expires" in response:
                del response["Expires"]
        return response


def login_username(request, credentials=None) -> str | None:
    """The user name django-axes counts, stores and logs (AXES_USERNAME_CALLABLE): the one typed,
    with a CPR number masked. A citizen's CPR number typed into the wrong field of the login page
    is no one's user name, and must not stay in the access tables or the log."""
    if credentials:
        username = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        username = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    return mask_cpr(username) if isinstance(username, str) else username


class CprMaskingAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, which also keeps a failed attempt's GET and POST data (the user
    name, the `next` address) in AccessAttempt: it sees them with CPR numbers masked. The request
    itself is given back unchanged, with the attributes axes sets on it (the lockout)."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        get, post = request.GET, request.POST
        request.GET, request.POST = _masked_query(get), _masked_query(post)
        try:
            return super().user_login_failed(sender, credentials, request, **kwargs)
        finally:
            request.GET, request.POST = get, post


def _masked_query(query):
    masked = query.copy()
    for key in masked:
        masked.setlist(key, [mask_cpr(value) if isinstance(value, str) else value for value in query.getlist(key)])
    return masked
