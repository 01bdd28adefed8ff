"""Issue 14, points 2 and 9: a CPR number reaches no log line, percent-encoded or typed as a user
name on the login page; and a 403 or 404 is one log line without a traceback (a 500 keeps its)."""

from __future__ import annotations

import io
import logging
import sys
from contextlib import contextmanager

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.test import Client
from django.urls import path, reverse

from conftest import client_for
from leverandoer.access import public
from leverandoer.logfilters import MaskCprFilter, mask_cpr_in_log

CPR_FORMS = ("010190-1234", "0101 90 12 34", "0101901234", "010190", "90 12 34")


@contextmanager
def log_output():
    """What the app's console handler (the one that writes the log, with its filters) writes."""
    console = next(handler for handler in logging.getLogger().handlers if type(handler) is logging.StreamHandler)
    written = io.StringIO()
    previous = console.setStream(written)
    try:
        yield written
    finally:
        console.setStream(previous)


# --- The log filter reads percent-encoded text --------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("GET /klager/?q=0101%2D90%201234 HTTP/1.1", "GET /klager/?q=XXXX%2DXX%20XXXX HTTP/1.1"),
        ("GET /klager/?q=010190%2B1234 HTTP/1.1", "GET /klager/?q=XXXXXX%2BXXXX HTTP/1.1"),
        ("GET /klager/?q=01%2001%2090%201234 HTTP/1.1", "GET /klager/?q=XX%20XX%20XX%20XXXX HTTP/1.1"),
        ("GET /klager/?q=010190+1234&side=2 HTTP/1.1", "GET /klager/?q=XXXXXX+XXXX&side=2 HTTP/1.1"),
        ("GET /klager/?q=010190%e2%80%911234", "GET /klager/?q=XXXXXX%e2%80%91XXXX"),  # non-breaking hyphen
        ("GET /klager/?q=010190%C2%A01234", "GET /klager/?q=XXXXXX%C2%A0XXXX"),  # non-breaking space
        ("GET /klager/?q=%30%31%30%31%39%30-1234", "GET /klager/?q=XXXXXX-XXXX"),  # encoded digits
        ("Not Found: /klager/010190\\u20111234/", "Not Found: /klager/XXXXXX\\u2011XXXX/"),  # django.request's escape
        ("Not Found: /klager/010190\\xa01234/", "Not Found: /klager/XXXXXX\\xa0XXXX/"),
        ("søgte på 010190-1234", "søgte på XXXXXX-XXXX"),
    ],
)
def test_the_filter_masks_encoded_cpr_numbers_in_place(line, masked):
    assert mask_cpr_in_log(line) == masked


@pytest.mark.parametrize(
    "line",
    [
        "GET /klager/?q=%2B45%2012%2034%2056%2078 HTTP/1.1",  # a phone number
        "GET /rapporter/2025-H1/?side=2 HTTP/1.1",
        "GET /klager/?q=2025-1739746 HTTP/1.1",
        "99.6 %% delivered, 1.234.567,89 kr., 15.03.2025 14.00",
        "broken %E2%80 and %ZZ escapes",
    ],
)
def test_the_filter_leaves_other_lines_as_they_are(line):
    assert mask_cpr_in_log(line) == line


def test_a_development_server_request_line_with_an_encoded_search_is_written_masked():
    """django.server writes the request line as the browser sent it: percent-encoded."""
    with log_output() as written:
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /klager/?q=0101%2D90%201234 HTTP/1.1", "302", "0", extra={"status_code": 302}
        )
    assert written.getvalue() == '"GET /klager/?q=XXXX%2DXX%20XXXX HTTP/1.1" 302 0\n'


def test_the_filter_masks_a_record_and_its_traceback():
    try:
        raise ValueError("ingen borger 0101%2D90%201234")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "søgning %s", ("q=010190%2B1234",), sys.exc_info())
    MaskCprFilter().filter(record)
    assert record.getMessage() == "søgning q=XXXXXX%2BXXXX"
    assert "ingen borger XXXX%2DXX%20XXXX" in record.exc_text
    assert "0101%2D90" not in record.exc_text


