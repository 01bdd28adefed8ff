"""Shared fixtures: the personas every view is tested against, and the services gate.

Personas as in healthchecks' Alice/Bob/Charlie: a contract manager, inspector A, inspector B,
the secretariat, a caseworker, an administrator, and an anonymous visitor.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from leverandoer.access import Role

BASE_DIR = Path(__file__).resolve().parent

PERSONAS = {
    "contract_manager": Role.CONTRACT_MANAGER,
    "inspector_a": Role.INSPECTOR,
    "inspector_b": Role.INSPECTOR,
    "secretariat": Role.SECRETARIAT,
    "caseworker": Role.CASEWORKER,
    "administrator": Role.ADMINISTRATOR,
}
ALL_PERSONAS = ["anonymous", *PERSONAS]


def pytest_configure(config) -> None:
    """Fast password hashing for test users; compile the Danish catalogue when it is missing or
    stale, so that exact messages can be asserted."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    compiled = False
    for po in (BASE_DIR / "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True)
            compiled = True
    if compiled:
        # Django may have read the old catalogue already while it was set up: read it again.
        import gettext

        from django.utils.translation import trans_real

        gettext._translations.clear()  # the standard library caches catalogues by file, too
        trans_real._translations.clear()
        trans_real._default = None
        trans_real._active = trans_real.Local()


def make_user(username: str, role: str | None, **extra):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(
        username=username, password="korrekt-hest-batteri-9", first_name=username.title(), **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def personas(db) -> dict:
    """One user per persona name; `anonymous` maps to None."""
    users = {name: make_user(name.replace("_", "-"), role) for name, role in PERSONAS.items()}
    return {"anonymous": None, **users}


@pytest.fixture
def contract_manager(personas):
    return personas["contract_manager"]


@pytest.fixture
def administrator(personas):
    return personas["administrator"]


@pytest.fixture
def cm_client(client, contract_manager):
    client.force_login(contract_manager)
    return client


def client_for(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path) -> None:
    """Uploaded files go to a fresh folder per test, never into the project's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def services_required(request) -> None:
    """Gate for tests that need real PostgreSQL, Redis and a worker: fail in CI, skip elsewhere."""
    problems = []
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        problems.append("DATABASE_URL does not point at PostgreSQL")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        problems.append("CELERY_BROKER_URL is not set")
    else:
        import redis

        try:
            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2).ping()
        except redis.RedisError as error:
            problems.append(f"the broker does not answer: {error}")
    if problems:
        message = "Real services needed: " + "; ".join(problems)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _services_gate(request) -> None:
    """Tests marked `services` need the real services; all others run tasks in-process (eager),
    whatever broker the environment names, so that they do not depend on a worker."""
    if request.node.get_closest_marker("services"):
        request.getfixturevalue("services_required")
        return
    from tilsyn import celery_app

    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
