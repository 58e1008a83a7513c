"""Who may do what at every address, generated from the URL configuration.

Every URL pattern the app serves is requested by every role (signed out, signed in with no
role, annotator, reviewer, editor) with GET and POST (and PATCH and DELETE where an
endpoint takes them), and the outcome is compared with ``EXPECTED``: the one table, keyed by
URL name, of who may use each address. A new URL pattern without an entry fails
``test_every_address_answers_each_role_as_declared`` until someone declares who may use it.

The admin is covered by one rule (``ADMIN_RULE``) rather than row by row, so addresses the
admin gains (django-import-export's import and export, a new model) are checked without an
entry: every /admin/ address needs an active staff user in the editor group.

The expectations are about authorisation only. "allowed" means the request got past the
permission checks: not 401, 403, 405 or a redirect to sign in, and never a server error;
requests are shaped validly, so a refusal for bad input does not hide a permission bug.
"refused" means 401 for signed-out API calls, a redirect to sign in for signed-out pages,
and 403 for signed-in users. Each request runs in a savepoint that is rolled back, so every
request sees the same objects, whatever the one before it wrote or deleted."""

import json
import logging
import re
from dataclasses import dataclass, field
from fnmatch import fnmatch
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve, reverse

from tests.factories import (
    PASSWORD,
    make_annotated_corpus,
    make_comment,
    make_review,
    make_user,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "no role", "annotator", "reviewer", "editor")

OK = "allowed"
NO = "refused"
NOT_ACCEPTED = "405"  # the method is not accepted (checked after sign-in)
# In the admin, past the editors-only gate: whether an editor may add, change or delete
# objects of a model is the model admin's permission (tests/test_admin.py), so those pages
# may answer 403; every other admin page (lists, histories, import, export) must open.
OK_OR_MODEL_403 = "allowed or 403"

# Who, in the order of ROLES.
PUBLIC = (OK, OK, OK, OK, OK)
READ = (NO, OK, OK, OK, OK)  # anyone signed in reads
ANNOTATE = (NO, NO, OK, NO, OK)  # annotators (on their own work) and editors write
REVIEW = (NO, NO, NO, OK, OK)
WRONG_METHOD = (NO, NOT_ACCEPTED, NOT_ACCEPTED, NOT_ACCEPTED, NOT_ACCEPTED)
ADMIN = (NO, NO, NO, NO, OK)  # for admin rows: signed-in staff who are not editors as "no role"


@dataclass(frozen=True)
class Row:
    """Who may use an address with each method, and how to build a valid request to it.

    ``kwargs`` builds the URL's arguments from the world (see ``world``); ``data`` the
    request's body (JSON for /api/, a form otherwise) or, for GET, its query."""

    expect: dict[str, tuple[str, ...]]
    kwargs: object = None
    data: dict[str, object] = field(default_factory=dict)


def _claim_body(w) -> dict:
    start = w.document.text.index("something")
    return {"start": start, "end": start + 9, "quote": "something", "statement": "A statement."}


def _upload(w) -> dict:
    return {
        "file": SimpleUploadedFile("new.txt", b"A new text\n\nNever seen before."),
        "source": w.source.pk,
        "language": "en",
        "new_source_kind": "news",
    }


def _claim(w) -> dict:
    return {"public_id": w.claim.public_id}


def _link(w) -> dict:
    return {"public_id": w.link.public_id}


def _job(w) -> dict:
    from django.utils import timezone

    from jobs.models import Job, JobState

    now = timezone.now()
    job = Job.objects.create(
        requested_by=w.owner, kind="admin_export", label="Export", state=JobState.DONE,
        started_at=now, finished_at=now, result_path="not-on-disk.csv",
    )  # fmt: skip
    return {"public_id": job.public_id}


def _annotation_bytes(w) -> bytes:
    selector = {"type": "TextQuoteSelector", "exact": "something"}
    body = {"type": "TextualBody", "purpose": "describing", "value": "It says something."}
    annotation = {"type": "Annotation", "body": body, "target": {"selector": selector}}
    return json.dumps(annotation).encode()


def _annotation_file(w) -> dict:
    return {"file": SimpleUploadedFile("annotations.json", _annotation_bytes(w))}


