"""How long a database connection outlives its request (``CONN_MAX_AGE``). The development
server runs each request in a thread of its own, so a kept connection would outlive its
thread: 200 parallel requests held 200 PostgreSQL connections, past the server's limit,
and requests failed with "too many clients". There each request closes its connection; a
production server's few long-lived workers keep theirs for a minute, checked before reuse.
``CROSSCHECK_DB_CONN_MAX_AGE`` sets it either way."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

URL = "postgres://crosscheck@127.0.0.1:5432/crosscheck"
KEY = "connection-policy-test-key-3c9e1b7a5d2f8e0c4b6a9d1f3e5c7b9a"
PRINT = (
    "import sys; sys.argv = {argv!r}\n"
    "import json, crosscheck.settings as s\n"
    "db = s.DATABASES['default']\n"
    "print(json.dumps([db.get('CONN_MAX_AGE'), db.get('CONN_HEALTH_CHECKS', False)]))"
)
VARIABLES = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "HTTPS", "CROSSCHECK_DB_CONN_MAX_AGE",
             "DJANGO_SETTINGS_MODULE"}  # fmt: skip


def policy(*argv: str, **env: str) -> subprocess.CompletedProcess:
    """The settings' connection policy, imported in a fresh interpreter whose command line
    is ``argv`` (``manage.py …``), with only ``env`` of the settings' variables set."""
    clean = {name: value for name, value in os.environ.items() if name not in VARIABLES}
    return subprocess.run(
        [sys.executable, "-c", PRINT.format(argv=list(argv) or ["gunicorn"])],
        env=clean | {"CROSSCHECK_ENV_FILE": "", "DATABASE_URL": URL} | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def conn_max_age(*argv: str, **env: str) -> list:
    result = policy(*argv, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_production_server_keeps_its_connections_a_minute_checked_before_reuse():
    assert conn_max_age(SECRET_KEY=KEY) == [60, True]


def test_the_development_server_closes_each_requests_connection():
    assert conn_max_age("manage.py", "runserver", DEBUG="1") == [0, False]
    assert conn_max_age("manage.py", "runserver", "127.0.0.1:8000", SECRET_KEY=KEY) == [0, False]


def test_debug_mode_closes_each_requests_connection_whatever_serves_it():
    assert conn_max_age(DEBUG="1") == [0, False]


@pytest.mark.parametrize(
    ("argv", "env"),
    [(["gunicorn"], {"SECRET_KEY": KEY}), (["manage.py", "runserver"], {"DEBUG": "1"})],
    ids=["production", "runserver"],
)
def test_the_variable_decides_when_set(argv, env):
    assert conn_max_age(*argv, CROSSCHECK_DB_CONN_MAX_AGE="5", **env) == [5, True]
    assert conn_max_age(*argv, CROSSCHECK_DB_CONN_MAX_AGE="0", **env) == [0, False]


@pytest.mark.parametrize("value", ["-1", "a minute"])
def test_a_value_that_is_not_a_number_of_seconds_is_refused(value):
    result = policy(DEBUG="1", CROSSCHECK_DB_CONN_MAX_AGE=value)
    assert result.returncode != 0
    assert "CROSSCHECK_DB_CONN_MAX_AGE=" in result.stderr
