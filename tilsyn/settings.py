"""Settings for Tilsyn, driven by environment variables.

Nothing set gives the embedded default: an SQLite file in the project folder and Celery tasks
executed in-process, so `make run` works on any machine. `DATABASE_URL` and `CELERY_BROKER_URL`
switch to PostgreSQL and a real Redis broker with a worker. Every variable is listed in
`.env.example`.
"""

from __future__ import annotations

import os
from datetime import timedelta
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
    # Login failures per user and address, with a cool-off (https://django-axes.readthedocs.io/).
    "axes",
    # Content-Security-Policy header; the app brings its system checks (https://django-csp.readthedocs.io/).
    "csp",
    "tilsyn.apps.TilsynConfig",
    "leverandoer",
    "kvalitet",
    "rapporter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Cache-Control: no-store, private on every page: personal data stays out of caches.
    "tilsyn.security.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tilsyn.middleware.DanishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session older than SESSION_ABSOLUTE_HOURS ends, however active it was.
    "tilsyn.security.SessionLifetimeMiddleware",
    # Too many files or too large a form: a clear page instead of a bare 400.
    "tilsyn.security.RequestLimitsMiddleware",
    # Records who made each change in the history tables.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Every view declares the roles that may use it; this enforces the declaration.
    "tilsyn.middleware.RoleAccessMiddleware",
    # Turns a login refused for too many failures into the lockout page; last, as axes asks.
    "axes.middleware.AxesMiddleware",
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

# https://docs.djangoproject.com/en/5.2/topics/auth/passwords/#enabling-password-validation —
# applied wherever a password is set through a form (the admin's user pages, password change).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("PASSWORD_MIN_LENGTH", 12)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/#specifying-authentication-backends
# The first backend refuses a locked-out user before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "tilsyn.security.LoginAttemptsBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# https://django-axes.readthedocs.io/en/latest/4_configuration.html — LOGIN_FAILURE_LIMIT failed
# logins for the same user name from the same address lock that combination for
# LOGIN_COOLOFF_MINUTES; a colleague on the same network, or the same user elsewhere, can still log
# in. Every failure is logged (logger `axes`, and the access-failure table an administrator can
# read and clear in the admin); a successful login resets the count.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "tilsyn.security.lockout_response"
# The log names the user and the address, so an administrator can act on it; passwords never.
AXES_SENSITIVE_PARAMETERS: list[str] = []
# Behind a reverse proxy every request comes from the proxy's address: name the request header
# the proxy sets to the client's address (e.g. HTTP_X_REAL_IP), never one a client can set itself.
# Of a list (X-Forwarded-For) the right-most entry, the one the proxy appended, counts. The login
# lockout and the survey flood limit both count by it (`tilsyn.security.client_address`).
# https://docs.djangoproject.com/en/5.2/ref/request-response/#django.http.HttpRequest.META
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "")
AXES_CLIENT_IP_CALLABLE = "tilsyn.security.client_address"
# A CPR number typed as a user name is masked before axes counts, stores or logs it
# (https://django-axes.readthedocs.io/en/latest/4_configuration.html).
AXES_USERNAME_CALLABLE = "tilsyn.security.login_username"
AXES_HANDLER = "tilsyn.security.CprMaskingAxesHandler"

# --- Sessions ----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/http/sessions/#browser-length-sessions-vs-persistent-sessions
# Inactivity: a session's database row expires SESSION_IDLE_MINUTES after it was last saved, and
# `tilsyn.security.SessionLifetimeMiddleware` saves an active session at least once a minute
# (instead of SESSION_SAVE_EVERY_REQUEST, a write on every request). So a session left alone that
# long is gone on the server. The cookie itself dies with the browser.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Absolute lifetime: however active, a session ends this many hours after the login (same middleware).
SESSION_ABSOLUTE_HOURS = envint("SESSION_ABSOLUTE_HOURS", 10)

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
# Bounds checked before an import file is parsed whole (kvalitet/tables.py): an XLSX file is a zip
# archive, and the sizes its directory declares are checked before anything is unpacked — the sum of
# its members in megabytes and how many times larger they are than packed (a "zip bomb" of 300 KB
# can unpack to gigabytes). Rows are counted while they are read, and no cell may be longer.
IMPORT_MAX_UNPACKED_MB = envint("IMPORT_MAX_UNPACKED_MB", 100)
IMPORT_MAX_PACKING_RATIO = envint("IMPORT_MAX_PACKING_RATIO", 100)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000)
IMPORT_MAX_CELL_CHARS = envint("IMPORT_MAX_CELL_CHARS", 2000)
# An import of more rows than this runs as a task (an ImportRun with a progress bar); smaller ones
# in the request. Without a broker (the embedded default) the task too runs in the request.
IMPORT_BACKGROUND_ROWS = envint("IMPORT_BACKGROUND_ROWS", 5000)
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
# A request larger than the largest file any form accepts is refused before its body is read.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "tilsyn.uploads.SizeLimitedUploadHandler",
]

# https://docs.djangoproject.com/en/5.2/topics/cache/ — the survey page counts answers per network
# address here. With Redis configured, one shared count across processes; else per process.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Security headers and cookies ---------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/middleware/#module-django.middleware.security and
# `manage.py check --deploy`, which a test runs with production settings and expects to be silent.
# With DEBUG off everything goes over HTTPS: plain HTTP is redirected, browsers remember HTTPS for
# a year (HSTS), and no cookie travels without TLS.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
if envbool("BEHIND_TLS_PROXY", False):
    # https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header — only when a
    # proxy you run terminates TLS and sets this header on every request (and strips it from clients).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else envint("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script of ours reads the CSRF cookie (forms carry the token), so scripts need not see it.
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# https://django-csp.readthedocs.io/en/latest/configuration.html — everything from our own origin,
# nothing inline: no inline <script>/<style>, no style= or on…= attributes anywhere (templates,
# crispy-forms and the Django admin render none that matter; see docs/architecture.md). `data:`
# images are Bootstrap's own icons in its stylesheet (select arrows, check marks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# For django.core.mail.backends.filebased.EmailBackend: the folder mails are written to.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tilsyn@localhost")
# Where the accessibility statement asks people to write about barriers.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get("ACCESSIBILITY_CONTACT_EMAIL") or DEFAULT_FROM_EMAIL
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
# A report run whose heartbeat is older than this is taken back by the sweeper and tried again
# (failed after its third try); a run still pending after REPORT_PENDING_RESEND seconds is sent
# again (the broker keeps nothing on disk).
REPORT_HEARTBEAT_TIMEOUT = envint("REPORT_HEARTBEAT_TIMEOUT", 300)
REPORT_PENDING_RESEND = envint("REPORT_PENDING_RESEND", 120)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every line written is masked for CPR numbers (leverandoer.logfilters).
    # A 403 or 404 is one line without traceback (leverandoer.logfilters.OneLineClientErrorFilter).
    "filters": {
        "mask_cpr": {"()": "leverandoer.logfilters.MaskCprFilter"},
        "one_line_client_errors": {"()": "leverandoer.logfilters.OneLineClientErrorFilter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_cpr"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (a console for DEBUG, mail to ADMINS) would write unmasked: its
        # records go to the masked console above instead.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"filters": ["one_line_client_errors"]},
        "django.db.backends": {"level": "WARNING"},
        # Login failures and lockouts (django-axes) are always logged.
        "axes": {"level": "INFO"},
        "axes.apps": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
