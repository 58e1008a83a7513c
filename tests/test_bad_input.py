"""Bad input thrown at every form, JSON endpoint and upload, systematically.

What is refused and what is stored, decided with ``corpus.text.check_storable``: text
fields refuse only what a database cannot store as typed (NUL, lone surrogates); markup,
right-to-left overrides and zero-width characters are stored exactly as typed and shown
inert (escaped). Web addresses are stricter: http(s) only, and no control or invisible
characters, which could disguise where a link leads.

Every refusal is a 4xx with a message a person can read (JSON ``{"error", "fields"}`` from
the endpoints, a form error or error page otherwise), never a 500, and changes nothing
stored. The many cases already covered one by one in tests/claims and tests/corpus
(offsets and quotes for claims, bad files, bad JSON bodies) are not repeated here; this
module walks the endpoints' field lists with one table of bad values."""

import json
import logging
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from claims.models import Claim, ClaimLink, Evidence, Review, Topic
from claims.services import ERROR_URL_INVISIBLE
from corpus.forms import ERROR_ONE_FILE, ERROR_TOO_MANY_FILES
from corpus.models import Document, Source
from corpus.text import ERROR_UTF16
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
MARKUP = f"{SCRIPT} and {IMG}"
RLO_AND_ZERO_WIDTH = "Nikolayev \u202eevah\u202c con\u200bfessed"


def stored() -> tuple:
    return (
        sorted(Source.objects.values_list("pk", "name", "url")),
        sorted(Document.objects.values_list("pk", "title", "checksum")),
        sorted(Claim.objects.values_list("pk", "version", "statement")),
        sorted(Topic.objects.values_list("pk", "name")),
        sorted(ClaimLink.objects.values_list("pk", "version", "relation", "rationale")),
        sorted(Evidence.objects.values_list("pk", "version", "bearing", "url", "citation")),
        sorted(Review.objects.values_list("pk", "verdict", "note", "is_current")),
    )


