"""The JSON API described as one OpenAPI 3.1 document (django-ninja): its schema at
``/api/schema/`` and a page that shows it at ``/api/docs/``.

Each app describes its endpoints on a ninja ``Router`` (``claims.api.router``); they are
mounted on ``api`` here by their dotted names, as INSTALLED_APPS names the apps, so this
package imports no app above it (the jobs app, below it, is described here). Each app's
URLconf serves its own paths under its own URL names (``endpoint_urls``), through
``json_endpoint``: 401 signed out, 405 with ``Allow``, and every refusal (a
``ServiceError``, ``Http404``) as ``{"error", "fields"}``. Writes are checked for their
CSRF token by Django's middleware, as every view is."""

import functools
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, path, reverse
from ninja import Field, NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import REF_TEMPLATE
from ninja.operation import PathView
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import SessionAuth
from ninja.utils import normalize_path, replace_path_param_notation

from crosscheck.errors import ServiceError
from crosscheck.jsonapi import (
    BODIES,
    ERROR_NOT_FOUND,
    ERROR_SIGN_IN,
    ERROR_TOO_LARGE,
    REFUSALS,
    answers,
    error_response,
    json_endpoint,
)
from jobs.models import JobState
from jobs.views import job_api

# The apps' routers, each serving paths that start with /api/.
ROUTERS = ["claims.api.router", "suggestions.api.router"]

CSRF_HEADER = "X-CSRFToken"
ERROR_BAD_PARAMETER = "The parameter {name} is not valid."
WRITES = {"post", "put", "patch", "delete"}

DESCRIPTION = f"""The JSON endpoints of Crosscheck, which its pages call.

Every endpoint needs a signed-in session (the `{settings.SESSION_COOKIE_NAME}` cookie from
signing in at `/accounts/login/`), and every write also the CSRF token in the
`{CSRF_HEADER}` header (pages carry it in `<meta name="csrf-token">`). Every refusal
answers `{{"error": "…", "fields": {{"name": ["…"]}}}}` with a 4xx status; a method an
address does not take answers 405 with `Allow`."""


class Session(SessionAuth):
    """The signed-in user's session cookie. The CSRF token of a write is checked by
    Django's middleware before the endpoint runs, so not again here."""

    def __init__(self) -> None:
        super().__init__(csrf=False)


class CrosscheckAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """The description, with what ninja does not derive: the request bodies'
        models, the CSRF token that writes need besides the session, and what each
        refusal status means."""
        schema = super().get_openapi_schema(path_prefix="", path_params=path_params)
        components = schema["components"]
        for name, model in BODIES.items():
            body = model.model_json_schema(
                ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
            )
            components["schemas"].update(body.pop("$defs", {}))
            components["schemas"][name] = body
        components["securitySchemes"]["CSRFToken"] = {
            "type": "apiKey",
            "in": "header",
            "name": CSRF_HEADER,
            "description": "The CSRF token, needed by every write besides the session.",
        }
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                if method in WRITES:
                    operation["security"] = [{"Session": [], "CSRFToken": []}]
                for status, response in operation["responses"].items():
                    response["description"] = REFUSALS.get(int(status), response["description"])
        return schema


api = CrosscheckAPI(
    title="Crosscheck JSON API",
    version="1",
    description=DESCRIPTION,
    auth=Session(),
    openapi_url=None,  # served by schema_view, under the app's own conventions
    docs_url=None,
    urls_namespace="api",
)
for dotted_name in ROUTERS:
    api.add_router("", dotted_name)


# --- The jobs app's endpoint -------------------------------------------------------------
# jobs lies below this package and imports nothing of it, so it serves its endpoint itself
# (jobs.urls: jobs.views.job_api, with the same conventions); it is described here, and the
# schemathesis run checks the two agree.


