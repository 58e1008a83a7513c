"""The export as W3C Web Annotations: every shape it serves (annotations, the containers
as AnnotationCollections, their pages, the file) checked against the Data Model's and the
Protocol's normative requirements (tests/interchange/w3c_rules.py), what each annotation
says of its claim, link or evidence, and that every IRI it mints resolves in the app."""

import json
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from claims.services import claim_date_set, claim_update, link_create
from interchange import w3c
from interchange.context import MOTIVATIONS, crosscheck_context
from interchange.views import ERROR_IRIS, ERROR_NOT_ACCEPTABLE, ERROR_PAGE
from jobs import storage
from jobs.models import Job, JobState
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_source,
    make_user,
)
from tests.interchange import w3c_rules

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
CONTAINER = "/annotations/"
ANNO_ACCEPT = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'
EXTRA = set(MOTIVATIONS)
# Text with a character outside the Basic Multilingual Plane before the quote: one code
# point, two UTF-16 code units. The exported offsets count code points, as stored.
TEXT = "Kirov 🕯 was shot on 1 December 1934.\n\nNikolayev and thirteen others were tried."


@pytest.fixture
def corpus():
    author = make_user("annotator", first_name="Ada", last_name="Lovelace")
    source = make_source(name="Pravda", url="https://pravda.example/")
    plain = make_source(name="A pamphlet")
    documents = [
        make_document(TEXT, source=source, user=author),
        make_document("The group of 13 was shot.\n\nIt was 1934.", source=plain, user=author),
        make_document("Fifteen were found guilty.\n\nExecuted at once.", source=plain),
    ]
    claims = [
        make_claim(documents[0], user=author, quote="was shot on 1 December 1934",
                   statement="Kirov was shot on 1 December 1934.", topics=["Kirov", "Dates"]),
        make_claim(documents[1], user=author, quote="The group of 13 was shot",
                   statement="Thirteen were shot."),
        make_claim(documents[2], user=author, quote="Fifteen were found guilty",
                   statement="Fifteen were found guilty."),
    ]  # fmt: skip
    claim_date_set(
        claim=claims[0], date={"year": 1934, "month": 12, "day": 1}, version=1, user=author
    )
    claims[0].refresh_from_db()
    links = [
        make_link(claims[1], claims[2], user=author, relation="contradicts"),
        link_create(claim=claims[0], other=claims[1], relation="qualifies",
                    rationale="One is narrower.", qualifier=claims[1].public_id, user=author),
    ]  # fmt: skip
    start = documents[1].text.index("It was 1934")
    evidence = [
        make_evidence(claims[0], user=author, kind="citation"),
        make_evidence(claims[0], user=author, kind="url", citation="A report", bearing="refutes"),
        make_evidence(claims[1], user=author, kind="quote", citation="A memoir"),
        make_evidence(link=links[0], user=author, kind="passage", document=documents[1],
                      start=start, end=start + 11, quote="It was 1934"),
    ]  # fmt: skip
    return {"documents": documents, "claims": claims, "links": links, "evidence": evidence}


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of three annotations, so that the fixture's nine span three pages."""
    monkeypatch.setattr(w3c, "PAGE_SIZE", 3)


