"""The JSON endpoints' shared shape: sign-in, allowed methods, body parsing and errors,
and the pieces of their OpenAPI description (``crosscheck.api``) every app uses.

Every endpoint answers JSON, including for refusals: ``{"error": message, "fields":
{name: [message]}}`` with a 4xx status, never an HTML page or a 500 for bad input."""

import functools
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.csrf import csrf_failure as html_csrf_failure
from ninja import Field, Schema

from crosscheck.errors import ServiceError

ERROR_SIGN_IN = "Sign in to use Crosscheck."
ERROR_METHOD = "This address does not accept {method} requests."
ERROR_NOT_JSON = "The request body is not valid JSON."
ERROR_NOT_OBJECT = "The request body must be a JSON object."
ERROR_TOO_LARGE = "The request is too large."
ERROR_CSRF = "The request was refused because its security token is missing or stale: reload."
ERROR_NOT_FOUND = "Not found: it may have been deleted."


def error_response(
    message: str, status: int, field: str | None = None, details: dict | None = None
) -> JsonResponse:
    fields = {field: [message]} if field else {}
    return JsonResponse({"error": message, "fields": fields, **(details or {})}, status=status)


def read_json(request: HttpRequest) -> dict:
    """The request body as a JSON object, or ``ServiceError``."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise ServiceError(ERROR_TOO_LARGE, status=413) from None
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
        raise ServiceError(ERROR_NOT_JSON) from None
    if not isinstance(data, dict):
        raise ServiceError(ERROR_NOT_OBJECT)
    return data


def json_endpoint(*methods: str) -> Callable:
    """Wrap a view that returns a JsonResponse: 401 for anonymous users, 405 for other
    methods, and a refusal raised anywhere in the view (a ``ServiceError``, such as the
    services' errors, or ``Http404``) answered as JSON with its message, field and
    status. So a view calls the services directly and handles only its success."""

    def decorator(view: Callable) -> Callable:
        @login_not_required
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return error_response(ERROR_SIGN_IN, 401)
            if request.method not in methods:
                response = error_response(ERROR_METHOD.format(method=request.method), 405)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                return view(request, *args, **kwargs)
            except ServiceError as error:
                return error_response(error.message, error.status, error.field, error.details)
            except Http404:
                return error_response(ERROR_NOT_FOUND, 404)

        return wrapper

    return decorator


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """JSON for the endpoints, Django's page for forms."""
    if request.path.startswith("/api/"):
        return error_response(ERROR_CSRF, 403)
    return html_csrf_failure(request, reason)


# --- The description (OpenAPI) -----------------------------------------------------------


class Refusal(Schema):
    """Every refusal: a message for a person, and the input fields it concerns."""

    error: str = Field(description="What was refused and why, for a person to read.")
    fields: dict[str, list[str]] = Field(
        description="The messages for each input field at fault; empty when the refusal "
        "concerns the request as a whole."
    )
    existing: uuid.UUID | None = Field(
        default=None,
        description="Only in the refusal of a second claim on the same passage: the id of "
        "the claim already on it, to open instead.",
    )


# What each refusal status means, in every operation's description.
REFUSALS = {
    400: "Bad input: the body is not a JSON object, or a field is missing or wrong.",
    401: "Not signed in.",
    403: "Not allowed for this user's role or on another user's work, or no valid CSRF token.",
    404: "No such object: it may have been deleted.",
    409: "An edit conflict: the object changed since the version sent, or a delete needs "
    "confirming.",
    413: "The request is too large.",
}


def answers(ok: dict[int, Any], *refusals: int) -> dict[int, Any]:
    """An operation's ``response`` for ninja: its successful answers and its refusals
    (401 always: every endpoint needs a signed-in user)."""
    return ok | dict.fromkeys(sorted({401, *refusals}), Refusal)


# The models of the JSON bodies the operations describe (``json_body``), by name: the
# description lists them among its components.
BODIES: dict[str, type[Schema]] = {}


def json_body(model: type[Schema]) -> dict[str, Any]:
    """The ``openapi_extra`` of an operation whose JSON body ``model`` describes.

    The description only: the view reads the body with ``read_json`` and the services
    check each value and word each refusal (a wrong type is named as the field's own
    message says it), as they do for every other caller."""
    BODIES[model.__name__] = model
    schema = {"$ref": f"#/components/schemas/{model.__name__}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