class JobOut(Schema):
    """A background job as its page polls it."""

    id: uuid.UUID
    label: str
    state: str = Field(json_schema_extra={"enum": [*JobState.values]})
    state_label: str
    done: int = Field(description="Steps done so far.")
    total: int | None = Field(description="Steps in all; null while not known.")
    percent: int | None = Field(description="0 to 100; null while the total is not known.")
    progress_label: str
    cancel_requested: bool
    can_cancel: bool
    finished: bool
    summary: str
    error: str = Field(description="Why it failed, for a person; empty unless it did.")
    attempt: int = Field(description="Which run this is: 1, or more once started again.")
    attempts: int = Field(description="Runs it gets in all, should its worker die.")
    attempt_note: str = Field(description="Says it was started again; empty on a first run.")
    download_url: str | None = Field(description="The result's file, when there is one.")
    filename: str | None
    size: int | None
    requested_by: str
    created: datetime
    started: datetime | None
    ended: datetime | None


jobs_router = Router(tags=["jobs"])


@jobs_router.get(
    "/api/jobs/{uuid:public_id}/",
    url_name="api-job",
    operation_id="getJob",
    summary="A background job's state and progress (its requester, or an editor)",
    response=answers({200: JobOut}, 403, 404),
)
def job(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    return job_api(request, public_id)


api.add_router("", jobs_router)


# --- Refusals raised inside an operation -------------------------------------------------


@api.exception_handler(ServiceError)
def _refused(request: HttpRequest, error: ServiceError) -> HttpResponse:
    return error_response(error.message, error.status, error.field, error.details)


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    return error_response(ERROR_TOO_LARGE, 413)


@api.exception_handler(ValidationError)
def _bad_parameter(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A query or path parameter of the wrong type (bodies are the services' to check)."""
    location = error.errors[0]["loc"] if error.errors else ()
    name = str(location[-1]) if location else "?"
    return error_response(ERROR_BAD_PARAMETER.format(name=name), 400, name)


@api.exception_handler(AuthenticationError)
def _signed_out(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return error_response(ERROR_SIGN_IN, 401)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    return error_response(error.message, error.status_code)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(ERROR_NOT_FOUND, 404)


@api.exception_handler(Exception)
def _not_a_refusal(request: HttpRequest, error: Exception) -> HttpResponse:
    """A bug: raised on to Django (the 500 page and the log), never shown to the client."""
    raise error


# --- URLs --------------------------------------------------------------------------------


def _serve(path_view: PathView) -> Callable:
    """One address's view: its operations (one per method) behind ``json_endpoint``,
    which answers 401, 405 and refusals."""
    methods = [method for op in path_view.operations for method in op.methods]
    ninja_view = path_view.get_view()

    # Not ninja's view itself: ninja marks it csrf_exempt, for its cookie auth to check the
    # token; here Django's CSRF middleware checks every write, as for every other view.
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return ninja_view(request, **kwargs)

    return json_endpoint(*methods)(view)


def endpoint_urls(router: Router) -> list[URLPattern]:
    """The URL patterns of a router's addresses, one per path, named by its operations'
    ``url_name`` (the same for every method of a path)."""
    patterns = []
    for bound in api._get_bound_routers():
        if bound.template is not router:
            continue
        for route, path_view in bound.path_operations.items():
            (name,) = {operation.url_name for operation in path_view.operations}
            route = normalize_path(replace_path_param_notation(bound.prefix + route))
            patterns.append(path(route.lstrip("/"), _serve(path_view), name=name))
    return patterns


@functools.cache
def openapi_schema() -> dict[str, Any]:
    """The description as JSON reads it (status codes as text), computed once: it changes
    only with the code."""
    return json.loads(json.dumps(api.get_openapi_schema()))


@json_endpoint("GET")
def schema_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_schema())


@json_endpoint("GET")
def docs_view(request: HttpRequest) -> HttpResponse:
    """Swagger UI from the app's own static files (no CDN), set up by a module that reads
    its settings from ``json_script``, as the app's pages do: no inline script."""
    settings_for_page = {"url": reverse("api-schema"), "csrfHeader": CSRF_HEADER}
    return render(request, "api/docs.html", {"docs_settings": settings_for_page})


urlpatterns = [
    path("api/schema/", schema_view, name="api-schema"),
    path("api/docs/", docs_view, name="api-docs"),
]
