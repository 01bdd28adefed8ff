"""What every page promises: no inline styles or scripts, Danish messages at login."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: path.name)
def test_no_inline_style_or_script(template):
    """The Content-Security-Policy will forbid inline styles and scripts: none may exist."""
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"\sstyle\s*=", text)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text)
    assert not re.search(r"\son[a-z]+\s*=", text)


@pytest.mark.django_db
def test_a_wrong_password_gives_a_danish_message_and_keeps_the_user_name(client, contract_manager):
    response = client.post(reverse("login"), {"username": contract_manager.username, "password": "forkert"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indtast venligst korrekt brugernavn og adgangskode." in page
    assert f'value="{contract_manager.username}"' in page


@pytest.mark.django_db
def test_login_then_logout_ends_the_session(client, contract_manager):
    response = client.post(
        reverse("login"), {"username": contract_manager.username, "password": "korrekt-hest-batteri-9"}
    )
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    assert client.post(reverse("logout"))["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.django_db
def test_the_administrator_reaches_the_django_admin_from_the_menu(client, administrator):
    client.force_login(administrator)
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("admin:index")}">Administration<' in page
    admin_page = client.get(reverse("admin:leverandoer_offertype_changelist"))
    assert admin_page.status_code == 200
    assert "Jobsøgningsforløb" in admin_page.content.decode()
