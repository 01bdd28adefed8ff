"""Danish by default, whatever the browser asks for; English when the user chooses it."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_interface_is_danish_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "da"
    assert '<html lang="da">' in response.content.decode()
    assert "Log ind" in response.content.decode()


def test_english_can_be_chosen_from_the_language_menu(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page
    assert "Log in to Tilsyn" in page


def test_an_unknown_language_falls_back_to_danish(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="da">' in client.get(reverse("login")).content.decode()


def test_dates_and_numbers_are_danish(cm_client):
    from leverandoer.tests import factories

    agreement = factories.agreement(title="Rammeaftale X")
    page = cm_client.get(agreement.get_absolute_url()).content.decode()
    assert "1. januar 2024 – 31. december 2027" in page
