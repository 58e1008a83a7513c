"""The JSON API against its own description: schemathesis generates requests from the
OpenAPI schema the app serves at /api/schema/ and sends them to the app in-process
(Django's WSGI handler, the whole middleware stack), signed in as an annotator, a
reviewer and an editor, each with the CSRF token a page gives them.

Every answer must not be a server error, must have a status its operation documents, must
match the documented schema for that status (content type and body) and, when it is a
refusal (4xx), must be ``{"error": str, "fields": {name: [str]}}``. A request the schema
does not allow must be refused (4xx), and a method a path does not describe answered 405
with ``Allow``.

Three kinds of cases: generated from the schema (positive) and against it (negative:
bodies and parameters it does not allow), each sent as every role; and schemathesis's
boundary ("coverage") cases, each required field left out, each field of each wrong type
and at its limits, each undescribed method. Path parameters name a small seeded corpus's
documents, claims, links, evidence and jobs half of the time (random ids otherwise, which
answer 404), and half of the positive bodies are aimed at it too (a real passage for a
claim, a real claim to link to, the stored version), so writes get past the look-ups and
succeed as well as fail. Each request runs in a savepoint that is rolled back: every
request sees the same corpus. The run is derandomized, so CI sends the same requests
every time. By hand, ``SCHEMATHESIS_EXAMPLES`` sets the cases per operation and mode
(default 40) and ``SCHEMATHESIS_RANDOM=1`` draws new ones, for a deeper run.

Why not schemathesis's own pytest plugin (``schema.parametrize()``): it does not run
under pytest 9 (it sets the item's ``_nodeid``, which pytest 9 no longer has)."""

import os
from collections import Counter
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from claims.models import Claim, ClaimLink, Evidence
from crosscheck.api import CSRF_HEADER, openapi_schema
from crosscheck.jsonapi import Refusal
from jobs.models import Job, JobState
from tests.factories import make_annotated_corpus, make_claim, make_evidence, make_link, make_user

pytestmark = pytest.mark.django_db

ROLES = ("annotator", "reviewer", "editor")
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
RANDOM = bool(os.environ.get("SCHEMATHESIS_RANDOM"))  # explore new cases: a run by hand
HOST = "localhost"  # where schemathesis's WSGI client sends requests and sets cookies
# Every operation of the description, as schemathesis labels them ("GET /api/…").
OPERATIONS = [
    f"{method.upper()} {path}"
    for path, methods in openapi_schema()["paths"].items()
    for method in methods
]
# Requests sent, by generation mode and by status class ("2xx", "4xx"): the run's summary
# (tests/api/conftest.py) prints them.
SENT: Counter = Counter()


def refusals_are_error_and_fields(ctx, response, case) -> None:
    """Every 4xx answer is the documented refusal: a message and the fields it concerns
    (and only what else ``Refusal`` documents)."""
    if not 400 <= response.status_code < 500:
        return
    body = response.json()
    assert isinstance(body, dict) and {"error", "fields"} <= set(body), body
    assert set(body) <= set(Refusal.model_fields), body
    assert isinstance(body["error"], str) and body["error"].strip(), body
    fields = body["fields"]
    assert isinstance(fields, dict), body
    for name, messages in fields.items():
        assert isinstance(name, str) and isinstance(messages, list) and messages, body
        assert all(isinstance(message, str) and message for message in messages), body


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    refusals_are_error_and_fields,
]


# --- The corpus, the sessions and the app ---------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A small corpus, most of it the annotator's and some another annotator's, and the
    three roles signed in; made once in a transaction rolled back at the module's end."""
    with django_db_blocker.unblock(), transaction.atomic():
        users = {role: make_user(role) for role in ROLES}
        corpus = make_annotated_corpus(users["annotator"])
        stranger = make_user("annotator")
        theirs = make_claim(corpus.documents[2], user=stranger, quote="about gamma")
        their_link = make_link(theirs, corpus.claims[0], user=stranger)
        make_evidence(theirs, user=stranger, kind="url")
        make_evidence(link=their_link, user=stranger, kind="quote")
        make_evidence(corpus.claims[1], user=users["editor"], kind="citation")
        jobs = [_job(users["annotator"], JobState.DONE), _job(users["editor"], JobState.QUEUED)]
        yield SimpleNamespace(
            documents=list(corpus.documents),
            claims=[str(i) for i in Claim.objects.values_list("public_id", flat=True)],
            links=[str(i) for i in ClaimLink.objects.values_list("public_id", flat=True)],
            evidence=[str(i) for i in Evidence.objects.values_list("public_id", flat=True)],
            jobs=[str(job.public_id) for job in jobs],
            sessions={role: _signed_in(user) for role, user in users.items()},
        )
        transaction.set_rollback(True)


def _job(user, state: str) -> Job:
    now = timezone.now()
    done = state == JobState.DONE
    return Job.objects.create(
        requested_by=user, kind="admin_export", label="Export", state=state,
        started_at=now if done else None, finished_at=now if done else None,
        result_path="not-on-disk.csv" if done else "", result_filename="claims.csv",
    )  # fmt: skip


def _signed_in(user) -> dict:
    """The cookies and CSRF header of ``user`` signed in, read from a page as a script
    reads it (the ``csrf-token`` meta tag)."""
    client = Client()
    client.force_login(user)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    token = page.content.decode().split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    assert {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME} <= set(cookies)
    return {"cookies": cookies, "headers": {CSRF_HEADER: token}}