@pytest.mark.django_db
def test_a_cpr_number_in_a_missing_address_is_logged_masked(client, personas):
    client_for(client, personas["contract_manager"])
    with log_output() as written:
        response = client.get("/klager/0101%2D90%201234/")
    assert response.status_code == 404
    user = personas["contract_manager"].pk
    assert written.getvalue() == f"Not Found: /klager/XXXX-XX XXXX/ (GET 404, user {user})\n"


# --- The login page's user name ------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cpr_number_typed_as_user_name_is_stored_and_logged_masked(client, caplog):
    caplog.set_level(logging.INFO)
    login = reverse("login") + "?next=/klager/%3Fq%3D010190-1234"
    with log_output() as written:
        for username in ("010190-1234", "0101 90 12 34"):
            response = client.post(
                login, {"username": username, "password": "forkert", "next": "/klager/?q=0101901234"}
            )
            assert response.status_code == 200
    attempts = list(AccessAttempt.objects.values())
    failures = list(AccessFailureLog.objects.values())
    assert {row["username"] for row in attempts} == {"XXXXXX-XXXX", "XXXX XX XX XX"}
    assert [row["username"] for row in failures] == ["XXXXXX-XXXX", "XXXX XX XX XX"]
    assert "username=XXXXXX-XXXX" in attempts[0]["post_data"]
    assert "next=/klager/?q=XXXXXXXXXX" in attempts[0]["post_data"]
    stored = repr(attempts) + repr(failures)
    logged = caplog.text + written.getvalue()
    assert 'New login failure by {username: "XXXXXX-XXXX"' in logged
    for form in CPR_FORMS:
        assert form not in stored, form
        assert form not in logged, form


@pytest.mark.django_db
def test_five_failures_with_a_cpr_number_as_user_name_still_lock_out(client):
    for _attempt in range(4):
        assert client.post(reverse("login"), {"username": "010190-1234", "password": "x"}).status_code == 200
    assert client.post(reverse("login"), {"username": "010190-1234", "password": "x"}).status_code == 429
    assert AccessAttempt.objects.get().failures_since_start == 5


# --- A refused request is one line ---------------------------------------------------------------


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [path("boom/", public(_boom))]


def _request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


@pytest.mark.django_db
def test_a_403_is_one_line_without_traceback(client, personas, caplog):
    caplog.set_level(logging.INFO)
    inspector = personas["inspector_a"]
    response = client_for(client, inspector).get(reverse("leverandoer:provider_list"))
    assert response.status_code == 403
    [record] = _request_records(caplog)
    assert record.getMessage() == f"Forbidden (Permission denied): /leverandoerer/ (GET 403, user {inspector.pk})"
    assert (record.levelname, record.exc_info, record.exc_text) == ("WARNING", None, None)
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_a_404_is_one_line_without_traceback_and_anonymous_is_a_dash(client, personas, caplog):
    caplog.set_level(logging.INFO)
    response = client_for(client, personas["contract_manager"]).get("/klager/KLG-INGEN/")
    assert response.status_code == 404
    [record] = _request_records(caplog)
    user = personas["contract_manager"].pk
    assert record.getMessage() == f"Not Found: /klager/KLG-INGEN/ (GET 404, user {user})"
    assert record.exc_info is None
    caplog.clear()
    assert Client().get("/findes-ikke/010190-1234/").status_code == 404
    [record] = _request_records(caplog)
    assert record.getMessage() == "Not Found: /findes-ikke/XXXXXX-XXXX/ (GET 404, user -)"
    assert "Traceback" not in caplog.text


@pytest.mark.django_db
def test_a_500_keeps_its_traceback(settings, caplog):
    settings.ROOT_URLCONF = __name__
    caplog.set_level(logging.INFO)
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    [record] = _request_records(caplog)
    assert record.getMessage() == "Internal Server Error: /boom/"
    assert record.levelname == "ERROR"
    assert record.exc_info[0] is RuntimeError
    with log_output() as written:
        logging.getLogger("django.request").handle(record)
    assert "Traceback (most recent call last)" in written.getvalue()
    assert "RuntimeError: a bug" in written.getvalue()
