"""Crosscheck settings, read from the environment (see the README's "Settings" table).

Production is the default: DEBUG is off and SECRET_KEY is required unless DEBUG=1.
A `.env` file beside manage.py (`make run` writes one) fills in what the environment
leaves unset; CROSSCHECK_ENV_FILE names another file, or none when empty.
"""

import base64
import hashlib
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from crosscheck.env import env_bool, env_int, env_list, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
load_env_file(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. It is required when DEBUG is off: set it to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Development only (DEBUG=1): a fixed key so sessions survive restarts of `make run`.
    SECRET_KEY = "development-only-key-never-used-with-debug-off-7c1f0e2a9b"
elif len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY is too short: use at least 32 random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "crosscheck.apps.CrosscheckAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "import_export",
    "simple_history",
    "csp",
    "axes",
    # The JSON API's description (crosscheck.api); listed for its Swagger UI static files.
    "ninja",
    "crosscheck.apps.CrosscheckConfig",
    "corpus",
    "claims",
    # Comments on claim pairs and each person's inbox (a feature app above claims).
    "discussion",
    "suggestions",
    # Compare: the timeline of dated claims (and the contradiction map, topic pages).
    "comparison",
    # Interchange: W3C Web Annotations out (the protocol's containers, files) and in.
    "interchange",
    # Background jobs (django-tasks, the backport of Django 6's django.tasks): see TASKS.
    "django_tasks",
    "django_tasks_db",
    "jobs",
]

MIDDLEWARE = [
    # First, so every response (errors included) and every log line carries the request id.
    "crosscheck.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Records who made each change in the history (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crosscheck.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "crosscheck.wsgi.application"

# How many seconds a database connection outlives its request, for the next request of the
# same thread. The development server (runserver, or DEBUG) runs each request in a new
# thread, where a kept connection would outlive its thread: 200 parallel requests held 200
# connections, past PostgreSQL's max_connections (100), and failed. There each request
# closes its own. A production server's few, long-lived workers keep theirs for a minute,
# checked before reuse, so one the database dropped is replaced instead of failing a request.
_DEVELOPMENT_SERVER = DEBUG or sys.argv[1:2] == ["runserver"]
CROSSCHECK_DB_CONN_MAX_AGE = env_int("CROSSCHECK_DB_CONN_MAX_AGE", 0 if _DEVELOPMENT_SERVER else 60)

_database_url = os.environ.get("DATABASE_URL", "").strip()
if _database_url:
    try:
        _database = dj_database_url.parse(
            _database_url,
            conn_max_age=CROSSCHECK_DB_CONN_MAX_AGE,
            conn_health_checks=CROSSCHECK_DB_CONN_MAX_AGE > 0,
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {error}") from None
    if _database.get("ENGINE") not in {
        "django.db.backends.postgresql",
        "django.db.backends.sqlite3",
    }:
        raise ImproperlyConfigured(
            "DATABASE_URL must point at PostgreSQL (postgres://…) or SQLite (sqlite:///…)."
        )
else:
    _database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(BASE_DIR / "db.sqlite3")}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database.setdefault("OPTIONS", {}).update(
        # Wait for a writer instead of failing at once when two requests write together, and
        # keep a write-ahead log so that a long read (an export job) never blocks the writers.
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    )
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes watches every sign-in (the app's and the admin's) before Django checks the
# password: after CROSSCHECK_SIGNIN_FAILURE_LIMIT failures for one account, or from one
# address, that account or address is locked out for CROSSCHECK_SIGNIN_COOLOFF_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("CROSSCHECK_SIGNIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CROSSCHECK_SIGNIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one alone locks out
AXES_LOCKOUT_CALLABLE = "crosscheck.middleware.lockout_response"
AXES_CLIENT_IP_CALLABLE = "crosscheck.middleware.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: none, use the
# connection's address). Behind a proxy, 0 would lock everyone out together.
CROSSCHECK_PROXY_COUNT = env_int("CROSSCHECK_PROXY_COUNT", 0)
# A success does not wipe the failures: else signing in to one's own account between
# guesses would reset the count for the address.
AXES_RESET_ON_SUCCESS = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "corpus:documents"
LOGOUT_REDIRECT_URL = "login"

# The list filters' empty choice (django-filter; QuickSelect reads it from the field): a
# filter left at it matches any value.
FILTERS_EMPTY_CHOICE_LABEL = "Any"

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

# The largest document file the app accepts, in bytes (default 5 MB).
CROSSCHECK_MAX_UPLOAD_BYTES = env_int("CROSSCHECK_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1)
# Requests larger than this are refused before a view runs; leave room for the form fields.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# HTTPS hardening is on whenever DEBUG is off; HTTPS=0 turns it off for a plain-HTTP
# deployment behind no proxy (and for the test suite's live server).
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The pages hand the CSRF token to scripts in a <meta> tag, so the cookie needs no script access.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"


def _csp_hash(source: str) -> str:
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return f"'sha256-{digest}'"


# Content-Security-Policy (django-csp 4): scripts and styles only from the app's own static
# files; no inline script, no eval, no plugins, no framing, forms post only to the app.
# A few admin pages carry fixed inline attributes (django-import-export's export page,
# django-simple-history's history page); 'unsafe-hashes' allows
# exactly these strings as attributes and nothing else.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "script-src-attr": ["'unsafe-hashes'", _csp_hash("onSelectToggleChange(event)")],
        "style-src": [SELF],
        "style-src-attr": [
            "'unsafe-hashes'",
            _csp_hash("padding: 0;"),
            _csp_hash("font-weight: bold;"),
            _csp_hash("border-top: 0"),
        ],
        "img-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Every log line names the request it belongs to (crosscheck.middleware.RequestIdMiddleware),
# the same id the response carries in X-Request-ID and the error page shows.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "crosscheck.middleware.RequestIdFilter"},
        # While a job runs: the id of the request that started it (jobs.log).
        "job_request_id": {"()": "jobs.log.JobRequestIdFilter"},
    },
    "formatters": {
        "request_id": {"format": "%(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id", "job_request_id"],
            "formatter": "request_id",
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}

CSRF_FAILURE_VIEW = "crosscheck.jsonapi.csrf_failure"

# The admin shows each object's history; changing an object back to an old version would
# bypass the services' checks, so the history is read-only (deleted claims and links are
# restored through claims.restores instead).
SIMPLE_HISTORY_REVERT_DISABLED = True

# How many agreeing current reviews confirm or reject a claim link.
CROSSCHECK_REVIEWS_REQUIRED = env_int("CROSSCHECK_REVIEWS_REQUIRED", 1, minimum=1)

# The admin's import and export (django-import-export): each needs its own permission
# (<app>.import_<model>, <app>.export_<model>), and every import runs in one transaction.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
# The largest file an import takes, in bytes (default 20 MB).
CROSSCHECK_MAX_IMPORT_BYTES = env_int("CROSSCHECK_MAX_IMPORT_BYTES", 20 * 1024 * 1024, minimum=1)

# Background jobs (the jobs app; README "Background jobs"). The default engine queues tasks
# in the app's own database (django-tasks-db): nothing else to run but `manage.py
# db_worker`. CROSSCHECK_TASKS_BACKEND=rq queues them in Redis (REDIS_URL) for
# `manage.py rqworker` instead (django-tasks-rq).
CROSSCHECK_TASKS_BACKEND = os.environ.get("CROSSCHECK_TASKS_BACKEND", "database").strip()
if CROSSCHECK_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
elif CROSSCHECK_TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    RQ_QUEUES = {
        "default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")},
    }
    # `manage.py rqworker`'s worker: RQ's, with each job's forked process dying with it.
    RQ = {"WORKER_CLASS": "jobs.rq_worker.JobWorker"}
