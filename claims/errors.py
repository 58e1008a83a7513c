"""The refusals of the claims services: each carries the HTTP status an endpoint answers
with and the input field it concerns."""

from corpus.text import TextError, check_storable


class ClaimError(ValueError):
    """A refused write. ``status`` is the HTTP status an endpoint answers with, ``field``
    the input it concerns (None for the request as a whole)."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ClaimPermissionDenied(ClaimError):
    status = 403


class ClaimConflict(ClaimError):
    status = 409


class ClaimGone(ClaimError):
    status = 404


def storable(value: str, field: str) -> str:
    try:
        return check_storable(value)
    except TextError as error:
        raise ClaimError(str(error), field) from None
