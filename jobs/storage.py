"""Where job result files live: a private folder (``CROSSCHECK_JOB_FILES_DIR``), outside
the static files and never served by the web server directly. Only ``jobs.views.download``
hands a file out, to the person who asked for it or an editor.

Files are written under a temporary name and renamed when complete, so a worker killed
while writing leaves no file a download could mistake for a result (``purge_jobs`` removes
the leftovers)."""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

PARTIAL_SUFFIX = ".partial"


def root() -> Path:
    path = Path(settings.CROSSCHECK_JOB_FILES_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def full_path(relative: str) -> Path:
    """The file's place on disk; refuses a path that would leave the folder."""
    base = root().resolve()
    path = (base / relative).resolve()
    if base not in path.parents:
        raise ValueError(f"Not a job file: {relative!r}")
    return path


def new_name(job_public_id, filename: str) -> str:
    """A path for the job's file, unguessable even to someone who knows the job's id."""
    extension = Path(filename).suffix
    return f"{job_public_id}-{secrets.token_hex(8)}{extension}"


@contextmanager
def writing(relative: str) -> Iterator[BinaryIO]:
    """A file opened for writing that appears under ``relative`` only once complete."""
    path = full_path(relative)
    partial = path.with_name(path.name + PARTIAL_SUFFIX)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def size(relative: str) -> int:
    return full_path(relative).stat().st_size


def open_file(relative: str) -> BinaryIO:
    return full_path(relative).open("rb")


def delete(relative: str) -> None:
    if relative:
        full_path(relative).unlink(missing_ok=True)


def all_names() -> list[str]:
    return [entry.name for entry in root().iterdir() if entry.is_file()]
