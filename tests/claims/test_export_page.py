"""The Export page (/export/) and its download (/export/download/): three labelled forms,
the streamed CSV with its headers and optional byte-order mark, every filter of every
dataset, refusals (bad filters, unknown datasets, anonymous visitors, POST), and access
for every signed-in role."""

import csv
import io
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from claims.models import ClaimLink, Topic
from tests.factories import (
    make_claim,
    make_document,
    make_evidence,
    make_link,
    make_review,
    make_source,
    make_user,
)

pytestmark = pytest.mark.django_db

PAGE_URL = "/export/"
DOWNLOAD_URL = "/export/download/"
BOM = b"\xef\xbb\xbf"
ID_COLUMN = {"claims": "claim_id", "pairs": "pair_id", "evidence": "evidence_id"}


class FormParser(HTMLParser):
    """The page's forms (their attributes, controls and labels) and every id on it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.ids: list[str] = []
        self.label_for: list[str] = []
        self._label: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "form":
            self.forms.append({"attrs": attrs, "controls": [], "labels": {}})
        elif tag in {"input", "select", "textarea"} and self.forms:
            self.forms[-1]["controls"].append(attrs)
        elif tag == "label":
            self._label = {"for": attrs.get("for"), "text": ""}

    def handle_data(self, data):
        if self._label is not None:
            self._label["text"] += data

    def handle_endtag(self, tag):
        if tag == "label" and self._label is not None:
            self.label_for.append(self._label["for"])
            if self.forms:
                self.forms[-1]["labels"][self._label["for"]] = self._label["text"].strip()
            self._label = None


def parse_page(html: str) -> FormParser:
    parser = FormParser()
    parser.feed(html)
    return parser


@pytest.fixture
def corpus():
    """Three sources with one document and claim each; three pairs proposed on three days,
    one confirmed; four evidence items of different kinds, bearings and targets."""
    ann = make_user("annotator", username="ann")
    ben = make_user("annotator", username="ben")
    rev = make_user("reviewer", username="rev")
    news, book, blog = (
        make_source(name=name, kind=kind)
        for name, kind in (("News One", "news"), ("Book Two", "book"), ("Blog Three", "blog"))
    )
    d1 = make_document("Taxes fell sharply last year.", source=news)
    d2 = make_document("Two new hospitals opened.", source=book)
    d3 = make_document("The court ruled on the budget.", source=blog)
    a = make_claim(d1, user=ann, quote="Taxes fell", statement="Taxes fell.", topics=["economy"])
    b = make_claim(d2, user=ben, quote="hospitals", statement="Hospitals opened.",
                   topics=["health"])  # fmt: skip
    c = make_claim(d3, user=ann, quote="court ruled", statement="A ruling.",
                   topics=["economy", "law"])  # fmt: skip
    l1 = make_link(a, b, user=ann, relation="contradicts")
    l2 = make_link(b, c, user=ben, relation="corroborates")
    l3 = make_link(a, c, user=ben, relation="qualifies")
    for link, day in ((l1, 8), (l2, 18), (l3, 28)):
        when = datetime(2024, 2, day, 12, 0, tzinfo=UTC)
        ClaimLink.objects.filter(pk=link.pk).update(created_at=when)
    make_review(l2, "confirmed", user=rev)
    e1 = make_evidence(a, user=ann, kind="citation")
    e2 = make_evidence(link=l1, user=ben, kind="url", bearing="refutes")
    e3 = make_evidence(c, user=ann, kind="quote", bearing="refutes")
    e4 = make_evidence(link=l2, user=ben, kind="passage", document=d1, start=0, end=5,
                       quote="Taxes")  # fmt: skip
    return {
        "ann": ann, "ben": ben, "news": news, "book": book, "blog": blog, "d1": d1, "d2": d2,
        "d3": d3, "a": a, "b": b, "c": c, "l1": l1, "l2": l2, "l3": l3, "e1": e1, "e2": e2,
        "e3": e3, "e4": e4, "economy": Topic.objects.get(name="economy"),
        "health": Topic.objects.get(name="health"), "law": Topic.objects.get(name="law"),
    }  # fmt: skip


def download(client, query: dict) -> StreamingHttpResponse:
    response = client.get(DOWNLOAD_URL, query)
    assert response.status_code == 200, response.content[:500]
    assert isinstance(response, StreamingHttpResponse)
    return response


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def rows(client, query: dict) -> list[dict[str, str]]:
    text = body(download(client, query)).decode("utf-8")
    header, *records = csv.reader(io.StringIO(text, newline=""))
    return [dict(zip(header, record, strict=True)) for record in records]


def exported_names(client, corpus, query: dict) -> set[str]:
    """The fixture names of the objects in the download for ``query``."""
    by_public_id = {
        str(obj.public_id): name for name, obj in corpus.items() if hasattr(obj, "public_id")
    }
    return {by_public_id[row[ID_COLUMN[query["dataset"]]]] for row in rows(client, query)}


# --- The page ----------------------------------------------------------------------------


def test_the_export_urls_are_named():
    assert reverse("claims:export") == PAGE_URL
    assert reverse("claims:export-download") == DOWNLOAD_URL


def test_the_page_shows_a_form_for_claims_claim_pairs_and_evidence(annotator_client):
    response = annotator_client.get(PAGE_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Export</h1>" in html
    forms = parse_page(html).forms
    export_forms = [form for form in forms if form["attrs"].get("action") == DOWNLOAD_URL]
    assert [form["attrs"].get("aria-label") for form in export_forms] == [
        "Export claims", "Export claim pairs", "Export evidence"
    ]  # fmt: skip
    names = {}
    for form in export_forms:
        assert form["attrs"]["method"] == "get"
        dataset = [c for c in form["controls"] if c.get("name") == "dataset"]
        assert [(c["type"], c["value"]) for c in dataset] == [("hidden", dataset[0]["value"])]
        names[dataset[0]["value"]] = [
            c["name"] for c in form["controls"] if c.get("type") != "hidden"
        ]
    assert names == {
        "claims": ["q", "source", "document", "topic", "annotator", "excel"],
        "pairs": [
            "relation", "state", "source", "topic", "annotator", "proposed_after",
            "proposed_before", "excel",
        ],
        "evidence": ["kind", "bearing", "attached_to", "source", "added_by", "excel"],
    }  # fmt: skip
    for label in ("Download claims (CSV)", "Download claim pairs (CSV)", "Download evidence"):
        assert label in html


def test_ids_on_the_page_are_unique(annotator_client, corpus):
    ids = parse_page(annotator_client.get(PAGE_URL).content.decode()).ids
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_every_field_of_the_export_forms_has_a_label(annotator_client):
    page = parse_page(annotator_client.get(PAGE_URL).content.decode())
    unlabelled = []
    for form in page.forms:
        if form["attrs"].get("action") != DOWNLOAD_URL:
            continue
        for control in form["controls"]:
            if control.get("type") == "hidden":
                continue
            labelled = control.get("id") in form["labels"] or control.get("aria-label")
            if not labelled:
                unlabelled.append(control.get("name"))
    assert unlabelled == []


def test_no_label_on_the_page_points_at_an_empty_id(annotator_client):
    """``for=""`` is invalid HTML (an id is never empty) and labels nothing."""
    page = parse_page(annotator_client.get(PAGE_URL).content.decode())
    assert [target for target in page.label_for if not target] == []


def test_the_forms_offer_the_sources_topics_and_people_to_filter_by(annotator_client, corpus):
    html = annotator_client.get(PAGE_URL).content.decode()
    for name in ("News One", "Book Two", "Blog Three", "economy", "health", "law"):
        assert f">{name}</option>" in html
    assert html.count(">ann</option>") == 3  # annotator, proposer, added by
    assert html.count(">ben</option>") == 3


# --- The download ------------------------------------------------------------------------


def test_the_download_streams_utf8_csv_as_a_dated_attachment(annotator_client, corpus):
    response = download(annotator_client, {"dataset": "claims"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="crosscheck-claims-{today}.csv"'
    )
    data = body(response)
    assert data.startswith(b"claim_id,source,source_kind,document,")
    assert not data.startswith(BOM)
    assert len(data.decode("utf-8").split("\r\n")) == 1 + 3 + 1  # header, rows, ""


@pytest.mark.parametrize("dataset", ["claims", "pairs", "evidence"])
def test_each_dataset_downloads_under_its_own_name(annotator_client, corpus, dataset):
    response = download(annotator_client, {"dataset": dataset})
    today = timezone.localdate().isoformat()
    assert f'filename="crosscheck-{dataset}-{today}.csv"' in response["Content-Disposition"]
    assert body(response).decode().startswith(ID_COLUMN[dataset] + ",")


@pytest.mark.parametrize("dataset", ["claims", "pairs", "evidence"])
def test_the_excel_option_adds_the_byte_order_mark_and_nothing_else(
    annotator_client, corpus, dataset
):
    plain = download(annotator_client, {"dataset": dataset})
    excel = download(annotator_client, {"dataset": dataset, "excel": "1"})
    assert body(excel) == BOM + body(plain)
    for header in ("Content-Type", "Content-Disposition"):
        assert excel[header] == plain[header]


# --- Filters -----------------------------------------------------------------------------

FILTERS = [
    ("claims", {"source": "news"}, {"a"}),
    ("claims", {"source": "blog"}, {"c"}),
    ("claims", {"document": "d2"}, {"b"}),
    ("claims", {"topic": "economy"}, {"a", "c"}),
    ("claims", {"annotator": "ben"}, {"b"}),
    ("claims", {"q": "HOSPITAL"}, {"b"}),
    ("claims", {"q": "ruled"}, {"c"}),
    ("pairs", {"relation": "contradicts"}, {"l1"}),
    ("pairs", {"state": "confirmed"}, {"l2"}),
    ("pairs", {"state": "pending"}, {"l1", "l3"}),
    ("pairs", {"source": "news"}, {"l1", "l3"}),  # the left side
    ("pairs", {"source": "blog"}, {"l2", "l3"}),  # the right side
    ("pairs", {"source": "book"}, {"l1", "l2"}),  # either
    ("pairs", {"topic": "law"}, {"l2", "l3"}),
    ("pairs", {"topic": "health"}, {"l1", "l2"}),
    ("pairs", {"annotator": "ben"}, {"l2", "l3"}),
    ("pairs", {"proposed_after": "2024-02-18"}, {"l2", "l3"}),
    ("pairs", {"proposed_before": "2024-02-18"}, {"l1", "l2"}),
    ("pairs", {"proposed_after": "2024-02-09", "proposed_before": "2024-02-27"}, {"l2"}),
    ("evidence", {"kind": "url"}, {"e2"}),
    ("evidence", {"bearing": "refutes"}, {"e2", "e3"}),
    ("evidence", {"attached_to": "claim"}, {"e1", "e3"}),
    ("evidence", {"attached_to": "pair"}, {"e2", "e4"}),
    ("evidence", {"source": "news"}, {"e1", "e2"}),
    ("evidence", {"source": "blog"}, {"e3", "e4"}),
    ("evidence", {"source": "book"}, {"e2", "e4"}),
    ("evidence", {"added_by": "ben"}, {"e2", "e4"}),
    ("claims", {"source": "news", "topic": "law"}, set()),
]
EVERYTHING = {
    "claims": {"a", "b", "c"},
    "pairs": {"l1", "l2", "l3"},
    "evidence": {"e1", "e2", "e3", "e4"},
}


def resolve(corpus, filters: dict) -> dict:
    """Filter values naming fixture objects become their ids; others stay as they are."""
    return {
        key: str(corpus[value].pk) if value in corpus else value for key, value in filters.items()
    }


@pytest.mark.parametrize(("dataset", "filters", "expected"), FILTERS)
def test_each_filter_narrows_the_rows(annotator_client, corpus, dataset, filters, expected):
    query = {"dataset": dataset} | resolve(corpus, filters)
    assert exported_names(annotator_client, corpus, {"dataset": dataset}) == EVERYTHING[dataset]
    assert exported_names(annotator_client, corpus, query) == expected


def test_the_text_filter_ignores_case_beyond_ascii(annotator_client, annotator):
    claim = make_claim(
        make_document("Москва grew fast."), user=annotator, quote="Москва grew",
        statement="A city grew.",
    )  # fmt: skip
    for text in ("Москва", "москва", "МОСКВА"):
        found = rows(annotator_client, {"dataset": "claims", "q": text})
        assert [row["claim_id"] for row in found] == [str(claim.public_id)], text


def test_empty_filter_values_do_not_filter(annotator_client, corpus):
    query = {"dataset": "pairs", "relation": "", "source": "", "proposed_after": ""}
    assert exported_names(annotator_client, corpus, query) == EVERYTHING["pairs"]


def test_filters_of_another_dataset_are_ignored(annotator_client, corpus):
    query = {"dataset": "claims", "relation": "contradicts", "kind": "url"}
    assert exported_names(annotator_client, corpus, query) == EVERYTHING["claims"]


# --- Refusals ----------------------------------------------------------------------------

CHOICE_ERROR = "Select a valid choice. That choice is not one of the available choices."


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"dataset": "claims", "source": "999999"}, f"source: {CHOICE_ERROR}"),
        ({"dataset": "claims", "document": "abc"}, f"document: {CHOICE_ERROR}"),
        ({"dataset": "pairs", "relation": "agrees"}, "relation: Select a valid choice. agrees"),
        ({"dataset": "pairs", "proposed_after": "tuesday"}, "proposed: Enter a valid date."),
        ({"dataset": "evidence", "kind": "rumour"}, "kind: Select a valid choice. rumour"),
        ({"dataset": "evidence", "attached_to": "source"}, "attached_to: Select a valid"),
    ],
)
def test_an_invalid_filter_is_refused_with_the_error_and_no_csv(
    annotator_client, corpus, query, error
):
    response = annotator_client.get(DOWNLOAD_URL, query)
    assert response.status_code == 400
    assert not response.streaming
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Disposition" not in response
    html = response.content.decode()
    assert error in html
    assert 'class="form-errors" role="alert"' in html
    assert html.count('class="form-errors"') == 1, "only the chosen dataset's form"
    assert ID_COLUMN[query["dataset"]] + "," not in html


@pytest.mark.parametrize("query", [{"dataset": "reviews"}, {"dataset": ""}, {}])
def test_an_unknown_or_missing_dataset_is_not_found(annotator_client, query):
    assert annotator_client.get(DOWNLOAD_URL, query).status_code == 404


@pytest.mark.parametrize("url", [PAGE_URL, f"{DOWNLOAD_URL}?dataset=claims"])
def test_anonymous_visitors_are_sent_to_sign_in_without_a_csv(corpus, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")
    assert not response.streaming
    assert "Content-Disposition" not in response
    assert b"claim_id" not in response.content


@pytest.mark.parametrize("url", [PAGE_URL, f"{DOWNLOAD_URL}?dataset=claims"])
def test_the_page_and_the_download_answer_only_get(annotator_client, url):
    assert annotator_client.post(url, {"dataset": "claims"}).status_code == 405
    assert annotator_client.put(url).status_code == 405


@pytest.mark.parametrize(
    "client_fixture", ["annotator_client", "reviewer_client", "editor_client", "no_role_client"]
)
def test_any_signed_in_user_may_export(request, client_fixture, corpus):
    client = request.getfixturevalue(client_fixture)
    assert client.get(PAGE_URL).status_code == 200
    for dataset in ("claims", "pairs", "evidence"):
        assert exported_names(client, corpus, {"dataset": dataset}) == EVERYTHING[dataset]


@pytest.mark.django_db(transaction=True)
def test_the_download_streams_outside_a_transaction_too(corpus):
    """As in production (autocommit), not inside the test's transaction: on PostgreSQL the
    rows come from server-side cursors that must outlive the view."""
    client = Client()
    client.force_login(make_user(None))
    for dataset in ("claims", "pairs", "evidence"):
        assert exported_names(client, corpus, {"dataset": dataset}) == EVERYTHING[dataset]
