"""Settings come from the environment; with debug off the app refuses to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def run_check(**env) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY, ALLOWED_HOSTS"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "tilsyn.kk.dk"}, "SECRET_KEY"),
    ],
)
def test_debug_off_refuses_to_start_without_secret_key_and_allowed_hosts(env, missing):
    result = run_check(**env)
    assert result.returncode != 0
    assert f"With DEBUG off Tilsyn needs these environment variables: {missing}" in result.stderr


def test_debug_off_starts_with_both_given():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 50, ALLOWED_HOSTS="tilsyn.kk.dk")
    assert result.returncode == 0, result.stderr


def test_embedded_default_is_sqlite_and_eager_celery():
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.TIME_ZONE, s.LANGUAGE_CODE)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split()[-4:] == ["django.db.backends.sqlite3", "True", "Europe/Copenhagen", "da"]


def test_database_url_and_broker_url_switch_to_postgresql_and_a_real_broker():
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    env = {**os.environ, "DATABASE_URL": "postgres://u@db.example:5432/x", "CELERY_BROKER_URL": "redis://r:6379/0"}
    result = subprocess.run(
        [sys.executable, "-c", f"import django, os; django.setup(); {code}"],
        cwd=BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "tilsyn.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]
