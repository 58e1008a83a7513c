"""The `.env` file that `make run` writes: read by the settings for what the environment
leaves unset, never by the test settings nor by a server unless named; a misconfiguration
stops every entry point with one line on stderr, not a traceback."""

import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from crosscheck.env import (
    ENV_FILE_VARIABLE,
    EXIT_MISCONFIGURED_SERVER,
    MISCONFIGURED,
    load_env_file,
    load_server_settings,
    read_env_file,
)

SETTINGS_VARIABLES = {
    "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "HTTPS", "DJANGO_SETTINGS_MODULE",
    ENV_FILE_VARIABLE,
}  # fmt: skip
KEY = "env-file-test-key-5b2e9d0c7a4f1e8b3d6c9a0f2e5b8d1c"
PRINT_SETTINGS = "from django.conf import settings; print(settings.DEBUG, settings.HTTPS)"


def run(args: list[str], **env: str | None) -> subprocess.CompletedProcess:
    """Run ``args`` in the project folder with only ``env`` of the settings' variables set
    (``None``: unset). It reads no env file unless ``CROSSCHECK_ENV_FILE`` names one."""
    clean = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    env = clean | {ENV_FILE_VARIABLE: ""} | env
    return subprocess.run(
        args,
        env={name: value for name, value in env.items() if value is not None},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run([sys.executable, "manage.py", *args], **env)


def env_file(tmp_path, text: str) -> str:
    path = tmp_path / ".env"
    path.write_text(text)
    return str(path)


def assert_one_line_refusal(result: subprocess.CompletedProcess, reason: str, status: int = 1):
    assert result.returncode == status
    assert "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(MISCONFIGURED.format(reason=""))
    assert reason in line


def test_it_reads_the_lines_as_a_shell_would(tmp_path):
    path = tmp_path / ".env"
    path.write_text(
        "# development settings\n"
        "\n"
        "export DEBUG=1\n"
        "HTTPS = 0\n"
        "PLAIN=value # a comment\n"
        "HASHED=a#b\n"
        "EQUALS=x=y\n"
        "DOUBLE=\"quoted # not a comment\"  # a comment\n"
        "SINGLE='$HOME stays'\n"
        "EMPTY=\n"
    )  # fmt: skip
    assert read_env_file(path) == {
        "DEBUG": "1",
        "HTTPS": "0",
        "PLAIN": "value",
        "HASHED": "a#b",
        "EQUALS": "x=y",
        "DOUBLE": "quoted # not a comment",
        "SINGLE": "$HOME stays",
        "EMPTY": "",
    }


def test_it_refuses_a_line_that_is_not_name_equals_value(tmp_path):
    path = tmp_path / ".env"
    path.write_text("DEBUG=1\nturn debug on\n")
    with pytest.raises(ImproperlyConfigured, match="line 2: expected NAME=value"):
        read_env_file(path)


def test_the_default_file_fills_in_only_what_the_environment_leaves_unset(tmp_path):
    default = tmp_path / ".env"
    default.write_text("DEBUG=1\nCROSSCHECK_TEST_FROM_FILE=yes\n")
    with mock.patch.dict(os.environ, {"DEBUG": "0"}):
        del os.environ[ENV_FILE_VARIABLE]
        assert load_env_file(default) == default
        assert os.environ["DEBUG"] == "0"
        assert os.environ["CROSSCHECK_TEST_FROM_FILE"] == "yes"
    assert "CROSSCHECK_TEST_FROM_FILE" not in os.environ


def test_a_missing_default_file_is_no_error_but_a_missing_named_one_is(tmp_path):
    with mock.patch.dict(os.environ):
        del os.environ[ENV_FILE_VARIABLE]
        assert load_env_file(tmp_path / ".env") is None
        os.environ[ENV_FILE_VARIABLE] = str(tmp_path / "missing.env")
        with pytest.raises(ImproperlyConfigured, match="missing.env' is not a file"):
            load_env_file(tmp_path / ".env")


def test_an_empty_file_name_reads_no_file(tmp_path):
    default = tmp_path / ".env"
    default.write_text("CROSSCHECK_TEST_FROM_FILE=yes\n")
    with mock.patch.dict(os.environ, {ENV_FILE_VARIABLE: ""}):
        assert load_env_file(default) is None
        assert "CROSSCHECK_TEST_FROM_FILE" not in os.environ


def test_the_test_settings_never_read_an_env_file(tmp_path):
    named = env_file(tmp_path, "DEBUG=1\nDATABASE_URL=mysql://root@localhost/db\n")
    result = run(
        [sys.executable, "-c", f"import django; django.setup(); {PRINT_SETTINGS}"],
        DJANGO_SETTINGS_MODULE="crosscheck.settings_test",
        CROSSCHECK_ENV_FILE=named,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_manage_py_reads_the_env_file(tmp_path):
    named = env_file(tmp_path, f"DEBUG=1\nHTTPS=0\nSECRET_KEY={KEY}\n")
    result = manage("shell", "-v", "0", "-c", PRINT_SETTINGS, CROSSCHECK_ENV_FILE=named)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


def test_the_environment_wins_over_the_env_file(tmp_path):
    named = env_file(tmp_path, f"DEBUG=1\nHTTPS=0\nSECRET_KEY={KEY}\n")
    result = manage("shell", "-v", "0", "-c", PRINT_SETTINGS, CROSSCHECK_ENV_FILE=named, HTTPS="1")
    assert result.stdout.split() == ["True", "True"]
    without_key = env_file(tmp_path, "DEBUG=1\n")
    result = manage("check", CROSSCHECK_ENV_FILE=without_key, DEBUG="0")
    assert_one_line_refusal(result, "SECRET_KEY is not set")


def test_the_env_file_make_run_writes_turns_on_development_mode(tmp_path):
    makefile = settings.BASE_DIR / "Makefile"
    make = [
        "make",
        "--silent",
        "-C",
        str(tmp_path),
        "-f",
        str(makefile),
        f"PYTHON={sys.executable}",
    ]
    written = subprocess.run([*make, ".env"], capture_output=True, text=True, check=False)
    assert written.returncode == 0, written.stderr
    first = (tmp_path / ".env").read_text()
    assert "SECRET_KEY=" in first
    subprocess.run([*make, ".env"], capture_output=True, check=True)
    assert (tmp_path / ".env").read_text() == first  # written once, never replaced
    result = manage(
        "shell", "-v", "0", "-c", PRINT_SETTINGS, CROSSCHECK_ENV_FILE=str(tmp_path / ".env")
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY is too short"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a yes/no value"),
        ({"DEBUG": "1", "DATABASE_URL": "mysql://root@localhost/db"}, "DATABASE_URL must point"),
        ({"DEBUG": "1", "DATABASE_URL": "postgres://u@host:port/db"}, "not a database URL"),
        ({"CROSSCHECK_ENV_FILE": "/nowhere/.env"}, "CROSSCHECK_ENV_FILE='/nowhere/.env' is not"),
    ],
)
def test_manage_py_states_a_misconfiguration_in_one_line(env, reason):
    assert_one_line_refusal(manage("check", **env), reason)


