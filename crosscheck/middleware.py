"""Request handling around the views: request ids, error responses and sign-in throttling.

- Every request gets an id (``RequestIdMiddleware``): the response's ``X-Request-ID`` header,
  every log line written while it runs (``RequestIdFilter``) and the 500 page show it, so a
  person can quote it and an operator can find the logged traceback.
- Error handlers (wired in ``crosscheck.urls``) answer JSON under ``/api/``, like the JSON
  endpoints themselves, and friendly pages elsewhere that show no internals.
- django-axes calls ``client_ip`` and ``lockout_response`` (see ``AXES_*`` in settings).
"""

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

from crosscheck.jsonapi import ERROR_NOT_FOUND, error_response

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only when it cannot smuggle anything into a header or a log line.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9-]{1,64}")
NO_REQUEST_ID = "-"

ERROR_BAD_REQUEST = "The request was not understood."
ERROR_FORBIDDEN = "You are not allowed to do this."
ERROR_SERVER = (
    "Something went wrong on the server. Reload to see what was saved; if it happens again, "
    "quote the request id {request_id}."
)

_current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "request_id", default=NO_REQUEST_ID
)


class RequestIdMiddleware:
    """Give each request an id: a safe incoming ``X-Request-ID`` (from a proxy that
    assigns them) or a new random one; answer it in the response's ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # An attribute of our own on Django's request, as middleware sets ``request.user``
        # (read back by RequestIdFilter); HttpRequest's type does not declare it.
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current_request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Add ``request_id`` to every log record: the id of the request being handled, or
    ``-`` outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "request_id", None) or _current_request_id.get()
        return True


def _is_api(request: HttpRequest) -> bool:
    # The same rule as crosscheck.jsonapi.csrf_failure.
    return request.path.startswith("/api/")


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return error_response(ERROR_BAD_REQUEST, 400)
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return error_response(str(exception) or ERROR_FORBIDDEN, 403)
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return error_response(ERROR_NOT_FOUND, 404)
    return defaults.page_not_found(request, exception)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 answer, with the request id and nothing else about the failure. The page is
    rendered without the request's context processors: the database may be what failed."""
    request_id = getattr(request, "request_id", NO_REQUEST_ID)
    if _is_api(request):
        return error_response(ERROR_SERVER.format(request_id=request_id), 500)
    body = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(body)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for django-axes: the connection's address, or behind
    ``CROSSCHECK_PROXY_COUNT`` proxies the one the outermost proxy appended to
    ``X-Forwarded-For`` (the entries before it are the client's to forge)."""
    proxies = settings.CROSSCHECK_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_response(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """What a locked-out sign-in (app or admin) gets: a page that says how long to wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/locked_out.html",
        {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
