"""Errors answer a friendly page that leaks nothing (JSON under /api/), and a server error
carries a request id that the page, the X-Request-ID header and the log line share."""

import io
import logging
import re

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import path

from crosscheck import jsonapi, middleware
from crosscheck.middleware import RequestIdFilter
from crosscheck.urls import handler400, handler403, handler404, handler500  # noqa: F401
from crosscheck.urls import urlpatterns as site_urlpatterns

SECRET = "internal-detail-7f3a password=hunter2"


@login_not_required
def boom(request):
    raise RuntimeError(SECRET)


@login_not_required
def broken_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_column FROM no_such_table_4b1d")
    return HttpResponse("unreachable")


@login_not_required
def forbidden(request):
    raise PermissionDenied


@login_not_required
def suspicious(request):
    raise SuspiciousOperation(SECRET)


@login_not_required
def fine(request):
    return HttpResponse("fine")


# This module is the URL conf of the tests below: the site's URLs and handlers plus views
# that fail on purpose.
urlpatterns = [
    path("boom/", boom),
    path("broken-query/", broken_query),
    path("forbidden/", forbidden),
    path("suspicious/", suspicious),
    path("fine/", fine),
    path("api/boom/", boom),
    path("api/forbidden/", forbidden),
    path("api/suspicious/", suspicious),
    *site_urlpatterns,
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

LEAKS = ["Traceback", SECRET, "hunter2", "RuntimeError", "SECRET_KEY", "DATABASES", "settings",
         "no_such_table", "SELECT", "File &quot;", 'File "', "site-packages"]  # fmt: skip


def assert_leaks_nothing(body: str) -> None:
    for leak in LEAKS:
        assert leak not in body, leak


@pytest.fixture
def console_log():
    """What the configured console handler writes, while the test runs."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(item, RequestIdFilter) for item in handler.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_debug_is_off_for_these_tests(settings):
    assert settings.DEBUG is False


@pytest.mark.parametrize("url", ["/boom/", "/broken-query/"])
def test_a_server_error_shows_a_page_with_the_request_id_and_logs_it(client, console_log, url):
    response = client.get(url)
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    body = response.content.decode()
    assert "Something went wrong" in body
    assert f'<code class="request-id">{request_id}</code>' in body
    assert_leaks_nothing(body)
    log = console_log.getvalue()
    assert f"ERROR [{request_id}] django.request: Internal Server Error: {url}" in log
    assert "Traceback" in log  # the operator gets the whole story, under the same id


def test_the_log_record_carries_the_request_id(client, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    records = [record for record in caplog.records if record.name == "django.request"]
    assert len(records) == 1
    RequestIdFilter().filter(records[0])
    assert records[0].request_id == response["X-Request-ID"]


def test_a_signed_in_users_server_error_page_leaks_nothing_either(client, editor):
    client.force_login(editor)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert_leaks_nothing(response.content.decode())
    assert editor.username not in response.content.decode()  # rendered without the session


def test_a_safe_incoming_request_id_is_kept(client, console_log):
    response = client.get("/boom/", headers={"X-Request-ID": "proxy-id-42"})
    assert response["X-Request-ID"] == "proxy-id-42"
    assert '<code class="request-id">proxy-id-42</code>' in response.content.decode()
    assert "[proxy-id-42]" in console_log.getvalue()


@pytest.mark.parametrize(
    "incoming",
    ["", "a b", "<script>alert(1)</script>", "x" * 65, "id\r\nSet-Cookie: a=1", "id_1",
     "id;drop", "ünïcode", "../../etc/passwd"],
)  # fmt: skip
def test_an_unsafe_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/fine/", headers={"X-Request-ID": incoming})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_longest_safe_request_id_is_kept(client):
    incoming = "A-z0" * 16
    assert client.get("/fine/", headers={"X-Request-ID": incoming})["X-Request-ID"] == incoming


def test_every_response_has_a_fresh_request_id(client, editor):
    client.force_login(editor)
    ids = [client.get(url)["X-Request-ID"] for url in ["/fine/", "/corpus/", "/", "/nowhere/"]]
    assert len(set(ids)) == 4


def test_outside_a_request_log_lines_say_so():
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "message", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_a_json_endpoint_server_error_answers_json_with_the_request_id(client, editor):
    client.force_login(editor)
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    request_id = response["X-Request-ID"]
    message = middleware.ERROR_SERVER.format(request_id=request_id)
    assert response.json() == {"error": message, "fields": {}}
    assert_leaks_nothing(response.content.decode())


def test_a_missing_page_is_a_friendly_404(client, editor):
    client.force_login(editor)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "There is nothing at this address" in body
    assert "urlpatterns" not in body and "tests.test_error_pages" not in body
    assert_leaks_nothing(body)


def test_a_missing_json_endpoint_answers_json(client, editor):
    client.force_login(editor)
    response = client.get("/api/no/such/endpoint/")
    assert response.status_code == 404
    assert response.json() == {"error": jsonapi.ERROR_NOT_FOUND, "fields": {}}


def test_a_forbidden_page_is_a_friendly_403(client, editor):
    client.force_login(editor)
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert_leaks_nothing(response.content.decode())


def test_a_forbidden_json_endpoint_answers_json(client, editor):
    client.force_login(editor)
    response = client.get("/api/forbidden/")
    assert response.status_code == 403
    assert response.json() == {"error": middleware.ERROR_FORBIDDEN, "fields": {}}


def test_a_suspicious_request_is_a_friendly_400_without_the_reason(client):
    response = client.get("/suspicious/")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
    assert_leaks_nothing(response.content.decode())


def test_a_suspicious_json_request_answers_json(client):
    response = client.get("/api/suspicious/")
    assert response.status_code == 400
    assert response.json() == {"error": middleware.ERROR_BAD_REQUEST, "fields": {}}


def test_a_request_for_another_host_is_a_friendly_400(client):
    response = client.get("/fine/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bad request" in body
    assert "evil.example" not in body and "ALLOWED_HOSTS" not in body


@override_settings(DEBUG=False)
def test_error_pages_carry_the_security_headers(client):
    response = client.get("/boom/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