def _get(client, url, **headers):
    response = client.get(url, headers={"Accept": ANNO_ACCEPT} | headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, (json.loads(body) if response.status_code == 200 else body.decode())


def _walk_pages(client, container):
    """The container's pages, first to last, following next."""
    response, collection = _get(client, container, Prefer=_prefer("PreferMinimalContainer"))
    pages, url = [], collection.get("first")
    while url:
        response, page = _get(client, url)
        assert response.status_code == 200
        assert w3c_rules.response_problems(response) == []
        pages.append(page)
        url = page.get("next")
    return collection, pages


def _prefer(kind: str) -> str:
    return f'return=representation;include="http://www.w3.org/ns/ldp#{kind}"'


# --- the validator finds what is wrong ---------------------------------------------------


def test_the_rules_catch_a_broken_annotation():
    broken = {
        "@context": ["http://example.org/other.jsonld"],
        "id": "not an iri",
        "type": "Note",
        "motivation": "liking",
        "created": "1 December 1934",
        "body": {"type": "TextualBody"},
        "target": {
            "type": "SpecificResource",
            "selector": [
                {"type": "TextPositionSelector", "start": -1, "end": "9"},
                {"type": "TextQuoteSelector"},
            ],
        },
    }
    problems = "\n".join(w3c_rules.annotation_problems(broken))
    for section in (
        "§3.1 @context: MUST include http://www.w3.org/ns/anno.jsonld",
        "id: MUST have exactly 1 IRI",
        "type: MUST include Annotation",
        "'liking' is not a Motivation",
        "created: MUST be an xsd:dateTime",
        "value: MUST have exactly 1 character sequence",
        "source: MUST have exactly 1 IRI",
        "start: MUST be exactly 1 non-negative integer",
        "end: MUST be exactly 1 non-negative integer",
        "exact: MUST have exactly 1 string",
    ):
        assert section in problems
    assert "target: MUST have 1 or more" in "\n".join(
        w3c_rules.annotation_problems(
            {"@context": w3c_rules.ANNO, "id": "x:y", "type": "Annotation"}
        )
    )


def test_the_rules_catch_a_broken_collection_and_page():
    collection = {"@context": w3c_rules.ANNO, "id": "http://x.org/c",
                  "type": "AnnotationCollection", "label": "C", "total": 4}  # fmt: skip
    assert "§5.1 AnnotationCollection http://x.org/c.first: MUST have exactly 1 page" in (
        w3c_rules.collection_problems(collection)
    )
    page = {"id": "http://x.org/p", "type": "AnnotationPage", "items": []}
    problems = "\n".join(w3c_rules.page_problems(page, has_prev=True, has_next=True))
    assert "items: MUST have an ordered list of 1 or more" in problems
    assert "next: MUST have exactly 1" in problems and "prev: MUST have exactly 1" in problems
    assert "partOf" in problems and "@context: MUST have 1 or more values" in problems


# --- the shapes --------------------------------------------------------------------------


def test_a_claim_is_an_annotation_on_its_document(annotator_client, corpus):
    claim, document = corpus["claims"][0], corpus["documents"][0]
    response, annotation = _get(annotator_client, f"/annotations/claims/{claim.public_id}")
    assert response.status_code == 200
    assert w3c_rules.annotation_problems(annotation, extra_motivations=EXTRA) == []
    assert w3c_rules.response_problems(response) == []
    assert annotation["@context"] == [w3c_rules.ANNO, f"{BASE}/ns/crosscheck.jsonld"]
    assert annotation["id"] == f"{BASE}/annotations/claims/{claim.public_id}"
    assert annotation["motivation"] == "describing"
    statement, *topics = annotation["body"]
    assert statement == {"type": "TextualBody", "value": claim.statement,
                         "format": "text/plain", "purpose": "describing"}  # fmt: skip
    assert sorted(t["value"] for t in topics) == ["Dates", "Kirov"]
    assert {t["purpose"] for t in topics} == {"tagging"}
    target = annotation["target"]
    assert target["source"] == {
        "id": f"{BASE}/corpus/documents/{document.pk}/",
        "type": "Text",
        "format": "text/plain",
        "language": "en",
        "canonical": f"urn:sha256:{document.checksum}",
        "via": "https://pravda.example/",
    }
    quote, position = target["selector"]
    assert quote == {"type": "TextQuoteSelector", "exact": claim.quote,
                     "prefix": claim.prefix, "suffix": claim.suffix}  # fmt: skip
    # Code points: the candle before the quote counts one (two UTF-16 code units).
    assert position == {"type": "TextPositionSelector", "start": claim.start, "end": claim.end}
    assert document.text[position["start"] : position["end"]] == quote["exact"]
    assert position["start"] == 8 and len("Kirov 🕯 ".encode("utf-16-le")) // 2 == 9
    assert annotation["creator"] == {"type": "Person", "name": "Ada Lovelace",
                                     "nickname": claim.created_by.username}  # fmt: skip
    assert annotation["created"].endswith("Z") and annotation["modified"].endswith("Z")
    assert (annotation["eventDate"], annotation["eventDateApproximate"]) == ("1934-12-01", False)


def test_a_claim_without_changes_topics_or_source_url_leaves_them_out(annotator_client, corpus):
    claim = corpus["claims"][1]
    _, annotation = _get(annotator_client, f"/annotations/claims/{claim.public_id}")
    assert w3c_rules.annotation_problems(annotation, extra_motivations=EXTRA) == []
    assert len(annotation["body"]) == 1 and "modified" not in annotation
    assert "via" not in annotation["target"]["source"] and "eventDate" not in annotation


def test_a_link_is_a_linking_annotation_on_its_two_claims(annotator_client, corpus):
    qualifies = corpus["links"][1]
    left, right = qualifies.left, qualifies.right
    response, annotation = _get(annotator_client, f"/annotations/links/{qualifies.public_id}")
    assert w3c_rules.annotation_problems(annotation, extra_motivations=EXTRA) == []
    assert w3c_rules.response_problems(response) == []
    assert annotation["motivation"] == "linking"
    iris = [f"{BASE}/annotations/claims/{c.public_id}" for c in (left, right)]
    assert annotation["target"] == iris
    relation, rationale = annotation["body"]
    assert relation == {
        "type": "TextualBody", "value": "qualifies", "format": "text/plain",
        "purpose": "classifying", "relation": "qualifies", "direction": "right_qualifies_left",
        "qualifier": iris[1], "qualified": iris[0],
    }  # fmt: skip
    assert rationale["value"] == "One is narrower." and rationale["purpose"] == "describing"
    assert annotation["reviewState"] == "pending"

    contradicts = corpus["links"][0]
    _, annotation = _get(annotator_client, f"/annotations/links/{contradicts.public_id}")
    relation = annotation["body"][0]
    assert (relation["relation"], relation["direction"]) == ("contradicts", "none")
    assert "qualifier" not in relation


@pytest.mark.parametrize(
    ("index", "motivation", "body"),
    [
        (0, "supporting", {"type": "TextualBody", "format": "text/plain",
                           "value": "A. Author, A Book, 1999, p. 1."}),
        (1, "refuting", {"id": "https://example.com/report", "citation": "A report"}),
        (2, "supporting", {"type": "TextualBody", "format": "text/plain",
                           "value": "A quoted passage.", "citation": "A memoir"}),
    ],
)  # fmt: skip
def test_evidence_is_an_assessing_annotation_on_its_claim(
    annotator_client, corpus, index, motivation, body
):
    evidence = corpus["evidence"][index]
    response, annotation = _get(annotator_client, f"/annotations/evidence/{evidence.public_id}")
    assert w3c_rules.annotation_problems(annotation, extra_motivations=EXTRA) == []
    assert annotation["motivation"] == ["assessing", motivation]
    assert annotation["body"] == body
    assert annotation["target"] == f"{BASE}/annotations/claims/{evidence.claim.public_id}"
    assert annotation["bearing"] == evidence.bearing
    assert annotation["evidenceKind"] == evidence.kind


def test_a_passage_as_evidence_is_anchored_like_a_claim(annotator_client, corpus):
    evidence, link = corpus["evidence"][3], corpus["links"][0]
    _, annotation = _get(annotator_client, f"/annotations/evidence/{evidence.public_id}")
    assert w3c_rules.annotation_problems(annotation, extra_motivations=EXTRA) == []
    assert annotation["target"] == f"{BASE}/annotations/links/{link.public_id}"
    body = annotation["body"]
    assert body["type"] == "SpecificResource"
    assert body["source"]["id"] == f"{BASE}/corpus/documents/{evidence.document_id}/"
    quote, position = body["selector"]
    assert quote["exact"] == "It was 1934" and quote["prefix"] == evidence.prefix
    assert (position["start"], position["end"]) == (evidence.start, evidence.end)


def test_the_crosscheck_context_defines_every_other_term_and_redefines_none(client, corpus):
    response = client.get("/ns/crosscheck.jsonld")  # public: JSON-LD processors fetch it
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    terms = response.json()["@context"]
    assert terms == crosscheck_context(BASE)["@context"]
    w3c_terms = {
        "@context", "id", "type", "body", "target", "motivation", "purpose", "value", "format",
        "language", "source", "selector", "exact", "prefix", "suffix", "start", "end",
        "creator", "name", "nickname", "created", "modified", "canonical", "via",
    }  # fmt: skip
    assert not w3c_terms & set(terms)
    used = set()
    for item in w3c.all_items(w3c.corpus_scope(), w3c.Iris(BASE)):
        stack = [item]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                used |= set(value)
                stack += value.values()
            elif isinstance(value, list):
                stack += value
    assert used - w3c_terms == {
        "eventDate", "eventDateApproximate", "relation", "direction", "qualifier", "qualified",
        "reviewState", "bearing", "evidenceKind", "citation",
    }  # fmt: skip
    assert used - w3c_terms <= set(terms)
    vocabulary = client.get("/ns/crosscheck").json()
    described = {entry["@id"] for entry in vocabulary["@graph"]}
    assert {terms["cc"] + term for term in (used - w3c_terms) | EXTRA} <= described


# --- the containers and their pages ------------------------------------------------------


def test_the_corpus_container_and_every_page_conform(annotator_client, corpus, small_pages):
    response, container = _get(annotator_client, CONTAINER)
    assert response.status_code == 200
    assert w3c_rules.response_problems(response, container=True) == []
    assert w3c_rules.collection_problems(container, container=True, extra_motivations=EXTRA) == []
    assert container["type"] == ["BasicContainer", "AnnotationCollection"]
    assert container["total"] == 9 and container["last"] == f"{BASE}{CONTAINER}?page=2"
    assert container["first"]["id"] == f"{BASE}{CONTAINER}?page=0"

    collection, pages = _walk_pages(annotator_client, CONTAINER)
    assert len(pages) == 3 and pages[-1]["id"] == container["last"]
    for number, page in enumerate(pages):
        assert w3c_rules.page_problems(
            page, has_prev=number > 0, has_next=number < 2, extra_motivations=EXTRA
        ) == []  # fmt: skip
        assert page["startIndex"] == 3 * number
        assert page["partOf"]["id"] == f"{BASE}{CONTAINER}" and page["partOf"]["total"] == 9
    assert pages[0]["items"] == container["first"]["items"]
    ids = [item["id"] for page in pages for item in page["items"]]
    expected = [f"{BASE}/annotations/claims/{c.public_id}" for c in corpus["claims"]]
    expected += [f"{BASE}/annotations/links/{link.public_id}" for link in corpus["links"]]
    expected += [f"{BASE}/annotations/evidence/{e.public_id}" for e in corpus["evidence"]]
    assert ids == expected


def test_a_document_container_holds_what_bears_on_the_document(annotator_client, corpus):
    document, claims = corpus["documents"][1], corpus["claims"]
    url = f"/documents/{document.pk}/annotations/"
    response, container = _get(annotator_client, url)
    assert w3c_rules.response_problems(response, container=True) == []
    assert w3c_rules.collection_problems(container, container=True, extra_motivations=EXTRA) == []
    assert container["id"] == f"{BASE}{url}"
    ids = {item["id"].rsplit("/", 1)[1] for item in container["first"]["items"]}
    # Its claim, both links it is in, and the evidence on its claim and on the first link.
    assert ids == {
        str(claims[1].public_id), *(str(link.public_id) for link in corpus["links"]),
        str(corpus["evidence"][2].public_id), str(corpus["evidence"][3].public_id),
    }  # fmt: skip
    missing = annotator_client.get("/documents/999999/annotations/")
    assert missing.status_code == 404


def test_the_prefer_header_chooses_the_container_representation(
    annotator_client, corpus, small_pages
):
    response, minimal = _get(annotator_client, CONTAINER, Prefer=_prefer("PreferMinimalContainer"))
    assert response["Preference-Applied"] == "return=representation"
    assert minimal["first"] == f"{BASE}{CONTAINER}?page=0"
    assert w3c_rules.collection_problems(minimal, container=True) == []

    response, with_iris = _get(annotator_client, CONTAINER, Prefer=_prefer("PreferContainedIRIs"))
    assert response["Preference-Applied"] == "return=representation"
    first = with_iris["first"]
    assert first["id"] == f"{BASE}{CONTAINER}?iris=1&page=0"
    assert first["next"] == f"{BASE}{CONTAINER}?iris=1&page=1"
    assert first["items"] == [f"{BASE}/annotations/claims/{c.public_id}" for c in corpus["claims"]]
    assert w3c_rules.collection_problems(with_iris, container=True) == []
    _, page = _get(annotator_client, first["next"])
    assert w3c_rules.page_problems(page, iris_only=True, has_prev=True, has_next=True) == []
    assert page["prev"] == first["id"]

    response, described = _get(
        annotator_client, CONTAINER, Prefer=_prefer("PreferContainedDescriptions")
    )
    assert response["Preference-Applied"] == "return=representation"
    assert described["first"]["items"][0]["type"] == "Annotation"
    assert response["ETag"] not in {minimal.get("ETag"), None}
    plain, _ = _get(annotator_client, CONTAINER)
    assert "Preference-Applied" not in plain


def test_an_empty_container_has_no_pages(annotator_client):
    response, container = _get(annotator_client, CONTAINER)
    assert container["total"] == 0 and "first" not in container and "last" not in container
    assert w3c_rules.collection_problems(container, container=True) == []
    assert annotator_client.get(f"{CONTAINER}?page=0").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [("page=x", ERROR_PAGE.format(last=2)), ("page=3", ERROR_PAGE.format(last=2)),
     ("page=-1", ERROR_PAGE.format(last=2)), ("page=0&iris=2", ERROR_IRIS)],
)  # fmt: skip
def test_a_bad_page_is_refused_with_a_message(
    annotator_client, corpus, small_pages, query, message
):
    response = annotator_client.get(f"{CONTAINER}?{query}")
    assert response.status_code == 400 and response.content.decode() == message


