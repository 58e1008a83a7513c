"""Real worker processes for the job tests: a database of their own that this process and
the workers share (a SQLite file, or a PostgreSQL database beside the test database when
DATABASE_URL points at PostgreSQL), and workers started as `manage.py db_worker` — or
`manage.py rqworker` when CROSSCHECK_TASKS_BACKEND=rq — in their own process groups."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 60


def wait_until(condition: Callable[[], object], what: str, seconds: float = WAIT_SECONDS):
    """Poll ``condition`` until it is true (its value is returned); fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Still waiting, after {seconds} s, for {what}")
        time.sleep(0.05)


def environment(url: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "crosscheck.settings_test",
        "CROSSCHECK_JOB_FILES_DIR": str(settings.CROSSCHECK_JOB_FILES_DIR),
        "PYTHONPATH": str(ROOT),
    }
    env["CROSSCHECK_ENV_FILE"] = ""  # a developer's .env (from `make run`) is not read
    return env | extra


def manage(url: str, *arguments: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=environment(url), check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


@contextmanager
def worker_database(folder: Path) -> Iterator[str]:
    """A migrated database for this process and the workers to share; its URL."""
    test_url = os.environ.get("DATABASE_URL", "")
    if test_url.startswith("postgres"):
        parts = urlsplit(test_url)
        name = f"{parts.path.lstrip('/') or 'crosscheck'}_jobs_workers"
        url = urlunsplit(parts._replace(path=f"/{name}"))
        _postgres(test_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _postgres(test_url, f'CREATE DATABASE "{name}"')
    else:
        url = f"sqlite:///{folder / 'jobs.sqlite3'}"
    manage(url, "migrate", "--noinput")
    try:
        yield url
    finally:
        if test_url.startswith("postgres"):
            _postgres(test_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _postgres(url: str, statement: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(statement)


@contextmanager
def using_database(url: str) -> Iterator[None]:
    """Point this process's default connection at ``url`` (the same engine as the test
    database), keeping the test database's own connection aside meanwhile."""
    connection = connections[DEFAULT_DB_ALIAS]
    saved_settings = dict(connection.settings_dict)
    saved_connection = connection.connection
    connection.connection = None
    parsed = dj_database_url.parse(url)
    connection.settings_dict.update({key: parsed[key] for key in ("NAME", "HOST", "PORT")})
    ContentType.objects.clear_cache()
    try:
        yield
    finally:
        if connection.connection is not None:
            connection.connection.close()
        connection.connection = saved_connection
        connection.settings_dict.clear()
        connection.settings_dict.update(saved_settings)
        ContentType.objects.clear_cache()


def worker_command() -> list[str]:
    if settings.CROSSCHECK_TASKS_BACKEND == "rq":
        return ["manage.py", "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
    return ["manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1",
            "--no-startup-delay", "--no-reload"]  # fmt: skip


class Worker:
    """A worker process (with whatever it forks) in a process group of its own."""

    def __init__(self, url: str, log: Path) -> None:
        self.log = log
        self.stream = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, *worker_command()], cwd=ROOT, env=environment(url),
            stdout=self.stream, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL, with no chance to clean up (as the OOM killer or a lost machine stops
        it), to the worker's process group — not to the process RQ forks for a job, which
        is in a group of its own (``jobs.rq_worker`` has it die with the worker)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.stream.close()

    def output(self) -> str:
        return self.log.read_text(errors="replace")
