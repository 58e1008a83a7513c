"""Refusals: the base of every error a service or an endpoint raises to say no to a
request. ``crosscheck.jsonapi.json_endpoint`` answers each with its message, the input
field it concerns and its HTTP status; forms and admin pages show the message."""


class ServiceError(ValueError):
    """A refused request: its ``message`` for a person, the HTTP ``status`` an endpoint
    answers with (a class attribute, so each kind of refusal sets its own; ``status=``
    overrides it for one refusal), the input ``field`` the message concerns (None for
    the request as a whole), and ``details``: more for the client, answered as keys of
    the JSON beside the message (the claim a refused duplicate points to)."""

    status = 400

    def __init__(
        self,
        message: str,
        field: str | None = None,
        *,
        status: int | None = None,
        details: dict[str, str] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or {}
        if status is not None:
            self.status = status
