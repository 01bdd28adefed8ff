"""Point 6 of the security issue: a Content-Security-Policy without 'unsafe-inline' that every page
keeps to, HSTS, secure and HttpOnly cookies, X-Frame-Options, a Referrer-Policy, and a silent
`manage.py check --deploy` with production settings."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from conftest import ALL_PERSONAS, client_for
from tilsyn.models import ControlArea
from tilsyn.tests.test_access_matrix import MATRIX, _url, objects  # noqa: F401 — `objects` is a fixture

BASE_DIR = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(header: str) -> dict[str, str]:
    """A Content-Security-Policy header as {directive: sources} (django-csp does not keep an order)."""
    pairs = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: sources for name, sources in pairs}


def production_env(**extra) -> dict:
    """The environment of a deployment: debug off, a strong key, a host name, nothing else."""
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    return {**clean, "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "tilsyn.kk.dk", **extra}


def test_check_deploy_gives_no_warning_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


PROBE = """
import json, django
django.setup()
from django.conf import settings as s
from django.test import Client
plain = Client().get("/login/", HTTP_HOST="tilsyn.kk.dk")
page = Client().get("/login/", HTTP_HOST="tilsyn.kk.dk", secure=True)
csrf = page.cookies[s.CSRF_COOKIE_NAME]
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "status": page.status_code,
    "headers": dict(page.headers),
    "csrf_cookie": {"secure": csrf["secure"], "httponly": csrf["httponly"], "samesite": csrf["samesite"]},
    "settings": {name: getattr(s, name) for name in [
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SECURE",
        "CSRF_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_HTTPONLY", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
    ]},
}))
"""


def test_production_sends_hsts_and_secure_httponly_cookies():
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=BASE_DIR,
        env=production_env(DJANGO_SETTINGS_MODULE="tilsyn.settings", DATABASE_URL="sqlite:///:memory:"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    # Plain HTTP is sent to HTTPS.
    assert seen["plain"] == [301, "https://tilsyn.kk.dk/login/"]
    assert seen["status"] == 200
    headers = seen["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert policy(headers["Content-Security-Policy"]) == POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert seen["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert seen["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "LANGUAGE_COOKIE_SECURE": True,
        "LANGUAGE_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


@pytest.mark.django_db
def test_a_normal_page_carries_the_security_headers(client, contract_manager):
    client.force_login(contract_manager)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert policy(response["Content-Security-Policy"]) == POLICY
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_session_cookie_is_httponly_and_same_site(client, contract_manager):
    response = client.post(
        reverse("login"), {"username": contract_manager.username, "password": "korrekt-hest-batteri-9"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # A browser-length cookie: it dies with the browser; the server ends the session by itself.
    assert cookie["max-age"] == ""


@pytest.mark.django_db
def test_hsts_is_sent_over_https_when_configured(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# What the policy forbids, as it would appear in a rendered page.
INLINE = {
    "inline <style>": re.compile(r"<style[\s>]", re.IGNORECASE),
    "style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE),
    "inline <script>": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE),
    "event handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE),
}


def inline_code_in(html: str) -> list[str]:
    return [name for name, pattern in INLINE.items() if pattern.search(html)]


def test_the_inline_code_patterns_find_what_they_should():
    assert inline_code_in('<p style="color:red">') == ["style= attribute"]
    assert inline_code_in("<script>alert(1)</script>") == ["inline <script>"]
    assert inline_code_in('<button onclick="x()">') == ["event handler attribute"]
    assert inline_code_in('<a href="javascript:x()">') == ["javascript: URL"]
    assert inline_code_in("<style>p{}</style>") == ["inline <style>"]
    assert inline_code_in('<script src="/static/a.js"></script><script type="application/json">{}</script>') == []
    assert inline_code_in("<p>Style is on the list; onclick= in text is fine</p>") == []


@pytest.mark.django_db
def test_every_page_renders_without_inline_code_and_with_the_policy(client, personas, objects):  # noqa: F811
    """Every URL of the permission matrix, opened by a persona that may open it: crispy-forms
    output, panels and charts included. The policy would block anything inline, so none may exist."""
    checked = 0
    for name, row in sorted(MATRIX.items()):
        persona = next((p for p in ALL_PERSONAS if row.get.get(p) == 200), None)
        if persona is None:
            continue
        response = client_for(client, personas[persona]).get(_url(name, row, objects))
        if not response["Content-Type"].startswith("text/html"):
            continue
        assert policy(response["Content-Security-Policy"]) == POLICY, name
        assert inline_code_in(response.content.decode()) == [], name
        checked += 1
    assert checked >= 30


@pytest.mark.django_db
def test_the_admin_pages_an_administrator_uses_render_without_inline_code(client, administrator, objects):  # noqa: F811
    """The admin runs under the same policy (no exemption). Django's admin has no inline script or
    event handler; see docs/architecture.md for the one cosmetic inline style the policy blocks."""
    client.force_login(administrator)
    pages = [
        reverse("admin:index"),
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_change", args=[administrator.pk]),
        reverse("admin:auth_user_add"),
        reverse("admin:tilsyn_controlarea_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response["Content-Security-Policy"]) == POLICY, url
        assert inline_code_in(response.content.decode()) == [], url


@pytest.mark.django_db
def test_the_history_page_has_only_the_known_cosmetic_inline_style(client, administrator):
    """django-simple-history's history page draws its paginator with `style="border-top: 0"`; the
    policy blocks that, and the paginator keeps a thin top border. Nothing else inline."""
    client.force_login(administrator)
    area = ControlArea.objects.first()
    area.position += 1
    area.save()  # a history row, so that the page lists one
    response = client.get(reverse("admin:tilsyn_controlarea_history", args=[area.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert inline_code_in(html) == ["style= attribute"]
    assert re.findall(r"\sstyle\s*=\s*\"[^\"]*\"", html) == [' style="border-top: 0"']
