"""Values the database writes as text, exactly as Python writes them: for reads of many
rows (the CSV exports, a document's claims), where converting each value in Python —
Django's per-value converters, then ``str()`` or ``isoformat()`` — took most of the time.
"""

from django.db.models import Expression, F, Func, TextField, Value
from django.db.models.functions import Cast, Replace, Substr

TEXT: "TextField[str, str]" = TextField()


class Joined(Func):
    """Texts joined with ``||``, flat: nested CONCAT pairs overflow SQLite's parser stack at
    a CSV record's 40-odd parts. Callers handle NULL (any NULL part makes the whole NULL)."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TEXT


class _IsoUtcPostgres(Func):
    """A timestamptz as Python's ``isoformat()`` writes it in UTC (no zero microseconds)."""

    template = (
        "REPLACE(TO_CHAR(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), "
        "'.000000', '') || '+00:00'"
    )
    output_field = TEXT


_UUID_PARTS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


def between(items: list, separator) -> list:
    """``items`` with ``separator`` between each two."""
    joined: list = []
    for item in items:
        joined.extend([separator, item] if joined else [item])
    return joined


def uuid_text(value: Expression | F, vendor: str) -> Expression:
    """A UUID as ``str(uuid)`` writes it (lower-case hex with dashes)."""
    if vendor == "sqlite":  # stored as 32 hex digits
        return Joined(*between([Substr(value, start, n) for start, n in _UUID_PARTS], Value("-")))
    return Cast(value, TEXT)


def iso_utc_text(value: Expression | F, vendor: str) -> Expression:
    """A date and time as Python's ``isoformat()`` writes it in UTC."""
    if vendor == "sqlite":  # stored as "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC
        return Joined(Replace(Cast(value, TEXT), Value(" "), Value("T")), Value("+00:00"))
    return _IsoUtcPostgres(value)