def test_manage_py_names_the_bad_line_of_the_env_file(tmp_path):
    named = env_file(tmp_path, "DEBUG=1\nDEBUG on\n")
    assert_one_line_refusal(manage("check", CROSSCHECK_ENV_FILE=named), "line 2: expected NAME")


@pytest.mark.parametrize("module", ["crosscheck.wsgi", "crosscheck.asgi"])
def test_a_server_refuses_to_start_in_one_line_without_a_secret_key(module):
    # With no file named, even where `make run` wrote a .env beside manage.py.
    result = run([sys.executable, "-c", f"import {module}"], CROSSCHECK_ENV_FILE=None)
    # gunicorn stops on this status instead of starting new workers forever.
    assert_one_line_refusal(result, "SECRET_KEY is not set", status=EXIT_MISCONFIGURED_SERVER)


@pytest.mark.parametrize("module", ["crosscheck.wsgi", "crosscheck.asgi"])
def test_a_server_reads_an_env_file_only_when_one_is_named(tmp_path, module):
    named = env_file(tmp_path, "DEBUG=1\n")
    result = run(
        [sys.executable, "-c", f"import {module}; {PRINT_SETTINGS}"], CROSSCHECK_ENV_FILE=named
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]
    with mock.patch.dict(os.environ):
        del os.environ[ENV_FILE_VARIABLE]
        load_server_settings()
        assert os.environ[ENV_FILE_VARIABLE] == ""  # not the .env beside manage.py
