"""``json_endpoint`` answers every refusal a view raises as JSON: a ``ServiceError`` from
any layer with its message, field and status, so views call services directly."""

import json
from types import SimpleNamespace

import pytest
from django.http import Http404, JsonResponse
from django.test import RequestFactory

from claims.errors import ClaimConflict, ClaimError, ClaimPermissionDenied
from crosscheck import jsonapi
from crosscheck.errors import ServiceError


def answer(error: Exception):
    @jsonapi.json_endpoint("POST")
    def view(request):
        raise error

    request = RequestFactory().post("/api/anything/", data=b"{}", content_type="application/json")
    request.user = SimpleNamespace(is_authenticated=True)
    return view(request)


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (ServiceError("Not like this."), 400, {"error": "Not like this.", "fields": {}}),
        (ServiceError("Too big.", status=413), 413, {"error": "Too big.", "fields": {}}),
        (ClaimError("Say something.", "statement"), 400,
         {"error": "Say something.", "fields": {"statement": ["Say something."]}}),
        (ClaimPermissionDenied("Not yours."), 403, {"error": "Not yours.", "fields": {}}),
        (ClaimConflict("Changed meanwhile.", "version"), 409,
         {"error": "Changed meanwhile.", "fields": {"version": ["Changed meanwhile."]}}),
        (Http404("gone"), 404, {"error": jsonapi.ERROR_NOT_FOUND, "fields": {}}),
    ],
)  # fmt: skip
def test_it_answers_a_refusal_raised_in_the_view_with_its_message_field_and_status(
    error, status, body
):
    response = answer(error)
    assert isinstance(response, JsonResponse)
    assert response.status_code == status
    assert json.loads(response.content) == body


def test_the_claims_refusals_are_service_errors_and_still_value_errors():
    for kind in (ClaimError, ClaimPermissionDenied, ClaimConflict):
        assert issubclass(kind, ServiceError) and issubclass(kind, ValueError)
    assert issubclass(ClaimConflict, ClaimError)


def test_an_error_that_is_not_a_refusal_is_not_hidden_as_one():
    with pytest.raises(KeyError):
        answer(KeyError("a bug"))
