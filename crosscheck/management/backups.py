"""Backing up the whole database to one file and restoring it: the work of
``manage.py backup`` and ``manage.py restore``.

SQLite uses its online backup API (``sqlite3.Connection.backup``), which copies a
consistent snapshot while the app keeps running, and copies back the same way. PostgreSQL
uses ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner`` in a
single transaction, connecting with the settings in ``DATABASES`` handed over in the
``PG*`` environment variables, so the password never appears on a command line.

A file is recognised by its first bytes and checked to be a Crosscheck database before
anything is replaced; a refusal is a ``BackupError`` whose message says what to do."""

import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections
from django.db.migrations.executor import MigrationExecutor

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
PG_PLAIN_MAGIC = b"--\n-- PostgreSQL database dump"
# A table in pg_restore --list: "215; 1259 16390 TABLE public corpus_source postgres".
_PG_TABLE = re.compile(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", re.MULTILINE)
# Tables every Crosscheck database has; a file without them is some other database.
REQUIRED_TABLES = ("django_migrations", "corpus_source", "corpus_document", "claims_claim")

ERROR_ENGINE = "Backups cover SQLite and PostgreSQL databases; this one uses {engine}."
ERROR_EXISTS = "{path} exists already. Give a new file name, or add --overwrite to replace it."
ERROR_NO_FILE = "There is no file {path}."
ERROR_EMPTY = "{path} is empty: it is not a backup."
ERROR_UNKNOWN_KIND = (
    "{path} is not a Crosscheck backup: it is neither a SQLite database nor a PostgreSQL "
    "custom-format dump. Make backups with manage.py backup."
)
ERROR_PLAIN_SQL = (
    "{path} is a plain-SQL PostgreSQL dump; restore reads the custom format that "
    "manage.py backup writes (pg_dump --format=custom)."
)
ERROR_WRONG_KIND = (
    "{path} is a {kind} backup, but this database is {engine}. Restore it into a {kind} "
    "database (set DATABASE_URL accordingly), or back up and restore with the same database."
)
ERROR_NOT_CROSSCHECK = (
    "{path} is a {kind} database but not a Crosscheck one: it has no {table} table. Nothing "
    "was changed."
)
ERROR_DAMAGED = (
    "{path} looks like a {kind} backup but cannot be read ({detail}). Nothing was changed."
)
ERROR_TOOL_MISSING = (
    "{tool} is not installed. Install the PostgreSQL client tools of the server's major "
    "version (Debian: apt-get install postgresql-client-15)."
)
ERROR_TOOL_FAILED = "{tool} failed (exit status {status}): {detail}"
ERROR_SQLITE_BUSY = (
    "The database is in use and could not be replaced ({detail}). Stop the app and try again."
)


class BackupError(Exception):
    """A refused or failed backup or restore, with a message a person can act on."""


def engine_kind(alias: str = "default") -> str:
    engine = connections[alias].settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return SQLITE
    if engine.endswith("postgresql"):
        return POSTGRESQL
    raise BackupError(ERROR_ENGINE.format(engine=engine))


def file_kind(path: Path) -> str:
    """SQLITE or POSTGRESQL, from the file's first bytes; a refusal for anything else."""
    if not path.is_file():
        raise BackupError(ERROR_NO_FILE.format(path=path))
    with path.open("rb") as file:
        head = file.read(64)
    if not head:
        raise BackupError(ERROR_EMPTY.format(path=path))
    if head.startswith(SQLITE_MAGIC):
        return SQLITE
    if head.startswith(PG_CUSTOM_MAGIC):
        return POSTGRESQL
    if head.startswith(PG_PLAIN_MAGIC):
        raise BackupError(ERROR_PLAIN_SQL.format(path=path))
    raise BackupError(ERROR_UNKNOWN_KIND.format(path=path))


def describe(alias: str = "default") -> str:
    """The database as a person names it: "PostgreSQL database crosscheck on host:5432"."""
    settings = connections[alias].settings_dict
    if engine_kind(alias) == SQLITE:
        return f"SQLite database {settings['NAME']}"
    where = settings.get("HOST") or "localhost"
    if settings.get("PORT"):
        where += f":{settings['PORT']}"
    return f"PostgreSQL database {settings['NAME']} on {where}"


# --- Backup ----------------------------------------------------------------------------


def backup(path: Path, *, alias: str = "default", overwrite: bool = False) -> None:
    """Write the whole database to ``path``. The file appears only once complete (written
    beside it under another name, then renamed), so a failed backup leaves no half file."""
    kind = engine_kind(alias)
    if path.exists() and not overwrite:
        raise BackupError(ERROR_EXISTS.format(path=path))
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        if kind == SQLITE:
            _sqlite_backup(partial, alias)
        else:
            _pg_dump(partial, alias)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _sqlite_backup(target: Path, alias: str) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    destination = sqlite3.connect(target)
    try:
        # One step: a consistent snapshot, even while the app writes through other connections.
        connection.connection.backup(destination)
    finally:
        destination.close()


def _pg_dump(target: Path, alias: str) -> None:
    _run(
        "pg_dump",
        ["--format=custom", "--no-password", f"--file={target}"],
        alias,
    )


# --- Restore ---------------------------------------------------------------------------


def check_restorable(path: Path, *, alias: str = "default") -> str:
    """The kind of backup ``path`` holds, after checking it fits this database and is a
    Crosscheck database; a ``BackupError`` otherwise. Changes nothing."""
    engine = engine_kind(alias)
    kind = file_kind(path)
    names = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
    if kind != engine:
        raise BackupError(
            ERROR_WRONG_KIND.format(path=path, kind=names[kind], engine=names[engine])
        )
    tables = _sqlite_tables(path) if kind == SQLITE else _pg_tables(path, alias)
    for table in REQUIRED_TABLES:
        if table not in tables:
            raise BackupError(ERROR_NOT_CROSSCHECK.format(path=path, kind=names[kind], table=table))
    return kind


def restore(path: Path, *, alias: str = "default") -> None:
    """Replace the whole database with the backup in ``path`` (checked first), all or
    nothing."""
    kind = check_restorable(path, alias=alias)
    if kind == SQLITE:
        _sqlite_restore(path, alias)
    else:
        connections[alias].close()  # hold no lock on what pg_restore drops
        _run(
            "pg_restore",
            [
                "--clean", "--if-exists", "--no-owner", "--single-transaction",
                "--exit-on-error", "--no-password", f"--dbname={_pg_settings(alias)['NAME']}",
                str(path),
            ],
            alias,
        )  # fmt: skip
    connections[alias].close()


def unapplied_migrations(alias: str = "default") -> int:
    """How many of the code's migrations the (restored) database has not applied."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _sqlite_tables(path: Path) -> set[str]:
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            check = source.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(ERROR_DAMAGED.format(path=path, kind="SQLite", detail=check))
            rows = source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {name for (name,) in rows}
        finally:
            source.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(ERROR_DAMAGED.format(path=path, kind="SQLite", detail=error)) from None


def _sqlite_restore(path: Path, alias: str) -> None:
    connection = connections[alias]
    connection.ensure_connection()
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    except sqlite3.OperationalError as error:
        raise BackupError(ERROR_SQLITE_BUSY.format(detail=error)) from None
    finally:
        source.close()


def _pg_tables(path: Path, alias: str) -> set[str]:
    """The tables a custom-format dump creates, from its table of contents."""
    try:
        listing = _run("pg_restore", ["--list", str(path)], alias)
    except BackupError as error:
        raise BackupError(
            ERROR_DAMAGED.format(path=path, kind="PostgreSQL", detail=error)
        ) from None
    return {match.group(1) for match in _PG_TABLE.finditer(listing)}


def _pg_settings(alias: str) -> dict:
    return connections[alias].settings_dict


def pg_environment(alias: str = "default") -> dict[str, str]:
    """The environment for pg_dump and pg_restore: the connection settings of ``alias`` as
    libpq's ``PG*`` variables (the password in PGPASSWORD, never on the command line)."""
    settings = _pg_settings(alias)
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):  # fmt: skip
        if settings.get(key):
            env[variable] = str(settings[key])
    options = settings.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"), ("passfile", "PGPASSFILE"), ("service", "PGSERVICE"),
    ):  # fmt: skip
        if options.get(option):
            env[variable] = str(options[option])
    return env


def _run(tool: str, arguments: list[str], alias: str) -> str:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(ERROR_TOOL_MISSING.format(tool=tool))
    result = subprocess.run(  # noqa: S603 - fixed executable, no shell
        [executable, *arguments],
        env=pg_environment(alias),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout.strip() or "no message"
        raise BackupError(
            ERROR_TOOL_FAILED.format(tool=tool, status=result.returncode, detail=detail)
        )
    return result.stdout