else:
    raise ImproperlyConfigured(
        f"CROSSCHECK_TASKS_BACKEND={CROSSCHECK_TASKS_BACKEND!r}: use database or rq."
    )
# Result files of jobs: a private folder, outside the static files, served only to the
# person who asked and to editors, and removed after this many days (`purge_jobs`).
CROSSCHECK_JOB_FILES_DIR = Path(
    os.environ.get("CROSSCHECK_JOB_FILES_DIR", "").strip() or BASE_DIR / "job-files"
)
CROSSCHECK_JOB_RESULT_DAYS = env_int("CROSSCHECK_JOB_RESULT_DAYS", 7, minimum=1)
# A running job's worker on another machine counts as lost after this long without a
# heartbeat (written every CROSSCHECK_JOB_HEARTBEAT_SECONDS; PostgreSQL).
CROSSCHECK_JOB_HEARTBEAT_SECONDS = env_int("CROSSCHECK_JOB_HEARTBEAT_SECONDS", 10, minimum=1)
CROSSCHECK_JOB_STALE_SECONDS = env_int("CROSSCHECK_JOB_STALE_SECONDS", 120, minimum=2)
# A job whose worker died is started again this many times (tasks that are safe to run
# again only: ``job_task(retry_when_lost=True)``) before it is marked failed; 0: never.
CROSSCHECK_JOB_RETRIES = env_int("CROSSCHECK_JOB_RETRIES", 1, minimum=0)
# The admin's exports of more rows than this, and every confirmed admin import of more rows
# than this, run as jobs; smaller ones answer at once.
CROSSCHECK_EXPORT_JOB_ROWS = env_int("CROSSCHECK_EXPORT_JOB_ROWS", 5000)
CROSSCHECK_IMPORT_JOB_ROWS = env_int("CROSSCHECK_IMPORT_JOB_ROWS", 1000)
# The optional semantic re-ranker of suggestions (the `semantic` extra; README "Semantic
# re-ranking"): the directory of the all-MiniLM-L6-v2 model; empty: off.
CROSSCHECK_SEMANTIC_MODEL = os.environ.get("CROSSCHECK_SEMANTIC_MODEL", "").strip()
