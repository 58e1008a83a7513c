"""The OpenAPI description at /api/schema/ and its docs page: they describe every JSON
endpoint the app serves, each path answers the methods it documents and refuses the
others with 405 and ``Allow``, and the docs page loads only the app's own scripts."""

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from ninja.errors import ValidationError

from claims import api as claims_api
from crosscheck import jsonapi
from crosscheck.api import CSRF_HEADER, _bad_parameter, openapi_schema
from tests.factories import make_claim, make_document

pytestmark = pytest.mark.django_db

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
NOT_DESCRIBED = {"/api/schema/", "/api/docs/"}  # the description and its page


def _api_routes(patterns, prefix: str = ""):
    """Every route of the URLconf under /api/, as OpenAPI writes paths."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/"):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


@pytest.fixture
def editor_client(editor) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


def test_the_schema_describes_every_json_endpoint_the_app_serves():
    served = set(_api_routes(get_resolver().url_patterns)) - NOT_DESCRIBED
    assert served == set(openapi_schema()["paths"])


def test_every_operation_says_who_may_call_it_and_how_it_refuses():
    schema = openapi_schema()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["Session"] == {"type": "apiKey", "in": "cookie", "name": "sessionid"}
    assert schemes["CSRFToken"]["name"] == CSRF_HEADER
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            writes = method != "get"
            expected = [{"Session": [], "CSRFToken": []}] if writes else [{"Session": []}]
            assert operation["security"] == expected, (method, path)
            refusals = {code: response for code, response in operation["responses"].items()
                        if code.startswith("4")}  # fmt: skip
            assert "401" in refusals, (method, path)
            for response in refusals.values():
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Refusal"}, (method, path)
            if writes:
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                name = body["$ref"].rsplit("/", 1)[1]
                assert name in schema["components"]["schemas"], name


def test_the_schema_is_served_to_signed_in_users_as_openapi_3_1(editor_client):
    response = editor_client.get(reverse("api-schema"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == openapi_schema()
    assert response.json()["openapi"] == "3.1.0"


@pytest.mark.parametrize("name", ["api-schema", "api-docs"])
def test_signed_out_the_schema_and_its_page_are_refused_in_json(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 401
    assert response.json() == {"error": jsonapi.ERROR_SIGN_IN, "fields": {}}


def _filled(path: str, claim) -> str:
    values = {"document_id": claim.document_id, "public_id": claim.public_id}
    return re.sub(r"{(\w+)}", lambda match: str(values[match.group(1)]), path)


def test_every_path_refuses_the_methods_it_does_not_describe_with_405_and_allow(editor_client):
    claim = make_claim(make_document())
    for path, operations in openapi_schema()["paths"].items():
        documented = {method.upper() for method in operations}
        url = _filled(path, claim)
        for method in sorted(set(METHODS) - documented):
            response = editor_client.generic(method, url, "{}", content_type="application/json")
            assert response.status_code == 405, (method, path)
            assert set(response["Allow"].split(", ")) == documented, (method, path)
            message = jsonapi.ERROR_METHOD.format(method=method)
            assert response.json() == {"error": message, "fields": {}}, (method, path)


def test_the_docs_page_loads_swagger_ui_from_the_apps_own_files(editor_client):
    response = editor_client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources), sources
    assert "/static/ninja/swagger-ui-bundle.js" in sources
    # No inline script: the settings are data (json_script), the rest is in files.
    inline = re.findall(r"<script(?![^>]*\ssrc=)([^>]*)>", html)
    assert inline == [' id="api-docs-settings" type="application/json"'], inline
    assert 'name="csrf-token"' in html


def test_an_error_that_is_not_a_refusal_is_not_hidden_as_one(monkeypatch, annotator):
    """A bug inside an operation reaches Django (the 500 page and the log), as it would
    in any view: ninja's handlers do not turn it into an answer."""

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(claims_api, "claims_payload", broken)
    client = Client()
    client.force_login(annotator)
    with pytest.raises(KeyError):
        client.get(reverse("claims:api-document-claims", args=[make_document().pk]))


def test_a_parameter_of_the_wrong_type_is_a_refusal_not_an_error(rf):
    """The query parameters are text and the path's are checked by the URL, so none can
    be of a wrong type today; should one be, the refusal names it."""
    error = ValidationError([{"loc": ("query", "q"), "msg": "bad", "type": "string_type"}])
    response = _bad_parameter(rf.get("/api/claims/search/"), error)
    assert response.status_code == 400
    message = "The parameter q is not valid."
    assert json.loads(response.content) == {"error": message, "fields": {"q": [message]}}
