"""Settings for Tilsyn, driven by environment variables.

Nothing set gives the embedded default: an SQLite file in the project folder and Celery tasks
executed in-process, so `make run` works on any machine. `DATABASE_URL` and `CELERY_BROKER_URL`
switch to PostgreSQL and a real Redis broker with a worker. Every variable is listed in
`.env.example`.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def envlist(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Debug is on for a developer's machine (`make run`); a deployment sets DEBUG=0 and must then
# give SECRET_KEY and ALLOWED_HOSTS, or the app refuses to start.
DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS")
if not DEBUG:
    missing = [name for name, value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not value]
    if missing:
        raise ImproperlyConfigured("With DEBUG off Tilsyn needs these environment variables: " + ", ".join(missing))
else:
    SECRET_KEY = SECRET_KEY or "insecure-development-key-only-for-debug"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "testserver"]

INSTALLED_APPS = [
    "tilsyn.apps.TilsynAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "tilsyn.apps.TilsynConfig",
    "leverandoer",
    "kvalitet",
    "rapporter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tilsyn.middleware.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Every view declares the roles that may use it; this enforces the declaration.
    "tilsyn.middleware.RoleAccessMiddleware",
]

ROOT_URLCONF = "tilsyn.urls"
WSGI_APPLICATION = "tilsyn.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tilsyn.context_processors.navigation",
            ],
        },
    },
]

# https://github.com/jazzband/dj-database-url — DATABASE_URL=postgres://user@host:5432/name
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # https://docs.djangoproject.com/en/5.2/ref/databases/#database-is-locked-errors — writers
    # queue for the lock at the start of a transaction instead of failing half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 20})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# https://docs.djangoproject.com/en/5.2/topics/i18n/ — Danish first, English available.
LANGUAGE_CODE = "da"
LANGUAGES = [("da", _("Danish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Copenhagen"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Uploaded files live outside the web root and are served only through views that check access.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# The largest PDF a user may upload (visit reports, action plans), in megabytes.
UPLOAD_MAX_MB = envint("UPLOAD_MAX_MB", 20)
# The largest import file (CSV or XLSX), in megabytes.
IMPORT_MAX_MB = envint("IMPORT_MAX_MB", 20)
# Survey answers accepted per network address per survey per hour: a course room shares one
# address on its Wi-Fi, so this is a guard against flooding, not one answer per person.
SURVEY_ANSWERS_PER_HOUR = envint("SURVEY_ANSWERS_PER_HOUR", 40)
# Personal data in complaints (kvalitet.privacy): a complaint and its history are deleted this many
# days after its decision (after receipt when never decided) — five years by default, the usual
# keeping period for a municipal case. The log of who read complaint data is deleted this many days
# after each read — six months, what the former Danish security order (bekendtgørelse nr. 528 af
# 15. juni 2000, § 19) set for the log of every use of personal data: kept six months, then deleted.
COMPLAINT_RETENTION_DAYS = envint("COMPLAINT_RETENTION_DAYS", 5 * 365)
COMPLAINT_ACCESS_LOG_RETENTION_DAYS = envint("COMPLAINT_ACCESS_LOG_RETENTION_DAYS", 183)
# https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-memory-size — larger
# uploads stream to a temporary file; the request body limit sits just above the PDF limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# https://docs.djangoproject.com/en/5.2/topics/cache/ — the survey page counts answers per network
# address here. With Redis configured, one shared count across processes; else per process.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For django.core.mail.backends.filebased.EmailBackend: the folder mails are written to.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tilsyn@localhost")
# The address users reach the app at, for links in e-mails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Celery --------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
# No broker configured: tasks run in-process (eager). With CELERY_BROKER_URL a worker runs them.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
# The database is the durable record of every piece of work; task results are not kept.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is killed before Redis would hand its message to another worker.
CELERY_TASK_TIME_LIMIT = envint("CELERY_TASK_TIME_LIMIT", 30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 15 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A report run whose heartbeat is older than this is failed by the sweeper; a run still pending
# after REPORT_PENDING_RESEND seconds is sent again (the broker keeps nothing on disk).
REPORT_HEARTBEAT_TIMEOUT = envint("REPORT_HEARTBEAT_TIMEOUT", 300)
REPORT_PENDING_RESEND = envint("REPORT_PENDING_RESEND", 120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