@pytest.fixture(scope="module")
def app():
    """Django's WSGI application, at schemathesis's host."""
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, HOST]):
        yield WSGIHandler()


@contextmanager
def keeping_the_connection():
    """A request that keeps the test's database connection: a server closes it after each
    request, which would end the test's transaction (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def api(world, app):
    """The description, as a signed-in user loads it from /api/schema/; its requests go
    to ``app``."""
    client = Client()
    client.cookies.load(world.sessions["reviewer"]["cookies"])
    response = client.get("/api/schema/")
    assert response.status_code == 200, response.content
    # The session and CSRF token are sent as each role's; generating them (or leaving them
    # out as "negative" data) would only test the test.
    config = SchemathesisConfig.from_dict({"generation": {"with-security-parameters": False}})
    schema = schemathesis.openapi.from_dict(response.json(), config=config)
    schema.app = app
    return schema


# --- Aiming generated cases at the corpus ---------------------------------------------------


def _ids_for(world, path: str) -> list:
    if "document_id" in path:
        return [document.pk for document in world.documents]
    if path.startswith("/api/links/"):
        return world.links
    if path.startswith("/api/evidence/"):
        return world.evidence
    if path.startswith("/api/jobs/"):
        return world.jobs
    return world.claims


def _cases(operation, mode: GenerationMode, world):
    """Cases with generated path parameters, or with ones naming the corpus."""
    generated = operation.as_strategy(generation_mode=mode)
    names = [parameter["name"] for parameter in operation.definition.raw.get("parameters", [])
             if parameter["in"] == "path"]  # fmt: skip
    if not names:
        return generated
    (name,) = names
    aimed = st.sampled_from(_ids_for(world, operation.path)).flatmap(
        lambda value: operation.as_strategy(generation_mode=mode, path_parameters={name: value})
    )
    return st.one_of(generated, aimed)


def _aim_body(case, data, world) -> None:
    """Make a positive body's look-ups succeed: a real passage, claim, document, version."""
    body = case.body
    if not isinstance(body, dict) or not data.draw(st.booleans(), label="aim the body"):
        return
    body = dict(body)
    if "version" in body:
        body["version"] = 1
    if "other" in body:
        body["other"] = data.draw(st.sampled_from(world.claims), label="other")
    if "quote" in body and "start" in body:
        document_id = (case.path_parameters or {}).get("document_id")
        document = next((d for d in world.documents if d.pk == document_id), None)
        if document is None or body.get("kind") == "passage":
            document = data.draw(st.sampled_from(world.documents), label="passage document")
            body["document"] = document.pk
        start = data.draw(st.integers(0, len(document.text) - 1), label="start")
        end = data.draw(st.integers(start + 1, len(document.text)), label="end")
        body.update(start=start, end=end, quote=document.text[start:end])
    case.body = body


# --- The run ---------------------------------------------------------------------------------


def send(case, app, session: dict):
    with keeping_the_connection(), transaction.atomic():
        response = case.call(app=app, **session)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("label", OPERATIONS)
def test_every_answer_is_documented_and_every_refusal_is_json(world, app, api, label, mode):
    operation = api.find_operation_by_label(label)
    assert operation is not None, label
    negative = mode == GenerationMode.NEGATIVE
    run_checks = [*CHECKS, checks.negative_data_rejection] if negative else CHECKS

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def run(data):
        case = data.draw(_cases(operation, mode, world), label="case")
        if mode == GenerationMode.POSITIVE:
            _aim_body(case, data, world)
        for role in ROLES:
            session = world.sessions[role]
            response = send(case, app, session)
            SENT[mode.value] += 1
            SENT[f"{response.status_code // 100}xx"] += 1
            case.validate_response(response, checks=run_checks, headers=session["headers"])

    run()


@pytest.mark.parametrize("label", OPERATIONS)
def test_boundary_cases_are_answered_as_documented(world, app, api, label):
    """Schemathesis's coverage cases, one pass each: every required field left out, each
    field of every wrong type and at its boundaries, and the methods the path does not
    describe (405 with ``Allow``); sent as the editor, who may do everything, with the
    generated path parameters and with the corpus's."""
    operation = api.find_operation_by_label(label)
    assert operation is not None, label
    session = world.sessions["editor"]
    cases = api.iter_coverage_cases(
        operation,
        generation_modes=list(GenerationMode),
        generation_config=api.config.generation_for(operation=operation),
    )
    run_checks = [*CHECKS, checks.unsupported_method, checks.negative_data_rejection]
    failures = []
    for case in cases:
        for variant in _with_real_path_parameters(case, world):
            response = send(variant, app, session)
            SENT["boundary"] += 1
            SENT[f"{response.status_code // 100}xx"] += 1
            try:
                variant.validate_response(response, checks=run_checks, headers=session["headers"])
            except FailureGroup as failure:
                failures.append(str(failure))
    assert not failures, "\n".join(failures[:5])


def _with_real_path_parameters(case, world) -> list:
    """The case, and (when its path parameters are not the part made invalid) the same
    case naming each kind of object of the corpus."""
    cases = [case]
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if case.path_parameters and (path is None or path.mode == GenerationMode.POSITIVE):
        (name,) = case.path_parameters
        for value in _ids_for(world, case.operation.path)[:2]:
            aimed = case.derive()
            aimed.path_parameters = {name: value}
            cases.append(aimed)
    return cases
