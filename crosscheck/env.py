"""Read settings from the environment, refusing values that do not make sense.

Every helper raises ``ImproperlyConfigured`` naming the variable and what it expected,
so a typo in a deployment fails at start-up with a message instead of running wrongly;
``exit_if_misconfigured`` turns that into one line on stderr for the entry points.

``load_env_file`` fills in what the environment leaves unset from a ``.env`` file of
``NAME=value`` lines (``make run`` writes one), so ``manage.py`` commands typed by hand get
the same settings as the server.
"""

import os
import re
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# Names the file of NAME=value lines to read; empty reads none (the test settings).
ENV_FILE_VARIABLE = "CROSSCHECK_ENV_FILE"
_ENV_LINE = re.compile(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)")
_QUOTED = re.compile(r"""(["'])(.*?)\1(?:\s+#.*)?""")
_TRAILING_COMMENT = re.compile(r"\s+#.*")
# The exit status of wsgi.py and asgi.py on a misconfiguration: gunicorn's "App failed to
# load", on which it stops, where any other status makes it start new workers forever.
EXIT_MISCONFIGURED_SERVER = 4
MISCONFIGURED = "Crosscheck is misconfigured: {reason}"

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value: use one of 1, true, yes, on, 0, false, no, off."
    )


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but empty: give a comma-separated list.")
    return items


def read_env_file(path: Path) -> dict[str, str]:
    """The ``NAME=value`` lines of ``path``, in the shell's and Docker's ``.env`` form.

    Blank lines and lines starting with ``#`` are skipped, as is an ``export`` before the
    name. A value wrapped in single or double quotes is taken literally between them (no
    escapes, no ``$VAR`` expansion); an unquoted one ends before a `` #`` comment.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ImproperlyConfigured(f"{path} cannot be read: {error}") from None
    values = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = _ENV_LINE.fullmatch(line)
        if match is None:
            raise ImproperlyConfigured(f"{path}, line {number}: expected NAME=value.")
        name, value = match.groups()
        quoted = _QUOTED.fullmatch(value)
        values[name] = quoted[2] if quoted else _TRAILING_COMMENT.sub("", value)
    return values


def load_env_file(default: Path) -> Path | None:
    """Set the variables of the env file that the environment leaves unset (the
    environment wins), and return the file read.

    The file is ``CROSSCHECK_ENV_FILE`` when that is set (it must exist; empty: none),
    otherwise ``default`` when it exists.
    """
    named = os.environ.get(ENV_FILE_VARIABLE)
    if named is not None and not named.strip():
        return None
    path = Path(named) if named is not None else default
    if not path.is_file():
        if named is not None:
            raise ImproperlyConfigured(f"{ENV_FILE_VARIABLE}={named!r} is not a file.")
        return None
    for name, value in read_env_file(path).items():
        os.environ.setdefault(name, value)
    return path


def exit_if_misconfigured(status: int = 1) -> None:
    """Load the settings now; if they are misconfigured, print the reason as one line on
    stderr and exit with ``status``, instead of a traceback at the first use of a setting.
    """
    from django.conf import settings

    try:
        settings.SECRET_KEY  # noqa: B018 — reading a setting loads the settings module
    except ImproperlyConfigured as error:
        reason = " ".join(str(error).split())  # one line, whatever the message
        sys.stderr.write(MISCONFIGURED.format(reason=reason) + "\n")
        sys.exit(status)


def load_server_settings() -> None:
    """For ``wsgi.py`` and ``asgi.py``: the production settings, checked before the first
    request. A server reads no ``.env`` (``make run``'s development settings turn DEBUG on)
    unless ``CROSSCHECK_ENV_FILE`` names one.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crosscheck.settings")
    os.environ.setdefault(ENV_FILE_VARIABLE, "")
    exit_if_misconfigured(EXIT_MISCONFIGURED_SERVER)
