"""The refusals of the claims services: ``ServiceError``s, so each carries the HTTP status
an endpoint answers with and the input field it concerns."""

import re

from corpus.text import TextError, check_storable
from crosscheck.errors import ServiceError

ERROR_CONTROL_CHARACTER = (
    "The text contains an invisible control character ({code}), which cannot be shown or "
    "exported: remove it and try again."
)
# What nobody types into a statement, rationale, citation or note: the C0 and C1 control
# characters other than tab and line ends, DEL, and U+FFFE, U+FFFF (not characters; with
# most C0 controls, what an XLSX cell cannot hold). NUL is refused by check_storable.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")


class ClaimError(ServiceError):
    """A refused write of claims, links, evidence or reviews."""


class ClaimPermissionDenied(ClaimError):
    status = 403


class ClaimConflict(ClaimError):
    status = 409


class ClaimGone(ClaimError):
    status = 404


def storable(value: str, field: str) -> str:
    """``value`` if it can be stored, shown and exported as typed, else ``ClaimError`` for
    ``field``: tabs and line ends are kept, control characters are refused by name."""
    try:
        check_storable(value)
    except TextError as error:
        raise ClaimError(str(error), field) from None
    control = _CONTROL.search(value)
    if control:
        code = f"U+{ord(control.group()):04X}"
        raise ClaimError(ERROR_CONTROL_CHARACTER.format(code=code), field)
    return value
