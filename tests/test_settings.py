"""Settings come from the environment and refuse nonsense with a clear message."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from crosscheck.env import env_bool, env_int, env_list


def import_settings(**env) -> subprocess.CompletedProcess:
    """Import the production settings module in a fresh interpreter with only ``env`` set."""
    clean_env = {key: value for key, value in os.environ.items() if key not in {
        "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "HTTPS",
        "CROSSCHECK_MAX_UPLOAD_BYTES", "DJANGO_SETTINGS_MODULE",
    }}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-c", "import crosscheck.settings as s; print(s.DEBUG, s.HTTPS)"],
        env=clean_env | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_requires_a_secret_key_when_debug_is_off():
    result = import_settings()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_refuses_a_short_secret_key():
    result = import_settings(SECRET_KEY="short")
    assert "SECRET_KEY is too short" in result.stderr


def test_debug_mode_runs_without_a_secret_key_and_without_https():
    result = import_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_production_turns_https_hardening_on():
    result = import_settings(SECRET_KEY="k" * 50, ALLOWED_HOSTS="example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_it_refuses_a_database_url_of_another_kind():
    result = import_settings(DEBUG="1", DATABASE_URL="mysql://root@localhost/db")
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_it_refuses_a_debug_value_that_is_not_yes_or_no():
    result = import_settings(DEBUG="maybe")
    assert "DEBUG='maybe' is not a yes/no value" in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("off", False), ("Yes", True)])
def test_env_bool_reads_yes_and_no(monkeypatch, raw, expected):
    monkeypatch.setenv("FLAG", raw)
    assert env_bool("FLAG", not expected) is expected


def test_env_int_refuses_words_and_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("LIMIT", "five")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("LIMIT", 1)
    monkeypatch.setenv("LIMIT", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("LIMIT", 1, minimum=1)


def test_env_list_splits_on_commas_and_refuses_an_empty_list(monkeypatch):
    monkeypatch.setenv("HOSTS", " a.example, b.example ,")
    assert env_list("HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("HOSTS", " , ")
    with pytest.raises(ImproperlyConfigured, match="HOSTS is set but empty"):
        env_list("HOSTS", [])