def _import_upload(w) -> dict:
    from interchange.models import ImportUpload

    upload = ImportUpload.objects.create(
        document=w.document, uploaded_by=w.owner, filename="a.json", data=_annotation_bytes(w)
    )
    return {"pk": w.document.pk, "public_id": upload.public_id}


def _passage_body(w) -> dict:
    """A passage of another document than the world's claim's (a suggestion's)."""
    text = w.documents[2].text
    start = text.index("something")
    return {"document": w.documents[2].pk, "start": start, "end": start + 9}


def _counterpart_body(w) -> dict:
    return _passage_body(w) | {
        "statement": "A counterpart.",
        "relation": "corroborates",
        "rationale": "Both say so.",
    }


def _document(w) -> dict:
    return {"pk": w.document.pk}


def _revision_upload(w) -> dict:
    return {"file": SimpleUploadedFile("v2.txt", b"A corrected text\n\nNever seen before.")}


def _claim_version(w) -> dict:
    """The world's claim is not waiting for a check: past the permission check, the
    services refuse it with a message (allowed)."""
    return {"version": w.claim.version}


EXPECTED: dict[str, Row] = {
    "home": Row({"GET": READ, "POST": READ}),
    "login": Row(
        {"GET": PUBLIC, "POST": PUBLIC},
        data={"POST": lambda w: {"username": w.users["no role"].username, "password": PASSWORD}},
    ),
    # Signing out sends you to ``next``: a redirect to sign in would look like a refusal.
    "logout": Row({"GET": WRONG_METHOD, "POST": READ}, data={"POST": lambda w: {"next": "/x/"}}),
    "corpus:documents": Row({"GET": READ, "POST": WRONG_METHOD}),
    "corpus:sources": Row({"GET": READ, "POST": WRONG_METHOD}),
    "corpus:upload": Row({"GET": ANNOTATE, "POST": ANNOTATE}, data={"POST": _upload}),
    "claims:document": Row(
        {"GET": READ, "POST": WRONG_METHOD}, kwargs=lambda w: {"pk": w.document.pk}
    ),
    # Revisions and the orphan queue: anyone reads; annotators and editors upload a
    # corrected text; the claim's annotator or an editor settles a waiting claim.
    "claims:document-revise": Row(
        {"GET": ANNOTATE, "POST": ANNOTATE}, kwargs=_document, data={"POST": _revision_upload}
    ),
    "claims:document-revisions": Row({"GET": READ, "POST": WRONG_METHOD}, kwargs=_document),
    "claims:document-orphans": Row({"GET": READ, "POST": WRONG_METHOD}, kwargs=_document),
    "claims:orphans": Row({"GET": READ, "POST": WRONG_METHOD}),
    "claims:orphan": Row({"GET": READ, "POST": WRONG_METHOD}, kwargs=_claim),
    "claims:orphan-accept": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_claim, data={"POST": _claim_version}
    ),
    "claims:orphan-place": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_claim, data={"POST": _claim_version}
    ),
    "claims:orphan-keep": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_claim, data={"POST": _claim_version}
    ),
    "claims:list": Row(
        {"GET": READ, "POST": WRONG_METHOD},
        data={"GET": lambda w: {"annotator": w.owner.pk, "q": "says"}},
    ),
    "claims:api-document-claims": Row(
        {"GET": READ, "POST": ANNOTATE},
        kwargs=lambda w: {"document_id": w.document.pk},
        data={"POST": _claim_body},
    ),
    "claims:links": Row(
        {"GET": READ, "POST": WRONG_METHOD},
        data={"GET": lambda w: {"q": "says", "source": w.source.pk, "sort": "relation"}},
    ),
    "claims:link": Row({"GET": READ, "POST": WRONG_METHOD}, kwargs=_link),
    "claims:link-review": Row(
        {"GET": WRONG_METHOD, "POST": REVIEW},
        kwargs=_link,
        data={"POST": lambda w: {"verdict": "confirmed", "note": "Checked."}},
    ),
    "claims:link-direction": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE},
        kwargs=_link,
        data={"POST": lambda w: {"qualifier": str(w.claim.public_id), "version": w.link.version}},
    ),
    "claims:review-queue": Row({"GET": REVIEW, "POST": WRONG_METHOD}),
    "claims:my-verdicts": Row(
        {"GET": REVIEW, "POST": WRONG_METHOD}, data={"GET": lambda w: {"q": "says"}}
    ),
    # Only the reviewer who gave a verdict withdraws it (the world's is the reviewer's).
    "claims:review-withdraw": Row(
        {"GET": WRONG_METHOD, "POST": (NO, NO, NO, OK, NO)},
        kwargs=lambda w: {"public_id": w.own_review.public_id},
    ),
    # The discussion: every role comments; only the author edits (the world's comment is
    # the annotator's), the author or an editor deletes. Everyone signed in has an inbox;
    # another person's item is not found (404, past the checks).
    "discussion:comment-post": Row(
        {"GET": WRONG_METHOD, "POST": (NO, NO, OK, OK, OK)},
        kwargs=_link,
        data={"POST": lambda w: {"text": "A comment."}},
    ),
    "discussion:comment-edit": Row(
        {"GET": WRONG_METHOD, "POST": (NO, NO, OK, NO, NO)},
        kwargs=lambda w: {"public_id": w.comment.public_id},
        data={"POST": lambda w: {"text": "Changed.", "version": w.comment.version}},
    ),
    "discussion:comment-delete": Row(
        {"GET": WRONG_METHOD, "POST": (NO, NO, OK, NO, OK)},
        kwargs=lambda w: {"public_id": w.comment.public_id},
    ),
    "discussion:inbox": Row({"GET": READ, "POST": WRONG_METHOD}),
    "discussion:inbox-read-all": Row({"GET": WRONG_METHOD, "POST": READ}),
    "discussion:inbox-read": Row(
        {"GET": WRONG_METHOD, "POST": READ},
        kwargs=lambda w: {"public_id": w.inbox_item.public_id},
    ),
    "claims:export": Row({"GET": READ, "POST": WRONG_METHOD}),
    "claims:export-download": Row(
        {"GET": READ, "POST": WRONG_METHOD}, data={"GET": lambda w: {"dataset": "claims"}}
    ),
    "claims:export-prepare": Row(
        {"GET": WRONG_METHOD, "POST": READ}, data={"POST": lambda w: {"dataset": "claims"}}
    ),
    "claims:review-dashboard": Row({"GET": READ, "POST": WRONG_METHOD}),
    "comparison:timeline": Row({"GET": READ, "POST": WRONG_METHOD}),
    "comparison:timeline-svg": Row({"GET": READ, "POST": WRONG_METHOD}),
    "comparison:map": Row({"GET": READ, "POST": WRONG_METHOD}),
    "comparison:map-svg": Row({"GET": READ, "POST": WRONG_METHOD}),
    "comparison:map-csv": Row({"GET": READ, "POST": WRONG_METHOD}),
    "comparison:topics": Row({"GET": READ, "POST": WRONG_METHOD}),
    "comparison:topic": Row(
        {"GET": READ, "POST": WRONG_METHOD}, kwargs=lambda w: {"name": "Economy"}
    ),
    "claims:api-claim-search": Row(
        {"GET": READ, "POST": WRONG_METHOD}, data={"GET": lambda w: {"q": "says"}}
    ),
    "claims:api-claim": Row(
        {"GET": READ, "POST": WRONG_METHOD, "PATCH": ANNOTATE, "DELETE": ANNOTATE},
        kwargs=_claim,
        data={
            "PATCH": lambda w: {"statement": "Changed.", "version": w.claim.version},
            "DELETE": lambda w: {"version": w.claim.version, "confirm": True},
        },
    ),
    "claims:api-claim-links": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE},
        kwargs=_claim,
        data={
            "POST": lambda w: {
                "other": str(w.claims[2].public_id),
                "relation": "corroborates",
                "rationale": "Both say so.",
            }
        },
    ),
    "claims:api-claim-evidence": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE},
        kwargs=_claim,
        data={"POST": lambda w: {"kind": "citation", "bearing": "refutes", "citation": "A book."}},
    ),
    "claims:api-link": Row(
        {"GET": WRONG_METHOD, "POST": WRONG_METHOD, "PATCH": ANNOTATE, "DELETE": ANNOTATE},
        kwargs=_link,
        data={
            "PATCH": lambda w: {
                "relation": "qualifies",
                "rationale": "Not quite.",
                "version": w.link.version,
            },
            "DELETE": lambda w: {"version": w.link.version, "confirm": True},
        },
    ),
    "claims:api-link-evidence": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE},
        kwargs=_link,
        data={"POST": lambda w: {"kind": "url", "bearing": "supports", "url": "https://x.org/"}},
    ),
    "claims:api-evidence": Row(
        {"GET": WRONG_METHOD, "POST": WRONG_METHOD, "PATCH": ANNOTATE, "DELETE": ANNOTATE},
        kwargs=lambda w: {"public_id": w.claim_evidence.public_id},
        data={
            "PATCH": lambda w: {"bearing": "refutes", "version": w.claim_evidence.version},
            "DELETE": lambda w: {"version": w.claim_evidence.version},
        },
    ),
    # Counterparts (the suggestions app): anyone signed in reads suggestions; annotators and
    # editors act on them and work through the Suggested pairs page; editors index.
    "suggestions:queue": Row(
        {"GET": ANNOTATE, "POST": WRONG_METHOD},
        data={"GET": lambda w: {"q": "says", "source": w.source.pk}},
    ),
    "suggestions:refresh": Row({"GET": WRONG_METHOD, "POST": ANNOTATE}),
    "suggestions:index": Row({"GET": WRONG_METHOD, "POST": (NO, NO, NO, NO, OK)}),
    "suggestions:counterpart": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_claim, data={"POST": _counterpart_body}
    ),
    "suggestions:dismiss": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_claim, data={"POST": _passage_body}
    ),
    "suggestions:api-document-suggestions": Row(
        {"GET": READ, "POST": WRONG_METHOD},
        kwargs=lambda w: {"document_id": w.document.pk},
        data={"GET": lambda w: {"start": 0, "end": 8, "limit": 5}},
    ),
    "suggestions:api-claim-suggestions": Row({"GET": READ, "POST": WRONG_METHOD}, kwargs=_claim),
    "suggestions:api-claim-counterparts": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_claim, data={"POST": _counterpart_body}
    ),
    "suggestions:api-claim-suggestion-dismiss": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_claim, data={"POST": _passage_body}
    ),
    # Interchange, export: the Web Annotation Protocol's containers and annotations are read
    # like claims (anyone signed in), GET, HEAD and OPTIONS only; the JSON-LD context and
    # vocabulary hold no data and are public, for JSON-LD processors; preparing the file is
    # a job anyone signed in may start, like the CSV's.
    "interchange:container": Row({"GET": READ, "POST": WRONG_METHOD}),
    "interchange:document-container": Row(
        {"GET": READ, "POST": WRONG_METHOD}, kwargs=lambda w: {"pk": w.document.pk}
    ),
    "interchange:claim": Row({"GET": READ, "POST": WRONG_METHOD}, kwargs=_claim),
    "interchange:link": Row({"GET": READ, "POST": WRONG_METHOD}, kwargs=_link),
    "interchange:evidence": Row(
        {"GET": READ, "POST": WRONG_METHOD},
        kwargs=lambda w: {"public_id": w.claim_evidence.public_id},
    ),
    "interchange:download": Row({"GET": READ, "POST": WRONG_METHOD}),
    "interchange:prepare": Row({"GET": WRONG_METHOD, "POST": READ}),
    "interchange:context": Row({"GET": PUBLIC, "POST": (NOT_ACCEPTED,) * 5}),
    "interchange:vocabulary": Row({"GET": PUBLIC, "POST": (NOT_ACCEPTED,) * 5}),
    # Interchange, import: annotators and editors upload a file onto a document, preview it
    # and confirm it; an upload is its uploader's (another's answers 404 or "gone").
    "interchange:import": Row(
        {"GET": ANNOTATE, "POST": ANNOTATE},
        kwargs=lambda w: {"pk": w.document.pk},
        data={"POST": _annotation_file},
    ),
    "interchange:import-preview": Row(
        {"GET": ANNOTATE, "POST": WRONG_METHOD}, kwargs=_import_upload
    ),
    "interchange:import-confirm": Row(
        {"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_import_upload
    ),
    # The JSON API's description (OpenAPI) and its docs page: anyone signed in.
    "api-schema": Row({"GET": READ, "POST": WRONG_METHOD}),
    "api-docs": Row({"GET": READ, "POST": WRONG_METHOD}),
    # Jobs: one's own, and everyone's for editors. The world's job (the annotator's) has
    # finished; its file is not on disk, so a download past the checks answers 404.
    "jobs:list": Row({"GET": READ, "POST": WRONG_METHOD}),
    "jobs:detail": Row({"GET": ANNOTATE, "POST": WRONG_METHOD}, kwargs=_job),
    "jobs:cancel": Row({"GET": WRONG_METHOD, "POST": ANNOTATE}, kwargs=_job),
    "jobs:download": Row({"GET": ANNOTATE, "POST": WRONG_METHOD}, kwargs=_job),
    "jobs:api-job": Row({"GET": ANNOTATE, "POST": WRONG_METHOD}, kwargs=_job),
    # The admin: every address under /admin/ by one rule, ADMIN_RULE below; only the
    # addresses it does not fit are listed here.
    "admin:login": Row({"GET": PUBLIC, "POST": PUBLIC}),
    "admin:logout": Row(
        {"GET": (NO, NO, NO, NO, NOT_ACCEPTED), "POST": ADMIN},
        data={"POST": lambda w: {"next": "/x/"}},
    ),
    "admin:autocomplete": Row(
        {"GET": ADMIN, "POST": (NO, NO, NO, NO, NOT_ACCEPTED)},
        data={
            "GET": lambda w: {
                "app_label": "claims",
                "model_name": "claim",
                "field_name": "topics",
                "term": "E",
            }
        },
    ),  # fmt: skip
}

