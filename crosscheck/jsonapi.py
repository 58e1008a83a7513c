"""The JSON endpoints' shared shape: sign-in, allowed methods, body parsing and errors.

Every endpoint answers JSON, including for refusals: ``{"error": message, "fields":
{name: [message]}}`` with a 4xx status, never an HTML page or a 500 for bad input."""

import functools
import json
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from django.views.csrf import csrf_failure as html_csrf_failure

ERROR_SIGN_IN = "Sign in to use Crosscheck."
ERROR_METHOD = "This address does not accept {method} requests."
ERROR_NOT_JSON = "The request body is not valid JSON."
ERROR_NOT_OBJECT = "The request body must be a JSON object."
ERROR_TOO_LARGE = "The request is too large."
ERROR_CSRF = "The request was refused because its security token is missing or stale: reload."
ERROR_NOT_FOUND = "Not found: it may have been deleted."


class ApiError(Exception):
    def __init__(self, message: str, status: int = 400, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.field = field


def error_response(message: str, status: int, field: str | None = None) -> JsonResponse:
    fields = {field: [message]} if field else {}
    return JsonResponse({"error": message, "fields": fields}, status=status)


def read_json(request: HttpRequest) -> dict:
    """The request body as a JSON object, or ApiError."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise ApiError(ERROR_TOO_LARGE, 413) from None
    try:
        data = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deep nesting
        raise ApiError(ERROR_NOT_JSON) from None
    if not isinstance(data, dict):
        raise ApiError(ERROR_NOT_OBJECT)
    return data


def json_endpoint(*methods: str) -> Callable:
    """Wrap a view that returns a JsonResponse: 401 for anonymous users, 405 for other
    methods, and any ``ApiError`` (or exception with ``status`` and ``field``, like the
    services' errors, listed in ``errors``) turned into a JSON refusal."""

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
            except ApiError as error:
                return error_response(str(error), error.status, error.field)
            except Http404:
                return error_response(ERROR_NOT_FOUND, 404)

        return wrapper

    return decorator


def csrf_failure(request: HttpRequest, reason: str = "") -> JsonResponse:
    """JSON for the endpoints, Django's page for forms."""
    if request.path.startswith("/api/"):
        return error_response(ERROR_CSRF, 403)
    return html_csrf_failure(request, reason)
