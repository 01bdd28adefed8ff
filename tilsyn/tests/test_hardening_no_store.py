"""Issue 14, point 7: no page with personal data is kept in a browser's or a proxy's cache. Every
response of the app carries `Cache-Control: no-store, private`; static files do not."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import ALL_PERSONAS, client_for
from tilsyn.security import NoStoreMiddleware
from tilsyn.tests.test_access_matrix import MATRIX, _url, objects  # noqa: F401 — `objects` is a fixture

NO_STORE = "no-store, private"


@pytest.mark.django_db
def test_every_url_of_the_matrix_answers_no_store_for_every_persona(client, personas, objects):  # noqa: F811
    """Every URL × every persona, whatever the answer: a page, a PDF, a calendar feed, a redirect
    to the login page, a 403 or a 405."""
    seen = {}
    for name, row in sorted(MATRIX.items()):
        url = _url(name, row, objects)
        for persona in ALL_PERSONAS:
            response = client_for(client, personas[persona]).get(url)
            seen[(name, persona, response.status_code)] = response.get("Cache-Control")
    assert {key for key, header in seen.items() if header != NO_STORE} == set()
    assert {status for _name, _persona, status in seen} >= {200, 302, 403}


@pytest.mark.django_db
def test_the_login_page_a_404_and_a_post_answer_no_store(client, personas):
    assert Client().get(reverse("login"))["Cache-Control"] == NO_STORE
    assert Client().get("/findes-ikke/")["Cache-Control"] == NO_STORE
    manager = client_for(client, personas["contract_manager"])
    assert manager.get("/klager/KLG-INGEN/")["Cache-Control"] == NO_STORE
    assert manager.post(reverse("leverandoer:provider_create"), {})["Cache-Control"] == NO_STORE


def test_a_view_that_set_its_own_caching_is_overruled():
    def cached_view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=3600"
        response["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
        return response

    response = NoStoreMiddleware(cached_view)(RequestFactory().get("/klager/"))
    assert response["Cache-Control"] == NO_STORE
    assert "Expires" not in response


@pytest.mark.parametrize("path", ["/static/css/app.css", "/static/tilsyn/js/progress.js"])
def test_static_files_keep_their_own_caching(path):
    def static_file(request):
        response = HttpResponse("body{}", content_type="text/css")
        response["Cache-Control"] = "max-age=31536000, public, immutable"
        return response

    response = NoStoreMiddleware(static_file)(RequestFactory().get(path))
    assert response["Cache-Control"] == "max-age=31536000, public, immutable"