# Admin pages (patterns of URL names) that refuse editors altogether (403): the sign-in
# throttling records of django-axes are for superusers.
ADMIN_REFUSED_TO_EDITORS = {
    "admin:axes_*",
}

ADMIN_ROLES = (*ROLES, "staff non-editor")
ADMIN_RULE = (
    "every /admin/ address requires an active staff user in the editor group: signed out → "
    "a sign-in page; signed in without being an editor (staff or not) → the "
    "admin's sign-in page or 403; editors → allowed"
)


# --- Walking the URL configuration -------------------------------------------------------


@dataclass(frozen=True)
class Address:
    key: str  # the URL name (namespaced), or the route when the pattern has none
    parts: tuple  # the patterns from the root to this one
    model: object = None  # the model an admin address belongs to

    @property
    def route(self) -> str:
        return "".join(str(part.pattern) for part in self.parts)

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def __str__(self) -> str:
        return self.key


def _walk(patterns, parents=(), namespace=None, model=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
            prefix = "".join(str(p.pattern) for p in (*parents, pattern))
            match = re.fullmatch(r"admin/(\w+)/(\w+)/", prefix)
            found = apps.get_model(*match.groups()) if match else model
            yield from _walk(pattern.url_patterns, (*parents, pattern), inner, found)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            parts = (*parents, pattern)
            yield Address(name or "".join(str(p.pattern) for p in parts), parts, model)


ADDRESSES = list(_walk(get_resolver().url_patterns))
APP_ADDRESSES = [address for address in ADDRESSES if not address.is_admin]
ADMIN_ADDRESSES = [address for address in ADDRESSES if address.is_admin]


def _fill(address: Address, values: dict, positional: list) -> str:
    """The address with its arguments filled in from ``values`` (by name) and
    ``positional`` (unnamed regex groups, in order)."""
    positional = list(positional)
    url = "/"
    for part in address.parts:
        text = str(part.pattern)
        if hasattr(part.pattern, "converters") and not text.startswith("^"):
            text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), text)
        else:
            text = text.lstrip("^").rstrip("$")
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), text)
            text = re.sub(r"\([^)]*\)", lambda m: str(positional.pop(0)), text)
        url += text
    return url


