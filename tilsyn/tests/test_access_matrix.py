"""The permission matrix: every URL pattern × every persona, GET and POST.

A URL pattern missing from MATRIX fails the test, so a new view cannot slip past unreviewed.
Expected codes: 200 allowed, 302 redirect (anonymous → login), 403 role without access,
405 method not allowed for an allowed role.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import ALL_PERSONAS, client_for
from leverandoer.tests import factories

STAFF = {"contract_manager", "administrator"}
EVERYONE = set(ALL_PERSONAS) - {"anonymous"}


@dataclass
class Row:
    get: dict[str, int]
    post: dict[str, int] = field(default_factory=dict)
    kwargs: str | None = None  # which fixture object supplies the URL's arguments


def roles_only(allowed: set[str], ok: int = 200, post_ok: int | None = None) -> Row:
    """Allowed personas get `ok`; other roles 403; anonymous is sent to the login page."""

    def codes(success: int | None) -> dict[str, int]:
        return {
            persona: 302 if persona == "anonymous" else (success if persona in allowed else 403)
            for persona in ALL_PERSONAS
            if success is not None or persona not in allowed
        }

    return Row(get=codes(ok), post=codes(post_ok))


def everyone(code: int, post: int | None = None) -> Row:
    return Row(
        get=dict.fromkeys(ALL_PERSONAS, code), post=dict.fromkeys(ALL_PERSONAS, post) if post is not None else {}
    )


def with_kwargs(row: Row, kwargs: str) -> Row:
    row.kwargs = kwargs
    return row


MATRIX: dict[str, Row] = {
    "home": roles_only(EVERYONE),
    "login": Row(
        get={persona: 200 if persona == "anonymous" else 302 for persona in ALL_PERSONAS},
        post={persona: 200 if persona == "anonymous" else 302 for persona in ALL_PERSONAS},
    ),
    "logout": everyone(405, post=302),
    "set_language": everyone(302, post=302),
    "system_status": roles_only({"administrator"}, post_ok=405),
    "worker_ping": roles_only({"administrator"}, ok=405, post_ok=302),
    "leverandoer:provider_list": roles_only(STAFF),
    "leverandoer:provider_create": roles_only(STAFF),
    "leverandoer:provider_detail": with_kwargs(roles_only(STAFF), "provider"),
    "leverandoer:provider_edit": with_kwargs(roles_only(STAFF), "provider"),
    "leverandoer:provider_referral": with_kwargs(roles_only(STAFF), "provider"),
    "leverandoer:agreement_list": roles_only(STAFF),
    "leverandoer:agreement_create": roles_only(STAFF),
    "leverandoer:agreement_detail": with_kwargs(roles_only(STAFF), "agreement"),
    "leverandoer:agreement_edit": with_kwargs(roles_only(STAFF), "agreement"),
    "leverandoer:offer_list": roles_only(STAFF),
    "leverandoer:offer_create": roles_only(STAFF),
    "leverandoer:offer_detail": with_kwargs(roles_only(STAFF), "offer"),
    "leverandoer:offer_edit": with_kwargs(roles_only(STAFF), "offer"),
    "leverandoer:offer_referral": with_kwargs(roles_only(STAFF), "offer"),
    "leverandoer:comparable_group_list": roles_only(STAFF),
    # The Django admin checks access itself: administrators only, everyone else to its login.
    "admin:*": Row(get={persona: 200 if persona == "administrator" else 302 for persona in ALL_PERSONAS}),
}


def url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                names.add("admin:*")
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name and cannot be in the matrix"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_is_in_the_matrix():
    assert url_names() == set(MATRIX)


@pytest.fixture
def objects(db) -> dict:
    offer = factories.offer()
    return {
        "provider": {"ref": offer.provider.ref},
        "offer": {"ref": offer.ref},
        "agreement": {"pk": factories.agreement(provider=offer.provider).pk},
    }


def _url(name: str, row: Row, objects: dict) -> str:
    if name == "admin:*":
        return reverse("admin:index")
    return reverse(name, kwargs=objects[row.kwargs] if row.kwargs else None)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_get(name, client, personas, objects):
    row = MATRIX[name]
    url = _url(name, row, objects)
    seen = {persona: client_for(client, personas[persona]).get(url).status_code for persona in ALL_PERSONAS}
    assert seen == row.get


@pytest.mark.parametrize("name", sorted(name for name, row in MATRIX.items() if row.post))
def test_post(name, client, personas, objects):
    """POST with empty data: refused roles change nothing; allowed roles are covered by view tests."""
    row = MATRIX[name]
    url = _url(name, row, objects)
    seen = {persona: client_for(client, personas[persona]).post(url).status_code for persona in row.post}
    assert seen == row.post


def test_anonymous_is_sent_to_login_with_next(client, objects):
    url = reverse("leverandoer:provider_detail", kwargs=objects["provider"])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    ("persona", "visible", "hidden"),
    [
        ("contract_manager", ["Leverandører", "Tilbud", "Rammeaftaler"], ["Systemstatus"]),
        ("administrator", ["Leverandører", "Systemstatus"], []),
        ("inspector_a", [], ["Leverandører", "Tilbud", "Rammeaftaler", "Systemstatus"]),
        ("secretariat", [], ["Leverandører", "Tilbud", "Rammeaftaler", "Systemstatus"]),
        ("caseworker", [], ["Leverandører", "Tilbud", "Systemstatus"]),
    ],
)
def test_navigation_shows_each_role_only_what_it_may_use(client, personas, persona, visible, hidden):
    response = client_for(client, personas[persona]).get(reverse("home"))
    menu = response.content.decode().split('id="main-nav"')[1].split("</ul>")[0]
    for label in visible:
        assert f">{label}<" in menu
    for label in hidden:
        assert f">{label}<" not in menu