# --- the protocol's HTTP ---------------------------------------------------------------


def test_content_negotiation(annotator_client, corpus):
    url = f"/annotations/claims/{corpus['claims'][0].public_id}"
    response = annotator_client.get(url, headers={"Accept": "text/html"})
    assert response.status_code == 406 and response.content.decode() == ERROR_NOT_ACCEPTABLE
    other_profile = 'application/ld+json; profile="http://www.w3.org/ns/activitystreams"'
    assert annotator_client.get(url, headers={"Accept": other_profile}).status_code == 406
    as_json = annotator_client.get(url, headers={"Accept": "application/json"})
    assert as_json["Content-Type"] == "application/json"
    for accept in ("", "*/*", "application/ld+json", "text/html, application/ld+json;q=0.9"):
        response = annotator_client.get(url, headers={"Accept": accept} if accept else {})
        assert response["Content-Type"] == ANNO_ACCEPT, accept


def test_head_options_and_the_etag(annotator_client, corpus):
    claim = corpus["claims"][1]
    url = f"/annotations/claims/{claim.public_id}"
    response, _ = _get(annotator_client, url)
    etag = response["ETag"]
    for method in (annotator_client.head, annotator_client.options):
        answer = method(url, headers={"Accept": ANNO_ACCEPT})
        assert answer.status_code == 200 and answer.content == b""
        assert answer["ETag"] == etag and w3c_rules.response_problems(answer) == []
    assert annotator_client.get(url, headers={"If-None-Match": etag}).status_code == 304
    container, _ = _get(annotator_client, CONTAINER)
    assert (
        annotator_client.get(CONTAINER, headers={"If-None-Match": container["ETag"]}).status_code
        == 304
    )

    claim_update(claim=claim, statement="Thirteen, it says, were shot.", topics=[],
                 version=claim.version, user=claim.created_by)  # fmt: skip
    changed, annotation = _get(annotator_client, url, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert annotation["body"][0]["value"] == "Thirteen, it says, were shot."
    assert _get(annotator_client, CONTAINER)[0]["ETag"] != container["ETag"]
    assert annotator_client.post(url).status_code == 405
    assert (
        annotator_client.get("/annotations/claims/00000000-0000-0000-0000-000000000000").status_code
        == 404
    )


def test_every_iri_resolves_in_the_app(annotator_client, corpus, small_pages):
    """Each IRI on this site that the containers, pages and annotations name answers 200;
    the others are the documents' checksums and the sources' own addresses."""
    seen, elsewhere = set(), set()
    _, container = _get(annotator_client, CONTAINER)
    _, pages = _walk_pages(annotator_client, CONTAINER)
    stack: list = [container, *pages]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack += value.values()
        elif isinstance(value, list):
            stack += value
        elif isinstance(value, str) and w3c_rules.is_iri(value) and ":" in value[:8]:
            (seen if value.startswith(BASE) else elsewhere).add(value)
    for iri in seen:
        parts = urlsplit(iri)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        assert annotator_client.get(path, headers={"Accept": ANNO_ACCEPT}).status_code == 200, iri
    checksums = {f"urn:sha256:{document.checksum}" for document in corpus["documents"]}
    assert elsewhere - {w3c_rules.ANNO, w3c_rules.LDP_CONTEXT} == checksums | {
        "https://pravda.example/", "https://example.com/report",
    }  # fmt: skip
    assert len([iri for iri in seen if "/annotations/" in iri]) >= 9


def test_pages_take_the_same_queries_whatever_the_size(annotator_client, corpus):
    """A page's queries do not grow with its annotations (counted against the fixture,
    then with 40 more claims and their topics on the page)."""
    with CaptureQueriesContext(connection) as small:
        _get(annotator_client, f"{CONTAINER}?page=0")
    document = corpus["documents"][0]
    words = document.text.split()
    for index in range(40):  # each by another annotator: a word may come round again
        start = document.text.index(words[index % len(words)])
        make_claim(document, user=make_user("annotator"), start=start,
                   end=start + len(words[index % len(words)]), topics=[f"T{index}"])  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        _, page = _get(annotator_client, f"{CONTAINER}?page=0")
    assert len(page["items"]) == min(w3c.PAGE_SIZE, 49)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- the file: download, prepared job, command -------------------------------------------


def test_the_file_is_one_collection_of_every_annotation(annotator_client, corpus, tmp_path):
    response = annotator_client.get("/annotations/download/")
    assert response.streaming and response["Content-Type"].startswith("application/ld+json")
    assert response["Content-Disposition"].startswith(
        'attachment; filename="crosscheck-annotations-'
    )
    downloaded = b"".join(response.streaming_content)
    collection = json.loads(downloaded)
    assert w3c_rules.collection_problems(collection, extra_motivations=EXTRA) == []
    assert collection["total"] == 9 == len(collection["first"]["items"])
    assert collection["last"] == collection["first"]["id"] == f"{BASE}/annotations/download/#page-0"
    _, container = _get(annotator_client, CONTAINER)
    assert collection["first"]["items"] == container["first"]["items"]

    path = tmp_path / "annotations.jsonld"
    call_command("export_annotations", "--format", "jsonld", "--base-url", BASE,
                 "--output", str(path))  # fmt: skip
    assert path.read_bytes() == downloaded


def test_an_empty_corpus_is_a_collection_without_pages(annotator_client):
    collection = json.loads(
        b"".join(annotator_client.get("/annotations/download/").streaming_content)
    )
    assert collection["total"] == 0 and "first" not in collection
    assert w3c_rules.collection_problems(collection) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "claims"], "--format jsonld writes the whole corpus"),
        (["--source", "1"], "--format jsonld writes the whole corpus"),
        (["--base-url", "javascript:alert(1)"], "--base-url must be a site's address"),
    ],
)
def test_the_command_refuses_what_the_file_cannot_do(tmp_path, args, message):
    path = tmp_path / "x.jsonld"
    with pytest.raises(CommandError, match=message):
        call_command("export_annotations", "--format", "jsonld", *args, "--output", str(path))
    assert not path.exists()
    with pytest.raises(CommandError, match="--dataset is required for CSV"):
        call_command("export_annotations", "--output", str(path))


@pytest.fixture
def immediate_jobs(settings, tmp_path):
    """Jobs run at once, once their row is committed; their files in a folder of the test."""
    settings.CROSSCHECK_JOB_FILES_DIR = tmp_path / "job-files"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.mark.usefixtures("immediate_jobs")
def test_the_export_page_offers_the_file_and_prepares_it(
    annotator_client, corpus, django_capture_on_commit_callbacks
):
    page = annotator_client.get(reverse("claims:export")).content.decode()
    assert 'href="/annotations/download/"' in page and "W3C Web Annotations (JSON-LD)" in page
    assert 'action="/annotations/prepare/"' in page
    downloaded = b"".join(annotator_client.get("/annotations/download/").streaming_content)
    with django_capture_on_commit_callbacks(execute=True):
        response = annotator_client.post("/annotations/prepare/")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('claims:export')}?job={job.public_id}"
    assert job.state == JobState.DONE, job.error
    assert (job.progress_done, job.progress_total, job.summary) == (9, 9, "9 annotations.")
    assert storage.full_path(job.result_path).read_bytes() == downloaded
    assert annotator_client.get("/annotations/prepare/").status_code == 405