def admin_url(address: Address, w) -> str:
    """A real address for an admin pattern: the world's object of its model, its history
    record, a content type and so on. A pattern this cannot fill fails with a message."""
    model = address.model or type(w.source)
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"The world has no {model.__name__} for {address.route}: add one."
    values = {
        "object_id": obj.pk,
        "id": obj.pk,
        "content_type_id": ContentType.objects.get_for_model(w.source).pk,
        "app_label": "claims",
        "url": "no-such-page/",
    }
    positional = []
    if hasattr(obj, "history"):  # simple_history's page of a version
        positional = [obj.pk, obj.history.order_by("history_id").first().history_id]
    if address.key == "admin:view_on_site":
        values["object_id"] = w.source.pk
    try:
        url = _fill(address, values, positional)
    except (KeyError, IndexError) as error:
        pytest.fail(f"Cannot build a URL for {address.route} ({error}): teach admin_url how.")
    match = resolve(urlsplit(url).path)
    assert match.route == address.route or match.func is address.parts[-1].callback, (
        f"{url} does not resolve to {address.route}"
    )
    return url


# --- The world and the requests ------------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The objects and signed-in clients every request uses, made once for the module in a
    transaction rolled back at its end (like Django's ``setUpTestData``)."""
    with django_db_blocker.unblock(), transaction.atomic():
        owner = make_user("annotator")
        corpus = make_annotated_corpus(owner)
        users = {
            "anonymous": None,
            "no role": make_user(None),
            "annotator": owner,
            "reviewer": make_user("reviewer"),
            "editor": make_user("editor"),
            "staff non-editor": make_user("annotator", is_staff=True),
        }
        _sign_in_records(owner.username)
        clients = {role: Client(raise_request_exception=False) for role in users}
        for role, user in users.items():
            if user is not None:
                clients[role].force_login(user)
        discussion = _discussion(corpus, users)
        yield SimpleNamespace(**vars(corpus), **discussion, users=users, clients=clients)
        transaction.set_rollback(True)


def _discussion(corpus, users) -> dict:
    """The reviewer's verdict on the world's link (it needs evidence, which tells its
    proposer, the annotator), and the annotator's comment on it."""
    from discussion.models import InboxItem

    own_review = make_review(corpus.link, "needs_evidence", user=users["reviewer"])
    comment = make_comment(corpus.link, "What does the annex say?", user=corpus.owner)
    inbox_item = InboxItem.objects.get(recipient=corpus.owner, comment=None)
    return {"own_review": own_review, "comment": comment, "inbox_item": inbox_item}


def _sign_in_records(username: str) -> None:
    """One of each record django-axes keeps (its admin lists them), when it is installed."""
    if not apps.is_installed("axes"):
        return
    fields = {"username": username, "ip_address": "127.0.0.1", "user_agent": "test",
              "http_accept": "*/*", "path_info": "/accounts/login/"}  # fmt: skip
    apps.get_model("axes", "AccessAttempt").objects.create(
        **fields, get_data="", post_data="", failures_since_start=1
    )
    apps.get_model("axes", "AccessLog").objects.create(**fields)
    apps.get_model("axes", "AccessFailureLog").objects.create(**fields)


@pytest.fixture(autouse=True)
def quiet_request_log():
    """Refusals are what these tests ask for: keep their warnings out of the output."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def send(w, role: str, method: str, url: str, data) -> object:
    """The response to one request, made inside a savepoint that is then rolled back (the
    client's session cookie too, in case the request signed out)."""
    client = w.clients[role]
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    with transaction.atomic():
        if method == "GET":
            response = client.get(url, data or {})
        elif url.startswith("/api/"):
            response = client.generic(method, url, json.dumps(data or {}, default=str),
                                      content_type="application/json")  # fmt: skip
        elif method == "POST":
            response = client.post(url, data or {})
        else:
            response = client.generic(method, url)
        transaction.set_rollback(True)
    client.cookies.clear()
    if session is not None:
        client.cookies[settings.SESSION_COOKIE_NAME] = session.value
    return response


def _redirects_to(response, url: str) -> bool:
    return response.status_code in (301, 302, 303, 307, 308) and urlsplit(
        response["Location"]
    ).path.startswith(url)


def app_outcome(response, role: str, url: str) -> str:
    """``OK``, ``NO``, ``NOT_ACCEPTED`` or a description of a wrong kind of answer."""
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status == 405:
        return NOT_ACCEPTED
    refused_signed_out = (
        status == 401 if url.startswith("/api/") else _redirects_to(response, reverse("login"))
    )
    if role == "anonymous" and refused_signed_out:
        return NO
    if role != "anonymous" and status == 403:
        return NO
    if status in (401, 403) or _redirects_to(response, reverse("login")):
        return f"refused the wrong way ({status} {response.get('Location', '')})"
    return OK


def admin_expectation(key: str, method: str, role: str) -> str:
    """An admin row's entry (staff who are not editors count as "no role"), or the rule."""
    row = EXPECTED.get(key)
    if row is not None:
        return row.expect[method][ROLES.index(role) if role in ROLES else 1]
    if role != "editor":
        return NO
    if any(fnmatch(key, name) for name in ADMIN_REFUSED_TO_EDITORS):
        return NO
    if key.endswith(("_add", "_change", "_delete")):
        return OK_OR_MODEL_403
    return OK


def admin_outcome(response, role: str, key: str) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status == 405:
        return NOT_ACCEPTED
    to_sign_in = (
        _redirects_to(response, reverse("admin:login"))
        or _redirects_to(response, reverse("login"))
        # admin:logout sends those who may not use the admin to its index, which needs one.
        or (key == "admin:logout" and response.get("Location") == reverse("admin:index"))
    )
    if to_sign_in or (status == 403 and role != "anonymous"):
        return NO
    if status in (401, 403):
        return f"refused without the sign-in page ({status})"
    return OK


def _mismatches(rows: list[tuple[str, str, str, str]]) -> str:
    return "\n".join(
        f"  {role:>16} {method:<6} expected {expected:<8} got {got}"
        for role, method, expected, got in rows
    )


# --- The tests -----------------------------------------------------------------------------


def test_the_table_names_only_addresses_that_exist():
    keys = {address.key for address in ADDRESSES}
    assert set(EXPECTED) - keys == set(), "EXPECTED names addresses that no longer exist"
    for name in ADMIN_REFUSED_TO_EDITORS:
        assert any(fnmatch(key, name) for key in keys), name


def test_the_walk_finds_the_app_and_the_admin():
    assert {"claims:api-claim", "corpus:upload", "login"} <= {a.key for a in APP_ADDRESSES}
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for suffix in ("changelist", "add", "change", "delete", "history"):
            assert f"{name}_{suffix}" in {a.key for a in ADMIN_ADDRESSES}, (name, suffix)


@pytest.mark.parametrize("address", APP_ADDRESSES, ids=str)
def test_every_address_answers_each_role_as_declared(world, address):
    row = EXPECTED.get(address.key)
    if row is None:
        pytest.fail(
            f"The URL pattern {address.key!r} ({address.route}) has no entry in EXPECTED in "
            f"{__name__}: add one saying who may GET and POST it."
        )
    assert {"GET", "POST"} <= set(row.expect), f"{address.key}: declare both GET and POST"
    url = reverse(address.key, kwargs=row.kwargs(world) if row.kwargs else None)
    wrong = []
    for method, expected in row.expect.items():
        for role, outcome in zip(ROLES, expected, strict=True):
            build = row.data.get(method)
            response = send(world, role, method, url, build(world) if build else None)
            got = app_outcome(response, role, url)
            if got != outcome:
                wrong.append((role, method, outcome, got))
    assert not wrong, f"{address.key} {url}:\n{_mismatches(wrong)}"


@pytest.mark.parametrize("address", ADMIN_ADDRESSES, ids=str)
def test_every_admin_address_follows_the_admin_rule(world, address):
    url = admin_url(address, world)
    row = EXPECTED.get(address.key)
    wrong = []
    for method in ("GET", "POST"):
        build = row.data.get(method) if row else None
        for role in ADMIN_ROLES:
            expected = admin_expectation(address.key, method, role)
            response = send(world, role, method, url, build(world) if build else None)
            got = admin_outcome(response, role, address.key)
            # Past the editors-only gate, the view may take only GET or only POST.
            if expected in (OK, OK_OR_MODEL_403) and got == NOT_ACCEPTED and row is None:
                got = expected
            if expected == OK_OR_MODEL_403 and (got == OK or response.status_code == 403):
                got = expected
            if got != expected:
                wrong.append((role, method, expected, got))
    assert not wrong, f"{address.key} {url} ({ADMIN_RULE}):\n{_mismatches(wrong)}"