def send_json(client, method: str, url: str, body) -> object:
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def quiet_request_log():
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # refusals and 500s are asserted on, not logged
    yield
    logger.setLevel(level)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Everything typed with markup in every text field, through the app's own forms and
    endpoints, once for the module (in a transaction rolled back at its end)."""
    with django_db_blocker.unblock(), transaction.atomic():
        annotator, reviewer = make_user("annotator"), make_user("reviewer")
        editor = make_user("editor")
        w = SimpleNamespace(annotator=annotator, reviewer=reviewer, editor=editor)
        w.clients = {user: signed_in(user) for user in (annotator, reviewer, editor)}
        client = w.clients[annotator]
        for number, text in enumerate([f"{MARKUP}\n\nThe trial began in 1936.", "Other text."]):
            response = client.post(reverse("corpus:upload"), {
                "file": SimpleUploadedFile(f"{IMG}{number}.txt", text.encode()),
                "title": MARKUP if number == 0 else "", "language": "en",
                "new_source_name": f"{MARKUP} {number}", "new_source_kind": "news",
                "new_source_author": MARKUP,
            })  # fmt: skip
            assert response.status_code == 302, response.content
        w.document, w.other_document = Document.objects.order_by("pk")
        claims = []
        for document, quote in [(w.document, "The trial began"), (w.other_document, "Other")]:
            start = document.text.index(quote)
            response = send_json(client, "POST", reverse("claims:api-document-claims",
                                                         args=[document.pk]),  # fmt: skip
                                 {"start": start, "end": start + len(quote), "quote": quote,
                                  "statement": MARKUP, "topics": [SCRIPT]})  # fmt: skip
            assert response.status_code == 201, response.content
            claims.append(Claim.objects.get(public_id=response.json()["claim"]["id"]))
        w.claim, w.other_claim = claims
        response = send_json(client, "POST", reverse("claims:api-claim-links",
                                                     args=[w.claim.public_id]),  # fmt: skip
                             {"other": str(w.other_claim.public_id), "relation": "contradicts",
                              "rationale": MARKUP})  # fmt: skip
        assert response.status_code == 201, response.content
        w.link = ClaimLink.objects.get()
        w.url = 'https://example.com/?q="><script>alert(1)</script>'
        for target, body in [
            ("claims:api-claim-evidence", {"kind": "citation", "citation": MARKUP}),
            ("claims:api-claim-evidence", {"kind": "quote", "quote": MARKUP, "citation": MARKUP}),
            ("claims:api-link-evidence", {"kind": "url", "url": w.url, "citation": MARKUP}),
        ]:
            obj = w.link if "link" in target else w.claim
            response = send_json(client, "POST", reverse(target, args=[obj.public_id]),
                                 body | {"bearing": "refutes"})  # fmt: skip
            assert response.status_code == 201, response.content
        w.evidence = Evidence.objects.order_by("pk").first()
        response = w.clients[reviewer].post(
            reverse("claims:link-review", args=[w.link.public_id]),
            {"verdict": "needs_evidence", "note": MARKUP},
        )
        assert response.status_code == 302, response.content
        w.review = Review.objects.get()
        w.topic = Topic.objects.get()
        yield w
        transaction.set_rollback(True)


def test_markup_is_stored_exactly_as_typed(world):
    assert world.document.title == MARKUP
    assert world.document.text.startswith(MARKUP)
    assert world.document.original_filename == f"{IMG}0.txt"
    assert set(Source.objects.values_list("author", flat=True)) == {MARKUP}
    assert Source.objects.filter(name=f"{MARKUP} 0").exists()
    assert set(Claim.objects.values_list("statement", flat=True)) == {MARKUP}
    assert world.topic.name == SCRIPT
    assert world.link.rationale == MARKUP
    assert set(Evidence.objects.values_list("citation", flat=True)) == {MARKUP}
    assert Evidence.objects.get(kind="url").url == world.url
    assert world.review.note == MARKUP


# Every page that shows typed text: (name, who looks, address).
PAGES = [
    ("document list", "annotator", lambda w: reverse("corpus:documents")),
    ("source list", "annotator", lambda w: reverse("corpus:sources")),
    ("document page", "annotator", lambda w: w.document.get_absolute_url()),
    ("claims list", "annotator", lambda w: reverse("claims:list")),
    ("claim pair page", "reviewer", lambda w: w.link.get_absolute_url()),
    ("review queue", "editor", lambda w: reverse("claims:review-queue")),
    (
        "admin source",
        "editor",
        lambda w: reverse("admin:corpus_source_change", args=[w.document.source_id]),
    ),  # fmt: skip
    (
        "admin document",
        "editor",
        lambda w: reverse("admin:corpus_document_change", args=[w.document.pk]),
    ),  # fmt: skip
    ("admin claim", "editor", lambda w: reverse("admin:claims_claim_change", args=[w.claim.pk])),
    ("admin claims", "editor", lambda w: reverse("admin:claims_claim_changelist")),
    (
        "admin link",
        "editor",
        lambda w: reverse("admin:claims_claimlink_change", args=[w.link.pk]),
    ),  # fmt: skip
    (
        "admin evidence",
        "editor",
        lambda w: reverse("admin:claims_evidence_change", args=[w.evidence.pk]),
    ),  # fmt: skip
    ("admin evidence list", "editor", lambda w: reverse("admin:claims_evidence_changelist")),
    (
        "admin review",
        "editor",
        lambda w: reverse("admin:claims_review_change", args=[w.review.pk]),
    ),  # fmt: skip
    ("admin topics", "editor", lambda w: reverse("admin:claims_topic_changelist")),
    (
        "admin claim history",
        "editor",
        lambda w: reverse("admin:claims_claim_history", args=[w.claim.pk]),
    ),  # fmt: skip
]
ESCAPED = (escape(SCRIPT), "\\u003Cscript\\u003Ealert(1)\\u003C/script\\u003E")


@pytest.mark.parametrize(("page", "who", "url"), PAGES, ids=[page[0] for page in PAGES])
def test_markup_is_shown_inert_on_every_page(world, page, who, url):
    response = world.clients[getattr(world, who)].get(url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html and IMG not in html
    assert any(escaped in html for escaped in ESCAPED), f"{page} does not show the text"


def test_a_web_address_with_markup_is_escaped_in_its_link(world):
    html = world.clients[world.reviewer].get(world.link.get_absolute_url()).content.decode()
    assert f'href="{escape(world.url)}"' in html


# --- Web addresses: evidence (JSON) and sources (admin) ------------------------------------

NOT_WEB_ADDRESSES = [
    "JAVASCRIPT:alert(1)", "\x01javascript:alert(1)", "\x1fjavascript:alert(1)",
    "\u00a0javascript:alert(1)", "java\nscript:alert(1)", "java\rscript:alert(1)",
    "jav&#x61;script:alert(1)", "&#106;avascript:alert(1)", "javascript&colon;alert(1)",
    "javascript:%61lert(1)", "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    " data:image/svg+xml,<svg onload=alert(1)>", "VBScript:msgbox(1)", "\tvbscript:msgbox(1)",
    "\u202ejavascript:alert(1)", "\u200bjavascript:alert(1)", "\ufeffjavascript:alert(1)",
    "https://example.com/\u202egpj.exe", "https://exa\u200bmple.com/", "https://example.com/\x01",
    "https://example.com/\x7f", "https://example.com/\u2066x", "http:\\\\evil.example",
]  # fmt: skip


@pytest.mark.parametrize("target", ["claims:api-claim-evidence", "claims:api-link-evidence"])
def test_evidence_addresses_other_than_plain_web_addresses_are_refused(world, target):
    obj = world.link if "link" in target else world.claim
    url = reverse(target, args=[obj.public_id])
    client = world.clients[world.annotator]
    before = stored()
    for address in NOT_WEB_ADDRESSES:
        response = send_json(client, "POST", url, {"kind": "url", "bearing": "supports",
                                                   "url": address})  # fmt: skip
        assert response.status_code == 400, (address, response.content)
        assert response.json()["fields"].keys() == {"url"}, address
        assert response.json()["error"], address
    assert stored() == before


def test_invisible_characters_in_a_web_address_are_named(world):
    url = reverse("claims:api-claim-evidence", args=[world.claim.public_id])
    response = send_json(world.clients[world.annotator], "POST", url, {
        "kind": "url", "bearing": "supports", "url": "https://example.com/\u202egpj.exe",
    })  # fmt: skip
    assert response.json() == {"error": ERROR_URL_INVISIBLE, "fields": {"url": [
        ERROR_URL_INVISIBLE]}}  # fmt: skip


SOURCE_ADDRESSES = [
    "javascript:alert(1)", " JavaScript:alert(1)", "\x01javascript:alert(1)",
    "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
    "&#106;avascript:alert(1)", "https://exa mple.com",
]  # fmt: skip


def test_source_addresses_that_are_not_web_addresses_are_refused_in_the_admin(world):
    client = world.clients[world.editor]
    url = reverse("admin:corpus_source_change", args=[world.document.source_id])
    before = stored()
    for address in SOURCE_ADDRESSES:
        response = client.post(url, {"name": "A source", "kind": "news", "url": address})
        assert response.status_code == 200, address  # the form again, with its error
        assert response.context["adminform"].form.errors.keys() == {"url"}, address
        assert "<script>alert(1)</script>" not in response.content.decode()
    assert stored() == before


# --- Every JSON endpoint × every field × one table of bad values --------------------------

BAD_VALUES = [
    pytest.param(None, id="null"), pytest.param(True, id="true"), pytest.param(False, id="false"),
    pytest.param("", id="empty"), pytest.param("   ", id="blank"), pytest.param(-1, id="negative"),
    pytest.param(1.5, id="float"), pytest.param(2**63, id="2**63"),
    pytest.param(-(2**63) - 1, id="-2**63-1"), pytest.param("12", id="number-as-text"),
    pytest.param([], id="empty-list"), pytest.param({"a": [1]}, id="object"),
    pytest.param(["x", None], id="list-with-null"), pytest.param("a\x00b", id="NUL"),
    pytest.param("\ud800", id="lone-surrogate"), pytest.param("x" * 100_000, id="100k"),
    pytest.param(SCRIPT, id="markup"), pytest.param("\u202e\u200b", id="rlo-zero-width"),
]  # fmt: skip


def endpoints(w) -> list[tuple[str, str, dict]]:
    """(method, address, a valid body) for every JSON endpoint that reads a body; the
    table's fields are each body's keys."""
    start = w.other_document.text.index("Other")
    return [
        ("POST", reverse("claims:api-document-claims", args=[w.other_document.pk]),
         {"start": start, "end": start + 5, "quote": "Other", "statement": "S.", "topics": []}),
        ("PATCH", reverse("claims:api-claim", args=[w.claim.public_id]),
         {"statement": "S.", "topics": ["t"], "version": w.claim.version}),
        ("DELETE", reverse("claims:api-claim", args=[w.claim.public_id]),
         {"version": w.claim.version, "confirm": True}),
        ("POST", reverse("claims:api-claim-links", args=[w.other_claim.public_id]),
         {"other": str(w.claim.public_id), "relation": "qualifies", "rationale": "R."}),
        ("PATCH", reverse("claims:api-link", args=[w.link.public_id]),
         {"relation": "qualifies", "rationale": "R.", "version": w.link.version}),
        ("DELETE", reverse("claims:api-link", args=[w.link.public_id]),
         {"version": w.link.version, "confirm": True}),
        ("POST", reverse("claims:api-claim-evidence", args=[w.claim.public_id]),
         {"kind": "passage", "bearing": "supports", "document": w.other_document.pk,
          "start": start, "end": start + 5, "quote": "Other"}),
        ("POST", reverse("claims:api-link-evidence", args=[w.link.public_id]),
         {"kind": "url", "bearing": "refutes", "url": "https://example.com/", "citation": "C."}),
        ("PATCH", reverse("claims:api-evidence", args=[w.evidence.public_id]),
         {"bearing": "refutes", "version": w.evidence.version}),
        ("DELETE", reverse("claims:api-evidence", args=[w.evidence.public_id]),
         {"version": w.evidence.version}),
    ]  # fmt: skip


def _no_unstorable_text() -> bool:
    texts = [*Claim.objects.values_list("statement", flat=True),
             *Topic.objects.values_list("name", flat=True),
             *ClaimLink.objects.values_list("rationale", flat=True),
             *Evidence.objects.values_list("citation", "url", "quote")]  # fmt: skip
    flat = [t for item in texts for t in (item if isinstance(item, tuple) else (item,))]
    return not any("\x00" in text or "\ud800" in text for text in flat)


@pytest.mark.parametrize("value", BAD_VALUES)
def test_every_field_of_every_endpoint_takes_a_bad_value_without_harm(world, value):
    """Each endpoint's valid body with one field replaced: refused with a JSON message and
    nothing changed, or (for values that are fine there) accepted and stored storably."""
    client = world.clients[world.annotator]
    wrong = []
    for method, url, body in endpoints(world):
        for field in body:
            before = stored()
            with transaction.atomic():
                response = send_json(client, method, url, body | {field: value})
                status = response.status_code
                if status >= 500 or response["Content-Type"] != "application/json":
                    wrong.append(f"{method} {url} {field}: {status} {response.content[:200]}")
                elif status >= 400:
                    data = response.json()
                    if not (isinstance(data.get("error"), str) and data["error"].strip()):
                        wrong.append(f"{method} {url} {field}: no message {data}")
                    if stored() != before:
                        wrong.append(f"{method} {url} {field}: refused but changed")
                elif not _no_unstorable_text():
                    wrong.append(f"{method} {url} {field}: stored NUL or a surrogate")
                transaction.set_rollback(True)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("field", ["statement", "topics"])
def test_right_to_left_and_zero_width_characters_are_stored_as_typed(world, field):
    client = world.clients[world.annotator]
    with transaction.atomic():
        value = [RLO_AND_ZERO_WIDTH] if field == "topics" else RLO_AND_ZERO_WIDTH
        response = send_json(
            client,
            "PATCH",
            reverse("claims:api-claim", args=[world.claim.public_id]),  # fmt: skip
            {"statement": "S.", "version": world.claim.version, field: value},
        )
        assert response.status_code == 200, response.content
        assert response.json()["claim"][field] == value
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("method", "name"),
    [("PATCH", "claims:api-claim"), ("DELETE", "claims:api-claim"),
     ("POST", "claims:api-claim-links"), ("POST", "claims:api-claim-evidence"),
     ("PATCH", "claims:api-evidence"), ("PATCH", "claims:api-link"),
     ("POST", "claims:api-link-evidence")],
)  # fmt: skip
def test_a_json_body_over_the_limit_is_refused_as_too_large(world, method, name):
    obj = {"api-claim": world.claim, "api-evidence": world.evidence}.get(
        name.split(":")[1].removesuffix("-links").removesuffix("-evidence")
        if name != "claims:api-evidence" else "api-evidence", world.claim
    )  # fmt: skip
    if "link" in name and "claim-links" not in name:
        obj = world.link
    body = {"statement": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "version": 1}
    before = stored()
    response = send_json(world.clients[world.annotator], method,
                         reverse(name, args=[obj.public_id]), body)  # fmt: skip
    assert response.status_code == 413
    assert response.json() == {"error": "The request is too large.", "fields": {}}
    assert stored() == before


# --- Uploads ----------------------------------------------------------------------------------


def upload(w, files, **fields):
    data = {"language": "en", "new_source_kind": "news", "source": w.document.source_id}
    return w.clients[w.annotator].post(reverse("corpus:upload"), data | fields | {"file": files})


def test_utf16_files_are_refused_with_their_encoding_named(world):
    before = stored()
    for content in ["A text".encode("utf-16"), "A text".encode("utf-16-be")]:
        response = upload(world, SimpleUploadedFile("utf16.txt", content))
        assert response.status_code == 200
        message = ERROR_UTF16 if content.startswith(b"\xff\xfe") else "looks binary"
        assert message in response.content.decode()
    assert stored() == before


def test_several_files_in_one_upload_are_refused_and_none_is_stored(world):
    before = stored()
    files = [SimpleUploadedFile(f"f{n}.txt", f"File number {n}.".encode()) for n in range(3)]
    response = upload(world, files)
    assert response.status_code == 200
    assert escape(ERROR_ONE_FILE.format(count=3)) in response.content.decode()
    assert stored() == before


def test_more_files_than_django_takes_get_the_form_and_a_message_not_a_server_error(world):
    before = stored()
    files = [SimpleUploadedFile(f"f{n}.txt", b"x") for n in range(101)]
    response = upload(world, files)
    assert response.status_code == 400
    content = response.content.decode()
    assert escape(ERROR_TOO_MANY_FILES.format(limit=100)) in content
    assert 'type="file"' in content
    assert stored() == before


@pytest.mark.parametrize(
    ("name", "kept"),
    [("../../x.txt", "x.txt"), ("..\\..\\windows.txt", "windows.txt"),
     ("/etc/passwd.txt", "passwd.txt"), ("a" * 296 + ".txt", "a" * 251 + ".txt"),
     (f"{IMG}.txt", f"{IMG}.txt"), ("\u202etxt.exe.txt", "txt.exe.txt")],
)  # fmt: skip
def test_a_path_like_or_long_file_name_is_stored_as_its_last_part(world, name, kept):
    with transaction.atomic():
        response = upload(world, SimpleUploadedFile(name, f"Text of {name[:20]}".encode()))
        assert response.status_code == 302
        assert Document.objects.order_by("-pk").first().original_filename == kept
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"title": "a\x00b"}, "Null characters are not allowed."),
     ({"title": "t" * 301}, "at most 300 characters"),
     ({"source": "", "new_source_name": "a\x00b"}, "Null characters are not allowed."),
     ({"source": "", "new_source_name": "n", "new_source_date": SCRIPT},
      "A year (1934)"),
     ({"source": "99999999999999999999"}, "Select a valid choice"),
     ({"source": "1e999"}, "Select a valid choice"),
     ({"language": SCRIPT}, "Select a valid choice")],
)  # fmt: skip
def test_bad_form_fields_are_refused_with_a_message(world, fields, message):
    before = stored()
    response = upload(world, SimpleUploadedFile("ok.txt", b"A fine text."), **fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert SCRIPT not in html
    assert stored() == before


def test_a_file_name_with_markup_is_escaped_in_the_refusal(world):
    response = upload(world, SimpleUploadedFile(f"{IMG}.exe", b"MZ"))
    html = response.content.decode()
    assert response.status_code == 200
    assert IMG not in html and escape(IMG) in html


def test_a_ten_megabyte_form_field_is_a_bad_request(world):
    before = stored()
    response = upload(world, SimpleUploadedFile("ok.txt", b"Fine."), title="t" * 10_000_000)
    assert response.status_code == 400
    assert stored() == before


# --- The review form --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [{}, {"verdict": ""}, {"verdict": "CONFIRMED"}, {"verdict": "a\x00b"},
     {"verdict": SCRIPT}, {"verdict": "confirmed", "note": "a\x00b"},
     {"verdict": "confirmed", "note": "n" * 4001}],
)  # fmt: skip
def test_a_bad_verdict_or_note_is_refused_with_a_message(world, fields):
    client = world.clients[world.editor]
    url = reverse("claims:link-review", args=[world.link.public_id])
    before = stored()
    response = client.post(url, fields, follow=True)
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert len(messages) == 1 and messages[0], messages
    assert SCRIPT not in response.content.decode()
    assert stored() == before


def test_a_ten_megabyte_note_is_a_bad_request(world):
    before = stored()
    response = world.clients[world.editor].post(
        reverse("claims:link-review", args=[world.link.public_id]),
        {"verdict": "confirmed", "note": "n" * 10_000_000},
    )
    assert response.status_code == 400
    assert stored() == before


# --- Lists, filters, typeahead and export: bad query values never a 500 --------------------

BAD_QUERIES = [
    {"page": "abc"}, {"page": str(2**63)}, {"page": "-1"}, {"annotator": "abc"},
    {"source": "99999999999999999999999"}, {"document": "1e999"}, {"topic": "\x00"},
    {"q": "\x00" * 5}, {"q": SCRIPT}, {"q": "%_\\"}, {"state": "\x00"}, {"relation": SCRIPT},
    {"proposed_after": "2020-13-45", "proposed_before": "\x00"}, {"kind": "\U0001f600"},
    {"exclude_document": "1e999"}, {"q": "w " * 500},
]  # fmt: skip
QUERY_PAGES = [
    reverse("corpus:documents"), reverse("corpus:sources"), reverse("claims:list"),
    reverse("claims:review-queue"), reverse("claims:api-claim-search"),
    reverse("claims:export-download") + "?dataset=claims",
    reverse("claims:export-download") + "?dataset=pairs",
    reverse("claims:export-download") + "?dataset=evidence",
]  # fmt: skip


@pytest.mark.parametrize("url", QUERY_PAGES)
def test_bad_query_values_get_a_page_or_a_4xx_never_a_500(world, url):
    client = world.clients[world.editor]
    for query in [*BAD_QUERIES, "kind=%ED%A0%80&q=%FF%FE"]:  # and bytes that are not UTF-8
        query = query if isinstance(query, str) else urlencode(query)
        response = client.get(f"{url}{'&' if '?' in url else '?'}{query}")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 or 400 <= response.status_code < 500, (
            query, response.status_code,
        )  # fmt: skip
        if response["Content-Type"].startswith("text/html"):  # JSON and CSV are not HTML
            assert SCRIPT.encode() not in body, query


def test_a_typeahead_word_longer_than_sqlite_matches_is_cut_not_a_server_error(world):
    response = world.clients[world.annotator].get(
        reverse("claims:api-claim-search"), {"q": "x" * 60_000}
    )
    assert response.status_code == 200
    assert response.json() == {"results": []}


# A 60,000-character word would reach SQLite's LIKE, which refuses patterns over 50,000
# bytes, and 1,000 words would exceed its expression depth: the ``q`` filters take at most
# SEARCH_MAX_LENGTH characters and search the first SEARCH_MAX_WORDS words.
@pytest.mark.parametrize("url", QUERY_PAGES[:3] + QUERY_PAGES[5:6])
def test_a_filter_word_longer_than_sqlite_matches_is_not_a_server_error(world, url):
    response = world.clients[world.editor].get(f"{url}{'&' if '?' in url else '?'}q={'x' * 60_000}")
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code in (200, 400)


def test_a_thousand_words_in_the_claims_list_search_are_not_a_server_error(world):
    response = world.clients[world.editor].get(reverse("claims:list"), {"q": "w " * 1000})
    assert response.status_code in (200, 400)
